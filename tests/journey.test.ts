import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { EnrollmentBatch } from '../functions/campaign/enrollment';
import type { AppEvent } from '../functions/users/app-event';
import { generatePopulation } from '../local/population';
import { type SimulatedUsers, UserSimulator } from '../local/user-simulator';
import { CAMPAIGN, RUN_DATE, RUN_START, TIME_ZONE, useLocalRekindle } from './support/local-rekindle';
import { aUser, reachableOn } from './support/users';

const local = useLocalRekindle();
const runInput = { runDate: RUN_DATE, timeZone: TIME_ZONE };
/** Simulated users who never answer and never convert on their own. */
/** Nobody reacts, and no call center works the call tasks. */
const silent = () =>
  new UserSimulator(
    1,
    { push: { click: 0 }, sms: { click: 0 }, email: { click: 0 }, call: { click: 0 } },
    0,
    10,
    false,
  );

/** Every touch that reached each user, as "touch:channel", from the sandbox and the call-task queue. */
const touchesByUser = async () => {
  const byUser = new Map<string, string[]>();
  const record = (userId: string, entry: string) =>
    byUser.set(userId, [...(byUser.get(userId) ?? []), entry]);
  for (const message of await local.rekindle.sandboxMessages())
    record(message.userId, `${message.touch}:${message.channel}`);
  for (const task of await local.rekindle.callTasks())
    record(task.userId, `${task.touchId.split('|t')[1]?.split('#')[0]}:call`);
  return Object.fromEntries([...byUser].map(([userId, entries]) => [userId, entries.sort()]));
};

describe('a campaign journey', () => {
  it('walks each user down their own ladder: touch k uses the k-th channel they can be reached on', async () => {
    // Prepare
    await local.rekindle.importUsers([
      reachableOn('everything', ['push', 'sms', 'email', 'call']),
      reachableOn('uninstalled', ['sms', 'email', 'call']),
      reachableOn('no-email', ['push', 'sms', 'call']),
      reachableOn('push-and-email', ['push', 'email']),
      aUser('refused-sms', { consents: { push: true, sms: false, email: true, call: true } }),
    ]);

    // Act
    const result = await local.rekindle.runCampaign(CAMPAIGN, runInput, { simulator: silent() });

    // Assess
    expect(await touchesByUser()).toEqual({
      everything: ['1:push', '2:sms', '3:email', '4:call'],
      uninstalled: ['1:sms', '2:email', '3:call'],
      'no-email': ['1:push', '2:sms', '3:call'],
      'push-and-email': ['1:push', '2:email'],
      'refused-sms': ['1:push', '2:email', '3:call'],
    });
    expect(result.output?.touches.map((touch) => touch.skipped['ladder-exhausted'] ?? 0)).toEqual([
      0, 0, 1, 3,
    ]);
    expect(result.output).toMatchObject({ completed: 5, totalConverted: 0 });
  });

  it('sends nothing more to a user who converted after a touch, and credits that touch', async () => {
    // Prepare: everyone who gets a push clicks and logs in; SMS and later touches go unanswered.
    await local.rekindle.importUsers([aUser('has-app'), reachableOn('uninstalled', ['sms', 'email'])]);
    const simulator = new UserSimulator(
      7,
      { push: { click: 1, goalAfterClick: 1 }, sms: { click: 0 }, email: { click: 0 } },
      0,
    );

    // Act
    const result = await local.rekindle.runCampaign(CAMPAIGN, runInput, { simulator });

    // Assess
    expect(await touchesByUser()).toEqual({ 'has-app': ['1:push'], uninstalled: ['1:sms', '2:email'] });
    expect(result.output?.touches.map((touch) => touch.converted)).toEqual([1, 0, 0, 0]);
    expect(result.output?.touches[1]?.skipped).toMatchObject({ converted: 1 });
    const [batch] = (await local.rekindle.scanTable('Enrollments')) as unknown as EnrollmentBatch[];
    expect(batch?.terminal).toEqual({
      'has-app': { status: 'converted', at: expect.any(String), afterTouch: 1 },
      uninstalled: { status: 'completed' },
    });
  });

  it('credits each conversion by its timing: before any touch, after a touch, after the last one, or too late', async () => {
    // Prepare: four users who log in at scripted moments (the run starts 10:30 local = 16:30Z; touches
    // go out 11-22, 11-23, 11-25 and 11-28 at 17:00Z; the run closes 3 days after the last touch).
    await local.rekindle.importUsers(
      ['before-push', 'after-push', 'after-call', 'after-close'].map((id) => aUser(id)),
    );
    const logins: AppEvent[] = [
      { type: 'login', userId: 'before-push', occurredAt: '2026-11-22T16:45:00.000Z' },
      { type: 'login', userId: 'after-push', occurredAt: '2026-11-22T18:00:00.000Z' },
      { type: 'login', userId: 'after-call', occurredAt: '2026-11-30T12:00:00.000Z' },
      { type: 'login', userId: 'after-close', occurredAt: '2026-12-09T12:00:00.000Z' },
    ];
    const scripted: SimulatedUsers = {
      observeEnrollees: () => undefined,
      observe: () => undefined,
      takeEventsUpTo: (time) => {
        const due = logins.filter((event) => Date.parse(event.occurredAt) <= time.getTime());
        logins.splice(0, due.length);
        return due;
      },
    };

    // Act
    const result = await local.rekindle.runCampaign(CAMPAIGN, runInput, { simulator: scripted });

    // Assess
    expect(await touchesByUser()).toEqual({
      'after-push': ['1:push'],
      'after-call': ['1:push', '2:sms', '3:email', '4:call'],
      'after-close': ['1:push', '2:sms', '3:email', '4:call'],
    });
    expect(result.output).toMatchObject({ convertedBeforeFirstTouch: 1, totalConverted: 3, completed: 1 });
    expect(result.output?.touches.map((touch) => touch.converted)).toEqual([1, 0, 0, 1]);
  });

  it('ends early when nobody is left to touch, and still closes the run', async () => {
    // Prepare
    await local.rekindle.importUsers([aUser('a'), aUser('b')]);
    const simulator = new UserSimulator(3, { push: { click: 1, goalAfterClick: 1 } }, 0);

    // Act
    const result = await local.rekindle.runCampaign(CAMPAIGN, runInput, { simulator });

    // Assess: touch 2 found both converted, so touches 3 and 4 never started; then the closing ran.
    expect(result.output?.totalConverted).toBe(2);
    expect(result.output?.touches[1]).toMatchObject({ sent: {}, skipped: { converted: 2 } });
    expect(result.stats.childExecutions).toBe(3);
    expect(result.output?.touches.slice(2).map((touch) => [touch.sent, touch.skipped])).toEqual([
      [{}, {}],
      [{}, {}],
    ]);
  });

  it('sends inside the send windows of each user, spaced by the campaign waits', async () => {
    // Prepare
    await local.rekindle.importUsers(
      generatePopulation({ seed: 3, runDate: RUN_DATE, timeZone: TIME_ZONE, size: 300 }),
    );

    // Act
    await local.rekindle.runCampaign(CAMPAIGN, runInput, { simulator: new UserSimulator(3) });

    // Assess
    const messages = await local.rekindle.sandboxMessages();
    expect(messages.length).toBeGreaterThan(100);
    for (const message of messages) {
      const at = DateTime.fromISO(message.sentAt, { zone: TIME_ZONE });
      const minute = at.hour * 60 + at.minute;
      const inWindow = (minute >= 11 * 60 && minute < 12 * 60) || (minute >= 19 * 60 && minute < 21 * 60);
      expect(inWindow, `${message.userId} touch ${message.touch} at ${at.toISO()}`).toBe(true);
    }
    // registered-no-visit waits 1, 2 and 3 days between its touches.
    const firstSendOf = (touch: number) =>
      Math.min(
        ...messages.filter((message) => message.touch === touch).map((message) => Date.parse(message.sentAt)),
      );
    const days = (from: number, to: number) => (firstSendOf(to) - firstSendOf(from)) / 86_400_000;
    expect(days(1, 2)).toBeGreaterThanOrEqual(1);
    expect(days(2, 3)).toBeGreaterThanOrEqual(2);
    expect(firstSendOf(1)).toBe(Date.parse('2026-11-22T17:00:00.000Z')); // 11:00 local, after the 10:30 start
  });

  it('renders copy in the user language with the offer, and records channel, variant, run and touch', async () => {
    // Prepare: application-incomplete's SMS carries an interest-free offer.
    const started = {
      registeredAt: '2026-10-01T18:00:00.000Z',
      lastLoginAt: '2026-11-19T18:00:00.000Z',
      applicationStartedAt: '2026-11-19T18:00:00.000Z',
    };
    await local.rekindle.importUsers([
      reachableOn('spanish', ['sms'], { lifecycle: started }),
      reachableOn('english', ['sms'], { lifecycle: started, locale: 'en-US' }),
    ]);

    // Act
    await local.rekindle.runCampaign('application-incomplete', runInput, { simulator: silent() });

    // Assess
    const messages = await local.rekindle.sandboxMessages();
    // The {link:apply} placeholder became the person's own tracked link.
    const link = /https:\/\/\S+\/l\/[A-Za-z0-9_.-]+/;
    expect(messages.map(({ userId, body }) => [userId, body.replace(link, '<link>')]).sort()).toEqual([
      [
        'english',
        'Finish your application today and get 7 interest-free days. <link> Reply STOP to opt out.',
      ],
      [
        'spanish',
        'Termina tu solicitud hoy y obtén 7 días sin intereses. <link> Responde STOP para no recibir más.',
      ],
    ]);
    const [first, second] = messages.map(({ body }) => link.exec(body)?.[0]);
    expect(first).not.toEqual(second);
    expect(messages[0]).toMatchObject({
      campaignId: 'application-incomplete',
      runId: `application-incomplete#${RUN_DATE}#${TIME_ZONE}`,
      touch: 1,
      channel: 'sms',
      variant: 'default',
      sentAt: '2026-11-22T17:00:00.000Z',
    });
    expect(messages[0]).not.toHaveProperty('address');
  });

  it('assigns copy variants by weight, the same way every time for the same user and run', async () => {
    // Prepare: application-incomplete's push has two variants, 50/50.
    const started = {
      registeredAt: '2026-10-01T18:00:00.000Z',
      lastLoginAt: '2026-11-19T18:00:00.000Z',
      applicationStartedAt: '2026-11-19T18:00:00.000Z',
    };
    const users = Array.from({ length: 60 }, (_, index) =>
      reachableOn(`user-${index}`, ['push'], { lifecycle: started }),
    );
    const variantsOnce = async () => {
      await local.rekindle.resetData(RUN_START);
      await local.rekindle.importUsers(users);
      await local.rekindle.runCampaign('application-incomplete', runInput, { simulator: silent() });
      return Object.fromEntries(
        (await local.rekindle.sandboxMessages()).map((message) => [message.userId, message.variant]),
      );
    };

    // Act
    const first = await variantsOnce();
    const second = await variantsOnce();

    // Assess
    const counts: Record<string, number> = {};
    for (const variant of Object.values(first)) counts[variant] = (counts[variant] ?? 0) + 1;
    expect(Object.keys(counts).sort()).toEqual(['almost-there', 'saved']);
    expect(counts.saved).toBeGreaterThan(15);
    expect(counts['almost-there']).toBeGreaterThan(15);
    expect(second).toEqual(first);
  });

  it('creates one call task per remaining user with queue, priority, last touches and offer, open for the call window', async () => {
    // Prepare: credited-no-drawdown calls in the telesales queue with a cash coupon.
    const credited = {
      registeredAt: '2026-10-01T18:00:00.000Z',
      lastLoginAt: '2026-11-15T18:00:00.000Z',
      creditGrantedAt: '2026-11-15T18:00:00.000Z',
    };
    await local.rekindle.importUsers([
      reachableOn('valuable', ['sms', 'call'], { lifecycle: credited, valueTier: 'high', ring: 'inner' }),
      reachableOn('ordinary', ['call'], {
        lifecycle: credited,
        valueTier: 'low',
        ring: 'outer',
        locale: 'en-US',
      }),
    ]);

    // Act
    const result = await local.rekindle.runCampaign('credited-no-drawdown', runInput, {
      simulator: silent(),
    });

    // Assess
    const tasks = await local.rekindle.callTasks();
    expect(tasks).toHaveLength(2);
    const ordinary = tasks.find((task) => task.userId === 'ordinary');
    const valuable = tasks.find((task) => task.userId === 'valuable');
    expect(ordinary).toMatchObject({
      queue: 'telesales',
      priority: 5,
      campaignId: 'credited-no-drawdown',
      lastTouches: [],
      offer: { kind: 'cash-coupon', amount: 100, currency: 'MXN' },
      script:
        'Remind the customer of their approved line and a MXN 100 cash coupon; ask what would make them use it.',
    });
    expect(valuable).toMatchObject({
      priority: 1,
      lastTouches: [{ channel: 'sms', sentAt: '2026-11-22T17:00:00.000Z' }],
    });
    for (const task of tasks) {
      expect(Date.parse(task.expiresAt) - Date.parse(task.createdAt)).toBe(2 * 86_400_000);
      // Nobody worked it in the call window: the run expired it and took it off the agents' queue.
      expect(task).toMatchObject({ status: 'expired', expiredAt: expect.any(String) });
      expect(task).not.toHaveProperty('openQueue');
    }
    expect(result.output?.touches.map((touch) => touch.sent)).toEqual([
      { sms: 1, call: 1 },
      { call: 1 },
      {},
      {},
    ]);
  });

  it('ends every enrolled user in a terminal state', async () => {
    // Prepare
    await local.rekindle.importUsers(
      generatePopulation({ seed: 5, runDate: RUN_DATE, timeZone: TIME_ZONE, size: 200 }),
    );

    // Act
    const result = await local.rekindle.runCampaign(CAMPAIGN, runInput, { simulator: new UserSimulator(5) });

    // Assess
    const batches = (await local.rekindle.scanTable('Enrollments')) as unknown as EnrollmentBatch[];
    const members = batches.flatMap((batch) => batch.members);
    const states = batches.flatMap((batch) => Object.values(batch.terminal ?? {}));
    expect(members.length).toBe(result.output?.cohortSize);
    expect(states).toHaveLength(members.length);
    expect(new Set(states.map((state) => state.status))).toEqual(
      new Set(['converted', 'completed', 'exited']),
    );
    expect(result.output?.totalConverted).toBe(states.filter((state) => state.status === 'converted').length);
  });

  it('gives the same result for the same seed', async () => {
    // Prepare
    const population = generatePopulation({ seed: 11, runDate: RUN_DATE, timeZone: TIME_ZONE, size: 200 });
    const runOnce = async () => {
      await local.rekindle.resetData(RUN_START);
      await local.rekindle.importUsers(population);
      const result = await local.rekindle.runCampaign(CAMPAIGN, runInput, {
        simulator: new UserSimulator(11, { push: { click: 0.4 }, sms: { click: 0.3 } }),
      });
      return {
        summary: result.output,
        messages: await local.rekindle.sandboxMessages(),
        calls: await local.rekindle.callTasks(),
      };
    };

    // Act
    const first = await runOnce();
    const second = await runOnce();

    // Assess
    expect(first.summary?.totalConverted).toBeGreaterThan(0);
    expect(second).toEqual(first);
  });
});
