import { describe, expect, it } from 'vitest';
import { isHoldout } from '../functions/campaign/assignment';
import type { EnrollmentBatch } from '../functions/campaign/enrollment';
import { UserSimulator } from '../local/user-simulator';
import { campaignDefinitions } from '../statemachines/campaigns';
import { CAMPAIGN, RUN_DATE, TIME_ZONE, useLocalRekindle } from './support/local-rekindle';
import { aUser } from './support/users';

// The campaigns as deployed: registered-no-visit keeps 10% of each cohort as holdout.
const local = useLocalRekindle(campaignDefinitions);

describe('the holdout', () => {
  it('is a deterministic share of the cohort, never messaged, whose conversions are still recorded', async () => {
    // Prepare: 300 dormant users; a fifth of everyone converts on their own, messaged or not.
    const users = Array.from({ length: 300 }, (_, index) => aUser(`user-${String(index).padStart(3, '0')}`));
    await local.rekindle.importUsers(users);
    const expectedHoldout = users
      .filter((user) => isHoldout(CAMPAIGN, user.userId, 10))
      .map((user) => user.userId);
    const simulator = new UserSimulator(9, {}, 0.2);

    // Act
    const result = await local.rekindle.runCampaign(
      CAMPAIGN,
      { runDate: RUN_DATE, timeZone: TIME_ZONE },
      { simulator },
    );

    // Assess
    const [batch] = (await local.rekindle.scanTable('Enrollments')) as unknown as EnrollmentBatch[];
    expect(batch?.holdout).toEqual(expectedHoldout);
    expect(expectedHoldout.length).toBeGreaterThan(15);
    expect(expectedHoldout.length).toBeLessThan(45);
    const reached = new Set([
      ...(await local.rekindle.sandboxMessages()).map((message) => message.userId),
      ...(await local.rekindle.callTasks()).map((task) => task.userId),
    ]);
    expect(expectedHoldout.filter((userId) => reached.has(userId))).toEqual([]);
    const holdoutStates = expectedHoldout.map((userId) => batch?.terminal?.[userId]);
    expect(holdoutStates.every((state) => state?.status === 'holdout')).toBe(true);
    const convertedHoldout = holdoutStates.filter(
      (state) => state?.status === 'holdout' && state.convertedAt,
    ).length;
    expect(convertedHoldout).toBeGreaterThan(0);
    expect(result.output?.holdout).toEqual({ size: expectedHoldout.length, converted: convertedHoldout });
    expect(result.output?.liftPoints).toEqual(expect.any(Number));
    // The lift comes with its 95% interval around it; this holdout is too small to tell it apart.
    const lift = result.output?.lift;
    expect(lift?.points).toBe(result.output?.liftPoints);
    expect(lift?.low).toBeLessThanOrEqual(lift?.points ?? Number.NaN);
    expect(lift?.high).toBeGreaterThanOrEqual(lift?.points ?? Number.NaN);
    expect(lift?.tooSmallToTell).toBe(true);
  });
});
