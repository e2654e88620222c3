import { describe, expect, it } from 'vitest';
import type { CampaignInput } from '../functions/campaign/definition';
import type { EnrollmentBatch } from '../functions/campaign/enrollment';
import { campaign as registeredNoVisit } from '../statemachines/campaigns/registered-no-visit';
import {
  CAMPAIGN,
  campaignsWithoutHoldout,
  RUN_DATE,
  RUN_ID,
  TIME_ZONE,
  useLocalRekindle,
} from './support/local-rekindle';
import { aUser } from './support/users';

const filtered: CampaignInput = {
  ...registeredNoVisit,
  id: 'inner-ring-app-users',
  holdoutPercent: 0,
  audience: {
    dormancyModel: 'registered-no-visit',
    filters: {
      ring: ['inner'],
      installed: true,
      tagsAll: ['payroll-account'],
      valueTier: ['high', 'medium'],
    },
  },
};
const local = useLocalRekindle([...campaignsWithoutHoldout, filtered]);
const runInput = { runDate: RUN_DATE, timeZone: TIME_ZONE };

const enrolledIn = async (campaignId: string) =>
  ((await local.rekindle.scanTable('Enrollments')) as unknown as EnrollmentBatch[])
    .filter((batch) => batch.campaignId === campaignId)
    .flatMap((batch) => batch.members)
    .sort();

describe('audience selection', () => {
  it('reads exactly the users who become dormant on the run date in its time zone', async () => {
    // Prepare: registered-no-visit users become dormant 3 local days after registering (Mexico City is UTC-6).
    await local.rekindle.importUsers([
      aUser('registered-19th-noon', { lifecycle: { registeredAt: '2026-11-19T18:00:00.000Z' } }),
      aUser('registered-19th-late-evening', { lifecycle: { registeredAt: '2026-11-20T05:30:00.000Z' } }),
      aUser('registered-20th-after-midnight', { lifecycle: { registeredAt: '2026-11-20T06:30:00.000Z' } }),
      aUser('registered-18th', { lifecycle: { registeredAt: '2026-11-18T18:00:00.000Z' } }),
      aUser('came-back', {
        lifecycle: { registeredAt: '2026-11-19T18:00:00.000Z', lastLoginAt: '2026-11-20T18:00:00.000Z' },
      }),
      aUser('other-time-zone', { timeZone: 'America/Tijuana' }),
      aUser('reachable-on-nothing', { push: null, contact: {} }),
    ]);

    // Act
    const result = await local.rekindle.runCampaign(CAMPAIGN, runInput);

    // Assess: the 18th's user was the cohort of the 21st; dormancy is judged in local dates.
    expect(result.status).toBe('SUCCEEDED');
    expect(await enrolledIn(CAMPAIGN)).toEqual([
      'reachable-on-nothing',
      'registered-19th-late-evening',
      'registered-19th-noon',
    ]);
    expect(result.output?.selection).toMatchObject({ candidates: 3, enrolled: 3, batchCount: 1 });
    expect(result.output?.exited).toEqual({ unreachable: 1 });
  });

  it('gives each of the four campaigns the users of its own dormancy model', async () => {
    // Prepare
    await local.rekindle.importUsers([
      aUser('registered-only'),
      aUser('application-left', {
        lifecycle: {
          registeredAt: '2026-10-01T18:00:00.000Z',
          lastLoginAt: '2026-11-19T18:00:00.000Z',
          applicationStartedAt: '2026-11-19T18:00:00.000Z',
        },
      }),
      aUser('credit-unused', {
        lifecycle: {
          registeredAt: '2026-10-01T18:00:00.000Z',
          lastLoginAt: '2026-11-15T18:00:00.000Z',
          applicationStartedAt: '2026-11-14T18:00:00.000Z',
          lastCreditApplyAt: '2026-11-14T19:00:00.000Z',
          creditGrantedAt: '2026-11-15T18:00:00.000Z',
        },
      }),
      aUser('loan-settled', {
        lifecycle: {
          registeredAt: '2026-01-01T18:00:00.000Z',
          lastLoginAt: '2026-10-23T18:00:00.000Z',
          creditGrantedAt: '2026-02-01T18:00:00.000Z',
          lastDrawdownAt: '2026-02-02T18:00:00.000Z',
          loanSettledAt: '2026-10-23T18:00:00.000Z',
        },
      }),
      aUser('borrowing-now', {
        lifecycle: {
          registeredAt: '2026-01-01T18:00:00.000Z',
          lastLoginAt: '2026-11-15T18:00:00.000Z',
          creditGrantedAt: '2026-11-01T18:00:00.000Z',
          lastDrawdownAt: '2026-11-02T18:00:00.000Z',
        },
      }),
    ]);
    const campaigns = [
      'registered-no-visit',
      'application-incomplete',
      'credited-no-drawdown',
      'settled-no-reborrow',
    ];

    // Act
    const results = await local.rekindle.runCampaigns(
      campaigns.map((campaignId) => ({ campaignId, input: runInput })),
    );

    // Assess
    expect(results.map((result) => result.status)).toEqual([
      'SUCCEEDED',
      'SUCCEEDED',
      'SUCCEEDED',
      'SUCCEEDED',
    ]);
    expect(await Promise.all(campaigns.map(enrolledIn))).toEqual([
      ['registered-only'],
      ['application-left'],
      ['credit-unused'],
      ['loan-settled'],
    ]);
  });

  it('keeps only the users matching the audience filters: tags, ring, installed app, value tier', async () => {
    // Prepare
    const insider = { ring: 'inner' as const, valueTier: 'high' as const, tags: ['payroll-account'] };
    await local.rekindle.importUsers([
      aUser('matches', insider),
      aUser('middle-ring', { ...insider, ring: 'middle' }),
      aUser('no-app', { ...insider, push: null }),
      aUser('no-payroll-tag', { ...insider, tags: [] }),
      aUser('low-tier', { ...insider, valueTier: 'low' }),
      aUser('no-ring-known', { valueTier: 'high', tags: ['payroll-account'] }),
    ]);

    // Act
    const result = await local.rekindle.runCampaign('inner-ring-app-users', runInput);

    // Assess
    expect(await enrolledIn('inner-ring-app-users')).toEqual(['matches']);
    expect(result.output?.selection).toMatchObject({ candidates: 6, filteredOut: 5, enrolled: 1 });
  });

  it('does not enroll a user again within the cool-down, and does after it', async () => {
    // Prepare: application-incomplete has a 14-day cool-down.
    const leftApplicationOn = (day: string) =>
      aUser('returner', {
        lifecycle: { registeredAt: '2026-10-01T18:00:00.000Z', lastLoginAt: day, applicationStartedAt: day },
      });
    await local.rekindle.importUsers([leftApplicationOn('2026-11-19T18:00:00.000Z')]);
    const first = await local.rekindle.runCampaign('application-incomplete', runInput);

    // Act: the user starts (and leaves) a new application twice more.
    await local.rekindle.importUsers([leftApplicationOn('2026-11-23T18:00:00.000Z')]);
    const withinCooldown = await local.rekindle.runCampaign('application-incomplete', {
      runDate: '2026-11-26',
    });
    await local.rekindle.importUsers([leftApplicationOn('2026-12-04T18:00:00.000Z')]);
    const afterCooldown = await local.rekindle.runCampaign('application-incomplete', {
      runDate: '2026-12-07',
    });

    // Assess
    expect(first.output?.selection).toMatchObject({ candidates: 1, enrolled: 1 });
    expect(withinCooldown.output?.selection).toMatchObject({ candidates: 1, inCooldown: 1, enrolled: 0 });
    expect(afterCooldown.output?.selection).toMatchObject({ candidates: 1, inCooldown: 0, enrolled: 1 });
  });

  it('enrolls exactly a given user list, dormant or not, under a run id of its own', async () => {
    // Prepare
    await local.rekindle.importUsers([
      aUser('dormant'),
      aUser('active', {
        lifecycle: { registeredAt: '2026-01-01T00:00:00.000Z', lastLoginAt: '2026-11-21T00:00:00.000Z' },
      }),
    ]);

    // Act
    const listed = await local.rekindle.runCampaign(CAMPAIGN, {
      ...runInput,
      userIds: ['active', 'unknown-user'],
    });
    const scheduled = await local.rekindle.runCampaign(CAMPAIGN, runInput);
    const again = await local.rekindle.runCampaign(CAMPAIGN, {
      ...runInput,
      userIds: ['unknown-user', 'active'],
    });

    // Assess
    expect(listed.output?.runId).toMatch(new RegExp(`^${RUN_ID}#users-[0-9a-f]{10}$`));
    expect(listed.output?.selection).toMatchObject({ candidates: 2, filteredOut: 1, enrolled: 1 });
    expect(scheduled.output).toMatchObject({ runId: RUN_ID, cohortSize: 1 });
    expect(again.error?.name).toBe('RunAlreadyStarted');
  });

  it('takes a repeatable random sample when a limit is given', async () => {
    // Prepare
    await local.rekindle.importUsers(Array.from({ length: 10 }, (_, index) => aUser(`user-${index}`)));

    // Act
    const result = await local.rekindle.runCampaign(CAMPAIGN, { ...runInput, limit: 3 });

    // Assess
    expect(result.output?.selection).toMatchObject({ candidates: 10, enrolled: 3, overLimit: 7 });
    expect(await enrolledIn(CAMPAIGN)).not.toEqual(['user-0', 'user-1', 'user-2']);
  });

  it('splits a large cohort into batches the Distributed Maps iterate over', async () => {
    // Prepare: 1,100 dormant users with the default batch size of 500 make 3 batches.
    await local.rekindle.importUsers(
      Array.from({ length: 1100 }, (_, index) =>
        aUser(`user-${String(index).padStart(4, '0')}`, { push: null, contact: {} }),
      ),
    );

    // Act
    const result = await local.rekindle.runCampaign(CAMPAIGN, runInput);

    // Assess
    const batches = (await local.rekindle.scanTable('Enrollments')) as unknown as EnrollmentBatch[];
    expect(batches.map((batch) => batch.members.length).sort()).toEqual([100, 500, 500]);
    expect(result.output?.exited).toEqual({ unreachable: 1100 });
    expect(result.stats.childExecutions).toBe(3 + 3); // touch 1 and the closing, then it stopped early
  });
});
