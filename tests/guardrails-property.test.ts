import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { Channel } from '../functions/campaign/definition';
import type { EnrollmentBatch } from '../functions/campaign/enrollment';
import { checkGuardrails, formatGuardrailCheck } from '../local/guardrail-check';
import type { InboundEvent } from '../local/inbound-events';
import { arrivalsAfter, generatePopulation } from '../local/population';
import { randomStream } from '../local/random';
import { UserSimulator, uninstalledApps } from '../local/user-simulator';
import { campaignDefinitions } from '../statemachines/campaigns';
import { useLocalRekindle } from './support/local-rekindle';

// The campaigns as deployed (holdout included), every one scheduled every day in Mexico City.
const local = useLocalRekindle(campaignDefinitions);
const ZONE = 'America/Mexico_City';
const FIRST_DAY = '2026-11-22';
const CAMPAIGNS = campaignDefinitions.map((campaign) => campaign.id);
/** Users per generated world; fast-check generates WORLDS of them. */
const USERS = 2_500;
const WORLDS = 4;
/** Where people live besides Mexico City: a userIds launch reaches them in their own hours. */
const FAR_ZONES = [
  'America/Los_Angeles',
  'America/New_York',
  'Europe/Madrid',
  'Asia/Tokyo',
  'Pacific/Auckland',
];
const CHANNELS: Channel[] = ['push', 'sms', 'email', 'call'];

const pause = fc.record({
  kind: fc.constant('pause' as const),
  campaign: fc.option(fc.constantFrom(...CAMPAIGNS), { nil: undefined }),
  minute: fc.nat(3 * 24 * 60),
  heldMinutes: fc.option(fc.integer({ min: 5, max: 30 * 60 }), { nil: undefined }),
});
const stop = fc.record({
  kind: fc.constant('stop' as const),
  campaign: fc.constantFrom(...CAMPAIGNS),
  day: fc.nat(2),
  minute: fc.nat(3 * 24 * 60),
});

/** One generated world: who the users are, what they and the operators do, and when. */
const worlds = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  days: fc.integer({ min: 2, max: 3 }),
  /** Share of users moved to a far time zone, and of consents refused at the start. */
  farShare: fc.double({ min: 0.05, max: 0.4, noNaN: true }),
  refusedShare: fc.double({ min: 0, max: 0.3, noNaN: true }),
  /** Consents withdrawn in the app at random moments, mid-run. */
  withdrawals: fc.array(
    fc.record({
      user: fc.nat(USERS - 1),
      channel: fc.constantFrom(...CHANNELS),
      minute: fc.nat(4 * 24 * 60),
    }),
    { maxLength: 300 },
  ),
  /** Operator launches for a list of users (any zone), on some day at some minute. */
  launches: fc.array(
    fc.record({
      campaign: fc.constantFrom(...CAMPAIGNS),
      day: fc.nat(2),
      minute: fc.integer({ min: 9 * 60, max: 20 * 60 }),
      size: fc.integer({ min: 20, max: 300 }),
    }),
    { minLength: 1, maxLength: 2 },
  ),
  /** Pauses (one campaign or all) with their resumes, and stops of scheduled runs: at least one of each. */
  brakes: fc
    .tuple(pause, stop, fc.array(fc.oneof(pause, stop), { maxLength: 3 }))
    .map(([first, second, more]) => [first, second, ...more]),
});
type World = typeof worlds extends fc.Arbitrary<infer T> ? T : never;

const totals = { worlds: 0, users: 0, sends: 0, checks: 0 };

const dayOf = (day: number) => DateTime.fromISO(FIRST_DAY, { zone: ZONE }).plus({ days: day });
const at = (minutesFromFirstDay: number) =>
  DateTime.fromISO(FIRST_DAY, { zone: ZONE }).plus({ minutes: minutesFromFirstDay }).toUTC().toISO() ?? '';

/** Builds the world, runs every campaign every day on one timeline, and checks every contact it left. */
const runWorld = async (world: World) => {
  const start = dayOf(0).set({ hour: 10, minute: 30 }).toJSDate();
  await local.rekindle.resetData(start);
  const random = randomStream(world.seed, 'world');
  const population = generatePopulation({
    seed: world.seed,
    runDate: FIRST_DAY,
    days: world.days,
    timeZone: ZONE,
    size: USERS,
  }).map((user) => ({
    ...user,
    timeZone: random.chance(world.farShare) ? random.pick(FAR_ZONES) : user.timeZone,
    consents: Object.fromEntries(
      CHANNELS.map((channel) => [channel, user.consents[channel] && !random.chance(world.refusedShare)]),
    ) as typeof user.consents,
  }));
  const { seeded, arriving } = arrivalsAfter(population, start);
  await local.rekindle.importUsers(seeded);
  const userIds = population.map((user) => user.userId);

  const withdrawals: InboundEvent[] = world.withdrawals.map(({ user, channel, minute }) => ({
    type: 'consent',
    userId: userIds[user] ?? '',
    channel,
    granted: false,
    source: 'app-settings',
    occurredAt: at(minute),
  }));
  const runIdOf = (campaign: string, day: number) => `${campaign}#${dayOf(day).toISODate()}#${ZONE}`;
  const operatorLines: InboundEvent[] = world.brakes.flatMap((brake): InboundEvent[] => {
    if (brake.kind === 'stop') {
      return [
        {
          type: 'operator',
          action: 'stop',
          runId: runIdOf(brake.campaign, Math.min(brake.day, world.days - 1)),
          // Some time after that run started at 10:30 local (a stop before it would be refused).
          occurredAt: at(Math.min(brake.day, world.days - 1) * 24 * 60 + 10 * 60 + 30 + brake.minute),
        },
      ];
    }
    const target = brake.campaign === undefined ? { all: true as const } : { campaignId: brake.campaign };
    return [
      { type: 'operator', action: 'pause', ...target, occurredAt: at(brake.minute) },
      ...(brake.heldMinutes === undefined
        ? []
        : [
            {
              type: 'operator' as const,
              action: 'resume' as const,
              ...target,
              occurredAt: at(brake.minute + brake.heldMinutes),
            },
          ]),
    ];
  });
  local.rekindle.script([
    ...uninstalledApps(seeded, world.seed, start),
    ...arriving,
    ...withdrawals,
    ...operatorLines,
  ]);

  const scheduled = Array.from({ length: world.days }, (_, day) => day).flatMap((day) =>
    CAMPAIGNS.map((campaignId) => ({
      campaignId,
      input: { runDate: dayOf(day).toISODate(), timeZone: ZONE },
      startAt: dayOf(day).set({ hour: 10, minute: 30 }).toJSDate(),
    })),
  );
  const launches = world.launches.map((launch, index) => {
    const pick = randomStream(world.seed, `launch|${index}`);
    const list = [...new Set(Array.from({ length: launch.size }, () => pick.pick(userIds)))].sort();
    const day = Math.min(launch.day, world.days - 1);
    return {
      campaignId: launch.campaign,
      input: { runDate: dayOf(day).toISODate(), timeZone: ZONE, userIds: list },
      startAt: dayOf(day).plus({ minutes: launch.minute }).toJSDate(),
    };
  });
  const results = await local.rekindle.runCampaigns([...scheduled, ...launches], {
    // People react as in npm start; no call center works the tasks (its rules are tests/agent-desk.test.ts's),
    // which keeps the 10,000 users inside the suite's time.
    simulator: new UserSimulator(world.seed, {}, undefined, undefined, false),
  });
  await local.rekindle.drainScriptedEvents();

  // Every run ended; every member of every run has a terminal state.
  expect(results.filter((result) => result.status !== 'SUCCEEDED')).toEqual([]);
  const batches = (await local.rekindle.scanTable('Enrollments')) as unknown as EnrollmentBatch[];
  const unended = batches.flatMap((batch) =>
    batch.members.filter((userId) => batch.terminal?.[userId] === undefined),
  );
  expect(unended).toEqual([]);

  const records = await local.rekindle.guardrailRecords();
  const report = checkGuardrails(records, local.rekindle.guardrailConfig());
  expect(report.violations.slice(0, 5)).toEqual([]);
  totals.worlds += 1;
  totals.users += population.length;
  totals.sends += records.contacts.length;
  totals.checks += Object.values(report.checks).reduce((sum, count) => sum + count, 0);
  // What the world exercised: skips by the guardrails and brakes, and operator actions done or refused.
  const skipped: Record<string, number> = {};
  for (const touch of results.flatMap((result) => result.output?.touches ?? [])) {
    for (const reason of [
      'quiet-hours',
      'frequency-capped',
      'opted-out',
      'converted',
      'paused',
      'stopped',
    ] as const)
      skipped[reason] = (skipped[reason] ?? 0) + (touch.skipped[reason] ?? 0);
  }
  const held = results.reduce((sum, result) => sum + (result.output?.brakes.heldMinutes ?? 0), 0);
  const operator = local.rekindle.feed.received.filter(({ event }) => event.type === 'operator');
  const refused = operator.filter(({ result }) => (result as { refused?: string }).refused).length;
  console.log(
    `world ${totals.worlds}: ${population.length} users · ${results.length} runs · ${records.contacts.length} contacts · ` +
      `skipped ${JSON.stringify(skipped)} · held ${held} min · operator actions ${operator.length} (${refused} refused)\n` +
      `  ${formatGuardrailCheck(report)}`,
  );
};

describe('the guardrails, over generated worlds', () => {
  it(
    'never send against consent, inside quiet hours, over a cap, after a conversion, twice per touch, while paused or after a stop',
    async () => {
      await fc.assert(fc.asyncProperty(worlds, runWorld), {
        seed: 20_261_123,
        numRuns: WORLDS,
        // A world takes many seconds: report the failing one as generated, without shrinking.
        endOnFailure: true,
      });
      console.log(
        `property: ${totals.worlds} worlds · ${totals.users} users · ${totals.sends} sends and call tasks · ${totals.checks} checks`,
      );
      expect(totals.users).toBeGreaterThanOrEqual(10_000);
      expect(totals.sends).toBeGreaterThan(0);
    },
    15 * 60 * 1000,
  );
});
