import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { Run } from '../functions/campaign/run';
import { campaignDefinitions, validateCampaign } from '../statemachines/campaigns';
import { campaign as registeredNoVisit } from '../statemachines/campaigns/registered-no-visit';
import { RUN_DATE, RUN_ID, RUN_START, TIME_ZONE, useLocalRekindle } from './support/local-rekindle';
import { aUser } from './support/users';

// The deployed campaigns, holdout and cool-down included.
const local = useLocalRekindle(campaignDefinitions);

const run: Run = {
  runId: RUN_ID,
  campaign: validateCampaign(registeredNoVisit),
  runDate: RUN_DATE,
  timeZone: TIME_ZONE,
  startedAt: RUN_START.toISOString(),
  dryRun: false,
};
const localTime = (time: string) => DateTime.fromISO(`${RUN_DATE}T${time}`, { zone: TIME_ZONE }).toJSDate();

/**
 * Step Functions tries a step again when its function crashed or timed out after it had written: the step must
 * come to the same result, and write nothing twice.
 */
describe('a step tried again after its function wrote and then died', () => {
  it('selection enrolls the same cohort, its holdout included (the holdout cool-down it wrote does not count)', async () => {
    // Prepare
    await local.rekindle.importUsers(Array.from({ length: 60 }, (_, index) => aUser(`user-${index}`)));
    const { claimRun } = await import('../functions/data/runs');
    const { selectAudience } = await import('../functions/campaign/audience');
    await claimRun(run, 'execution-1');
    const first = await selectAudience(run, RUN_START);
    const enrollments = await local.rekindle.scanTable('Enrollments');

    // Act
    const again = await selectAudience(run, RUN_START);

    // Assert
    expect(first.cohortSize).toBe(60);
    expect(first.cohortSize - first.messaged).toBeGreaterThan(0);
    expect(again).toEqual(first);
    expect(await local.rekindle.scanTable('Enrollments')).toEqual(enrollments);
  });

  it('carry-over counts the window it carries from once', async () => {
    // Prepare: members still pending at 11:30, the provider booked to the window's end (12:00).
    const { claimRun } = await import('../functions/data/runs');
    const { carryOver } = await import('../functions/campaign/carry-over');
    const { getRunControl } = await import('../functions/data/controls');
    await claimRun(run, 'execution-1');
    const progress = { pending: 5, resumeAt: localTime('12:00').toISOString() };

    // Act
    const first = await carryOver(run, 1, progress, localTime('11:30'));
    const again = await carryOver(run, 1, progress, localTime('11:30'));
    const carriedOnce = (await getRunControl(RUN_ID)).carries['1'];
    const evening = await carryOver(
      run,
      1,
      { pending: 2, resumeAt: localTime('21:00').toISOString() },
      localTime('19:30'),
    );

    // Assert
    expect(first).toEqual({ state: 'carried', at: localTime('19:00').toISOString() });
    expect(again).toEqual(first);
    expect(carriedOnce).toMatchObject({ windows: 2, carried: [5] });
    // The evening window is a new one: counted (the campaign takes 3 windows per touch).
    const nextMorning = DateTime.fromJSDate(localTime('11:00')).plus({ days: 1 }).toJSDate().toISOString();
    expect(evening).toEqual({ state: 'carried', at: nextMorning });
    expect((await getRunControl(RUN_ID)).carries['1']).toMatchObject({ windows: 3, carried: [5, 2] });
  });
});
