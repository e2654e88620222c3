import { describe, expect, it } from 'vitest';
import { CAMPAIGN, RUN_DATE, TIME_ZONE, useLocalRekindle } from './support/local-rekindle';
import { aUser } from './support/users';

const local = useLocalRekindle();

describe('audience selection for registered-no-visit', () => {
  it('enrolls exactly the users registered at least 3 local days before the run who have not visited since', async () => {
    // Prepare: the run date is 2026-11-22 in Mexico City (UTC-6); 3 days before is 2026-11-19 local.
    const users = [
      aUser('long-dormant', { lifecycle: { registeredAt: '2026-10-01T15:00:00.000Z' } }),
      // 2026-11-19 23:30 local: exactly 3 local days before the run.
      aUser('three-days-late-evening', { lifecycle: { registeredAt: '2026-11-20T05:30:00.000Z' } }),
      // 2026-11-20 00:30 local: only 2 local days before, although more than 2 days in UTC.
      aUser('two-days-after-midnight', { lifecycle: { registeredAt: '2026-11-20T06:30:00.000Z' } }),
      aUser('registered-today', { lifecycle: { registeredAt: '2026-11-22T14:00:00.000Z' } }),
      aUser('came-back', {
        lifecycle: { registeredAt: '2026-10-01T15:00:00.000Z', lastLoginAt: '2026-10-03T15:00:00.000Z' },
      }),
      aUser('other-time-zone', {
        timeZone: 'America/Tijuana',
        lifecycle: { registeredAt: '2026-10-01T15:00:00.000Z' },
      }),
      // Reachable on no channel at all: still part of the cohort, skipped at send time.
      aUser('unreachable', {
        push: null,
        contact: {},
        lifecycle: { registeredAt: '2026-10-01T15:00:00.000Z' },
      }),
    ];
    await local.rekindle.importUsers(users);

    // Act
    const result = await local.rekindle.runCampaign(CAMPAIGN, { runDate: RUN_DATE, timeZone: TIME_ZONE });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    const enrolled = (await local.rekindle.scanTable('Enrollments')).map((item) => item.userId).sort();
    expect(enrolled).toEqual(['long-dormant', 'three-days-late-evening', 'unreachable']);
    expect(result.output?.cohortSize).toBe(3);
  });

  it('drops a user from the dormancy index once a login event comes in', async () => {
    // Prepare
    await local.rekindle.importUsers([
      aUser('returns', { lifecycle: { registeredAt: '2026-10-01T15:00:00.000Z' } }),
    ]);
    await local.rekindle.recordAppEvent({
      type: 'login',
      userId: 'returns',
      occurredAt: '2026-11-21T18:00:00.000Z',
    });

    // Act
    const result = await local.rekindle.runCampaign(CAMPAIGN, { runDate: RUN_DATE, timeZone: TIME_ZONE });

    // Assess
    expect(result.output?.cohortSize).toBe(0);
    const [user] = await local.rekindle.scanTable('Users');
    expect(user).toMatchObject({ lifecycle: { lastLoginAt: '2026-11-21T18:00:00.000Z' } });
    expect(user).not.toHaveProperty('dormancyKey');
  });

  it('splits a large cohort into batches the Distributed Map iterates over', async () => {
    // Prepare: 1,100 dormant users with the default batch size of 500 make 3 batches.
    await local.rekindle.importUsers(
      Array.from({ length: 1100 }, (_, index) =>
        aUser(`user-${String(index).padStart(4, '0')}`, { push: null, contact: {} }),
      ),
    );

    // Act
    const result = await local.rekindle.runCampaign(CAMPAIGN, { runDate: RUN_DATE, timeZone: TIME_ZONE });

    // Assess
    const enrollments = await local.rekindle.scanTable('Enrollments');
    const batchSizes = new Map<number, number>();
    for (const enrollment of enrollments) {
      batchSizes.set(Number(enrollment.batch), (batchSizes.get(Number(enrollment.batch)) ?? 0) + 1);
    }
    expect(Object.fromEntries(batchSizes)).toEqual({ 1: 500, 2: 500, 3: 100 });
    expect(result.output?.steps.map((step) => step.skipped['no-address'])).toEqual([1100, 1100]);
  });
});
