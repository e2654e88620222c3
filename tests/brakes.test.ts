import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../functions/campaign/run';
import type { InboundEvent } from '../local/inbound-events';
import { CAMPAIGN, RUN_DATE, RUN_ID, TIME_ZONE, useLocalRekindle } from './support/local-rekindle';
import { reachableOn } from './support/users';

const local = useLocalRekindle();

/** An `operator` line of an events file: what the ops CLI does, at a virtual time. */
const operator = (action: 'pause' | 'resume' | 'stop', occurredAt: string, target: Record<string, unknown>) =>
  ({ type: 'operator', action, occurredAt, ...target }) as InboundEvent;

const usersOn = (count: number, channels: ('push' | 'sms' | 'email' | 'call')[]) =>
  Array.from({ length: count }, (_, index) =>
    reachableOn(`user-${String(index).padStart(3, '0')}`, channels),
  );

const run = async () => {
  const result = await local.rekindle.runCampaign(CAMPAIGN, { runDate: RUN_DATE, timeZone: TIME_ZONE });
  expect(result.status).toBe('SUCCEEDED');
  return result.output as RunSummary;
};

// Touch 1 of registered-no-visit is sent at 11:00 in Mexico City (17:00Z); the run starts at 10:30.
const TOUCH_1 = '2026-11-22T17:00:00.000Z';

describe('a pause', () => {
  it('holds a touch already under way before its next chunk; after the resume the rest get it once, at the next send moment', async () => {
    // Prepare: 120 push users in one batch (chunks of 25); the operator pauses while the 30th push goes out,
    // and resumes at 12:30 local, after the morning window closed.
    await local.rekindle.importUsers(usersOn(120, ['push']));
    let accepted = 0;
    local.rekindle.feed.onAccepted = async () => {
      accepted += 1;
      if (accepted === 30)
        await local.rekindle.receive(
          operator('pause', TOUCH_1, { campaignId: CAMPAIGN, reason: 'wrong offer' }),
        );
    };
    local.rekindle.script([operator('resume', '2026-11-22T18:30:00.000Z', { campaignId: CAMPAIGN })]);

    // Act
    const summary = await run();

    // Assess: the chunk under way finished (50 sent), the other 70 waited for the evening window (19:00 local).
    const pushes = (await local.rekindle.sandboxMessages()).filter((message) => message.touch === 1);
    expect(new Set(pushes.map((message) => message.userId)).size).toBe(120);
    expect(pushes).toHaveLength(120);
    // By the minute: push is paced at 1,000 a second, a millisecond apart.
    const sentAt = new Map<string, number>();
    for (const message of pushes) {
      const minute = message.sentAt.slice(0, 16);
      sentAt.set(minute, (sentAt.get(minute) ?? 0) + 1);
    }
    expect(Object.fromEntries(sentAt)).toEqual({ [TOUCH_1.slice(0, 16)]: 50, '2026-11-23T01:00': 70 });
    const [touch1] = summary.touches;
    expect(touch1?.sent).toEqual({ push: 120 });
    expect(touch1?.skipped).toEqual({});
    // Held from the pause to the first look after the resume (the run looks every 5 minutes).
    expect(touch1?.heldMinutes).toBeGreaterThanOrEqual(90);
    expect(touch1?.heldMinutes).toBeLessThanOrEqual(95);
    expect(summary.brakes.holds).toEqual([
      // From where the touch's sends stopped (its 50th push) in simulated time.
      expect.objectContaining({
        touch: 1,
        since: pushes.filter((message) => message.sentAt < '2026-11-23').at(-1)?.sentAt,
        ending: 'resumed',
        minutes: touch1?.heldMinutes,
      }),
    ]);
    expect(local.rekindle.feed.received.map((event) => event.result)).toEqual([
      { done: expect.stringContaining('Paused campaign registered-no-visit') },
      { done: expect.stringContaining('Resumed campaign registered-no-visit') },
    ]);
  });

  it('takes effect within a second inside a chunk under way: the chunk’s later sends wait for the resume', async () => {
    // Prepare: 60 SMS users; SMS is paced at 20 a second, so a chunk of 25 takes 1.25 s. The operator pauses
    // as the 5th SMS goes out, and resumes at 12:30 local.
    await local.rekindle.importUsers(usersOn(60, ['sms']));
    let pausedAt: string | undefined;
    local.rekindle.feed.onAccepted = async (message) => {
      if (pausedAt !== undefined || message.channel !== 'sms') return;
      pausedAt = message.sentAt;
      await local.rekindle.receive(operator('pause', message.sentAt, { campaignId: CAMPAIGN }));
    };
    local.rekindle.script([operator('resume', '2026-11-22T18:30:00.000Z', { campaignId: CAMPAIGN })]);

    // Act
    const summary = await run();

    // Assess: the first chunk stopped at its first brakes read after the pause (its slots a second on),
    // short of its 25th SMS; everyone else, the rest of that chunk included, got the SMS once in the evening.
    const sms = (await local.rekindle.sandboxMessages()).filter((message) => message.touch === 1);
    expect(sms).toHaveLength(60);
    expect(new Set(sms.map((message) => message.userId)).size).toBe(60);
    const morning = sms.filter((message) => message.sentAt < '2026-11-23');
    expect(morning.length).toBeGreaterThanOrEqual(5);
    expect(morning.length).toBeLessThan(25);
    const lastMorning = Date.parse(morning.at(-1)?.sentAt ?? '');
    expect(lastMorning - Date.parse(pausedAt ?? '')).toBeLessThanOrEqual(1_000 + 50);
    expect(sms.slice(morning.length).every((message) => message.sentAt >= '2026-11-23T01:00')).toBe(true);
    const [touch1] = summary.touches;
    expect(touch1?.sent).toEqual({ sms: 60 });
    expect(touch1?.skipped).toEqual({});
    expect(touch1?.heldMinutes).toBeGreaterThan(0);
    // The held members of the first chunk went out in a retry chunk of their own, once.
    const chunks = await local.rekindle.scanTable('Touches');
    expect(chunks.some((chunk) => chunk.touchChunk === 't1#c10001' && chunk.results !== undefined)).toBe(
      true,
    );
  });

  it('of the whole stack holds every run until resumed; a dry run still renders', async () => {
    // Prepare: the stack is paused before the day's runs start and resumed at 10:00 local the next day.
    await local.rekindle.importUsers(usersOn(20, ['push']));
    local.rekindle.script([
      operator('pause', '2026-11-22T16:00:00.000Z', { all: true }),
      operator('resume', '2026-11-23T16:00:00.000Z', { all: true }),
    ]);

    // Act
    const [real, dry] = await local.rekindle.runCampaigns([
      { campaignId: CAMPAIGN, input: { runDate: RUN_DATE, timeZone: TIME_ZONE } },
      { campaignId: CAMPAIGN, input: { runDate: RUN_DATE, timeZone: TIME_ZONE, dryRun: true } },
    ]);

    // Assess: nothing went out on the paused day; every push at the next day's first window.
    const pushes = await local.rekindle.sandboxMessages();
    expect(pushes).toHaveLength(20);
    expect(new Set(pushes.map((message) => message.sentAt.slice(0, 16)))).toEqual(
      new Set(['2026-11-23T17:00']),
    );
    expect(real?.output?.touches[0]?.sent).toEqual({ push: 20 });
    expect(real?.output?.brakes.heldMinutes).toBeGreaterThanOrEqual(23 * 60);
    expect(dry?.output?.dryRun).toBe(true);
    expect(dry?.output?.touches[0]?.sent).toEqual({ push: 20 });
    expect(dry?.output?.brakes.heldMinutes).toBe(0);
  });
});

describe('a stop', () => {
  it('ends the run at its next step: nothing more is sent, every remaining member ends stopped, the run closes at once', async () => {
    // Prepare: touch 1 (push) goes out at 11:00 local; the operator stops the run at 14:00 local.
    await local.rekindle.importUsers(usersOn(30, ['push', 'sms', 'email', 'call']));
    const stopAt = '2026-11-22T20:00:00.000Z';
    local.rekindle.script([
      operator('stop', stopAt, { runId: RUN_ID }),
      // Asked again after the run closed: refused, as the CLI refuses it.
      operator('stop', '2026-12-10T00:00:00.000Z', { runId: RUN_ID }),
    ]);

    // Act
    const summary = await run();
    await local.rekindle.drainScriptedEvents();

    // Assess
    const messages = await local.rekindle.sandboxMessages();
    expect(messages).toHaveLength(30);
    expect(messages.every((message) => message.touch === 1 && message.sentAt < stopAt)).toBe(true);
    expect(await local.rekindle.callTasks()).toEqual([]);
    expect(summary.touches.map((touch) => [touch.sent, touch.skipped])).toEqual([
      [{ push: 30 }, {}],
      [{}, { stopped: 30 }],
      [{}, {}],
      [{}, {}],
    ]);
    expect(summary.exited).toEqual({ stopped: 30 });
    expect(summary.completed).toBe(0);
    expect(summary.brakes).toMatchObject({ stoppedAt: stopAt, stoppedBy: 'events-file' });
    // Closed when touch 2 was due (a day after touch 1's last push), not after the 3-day conversion window.
    const touch2Due = new Date(Date.parse(messages.at(-1)?.sentAt ?? '') + 24 * 60 * 60 * 1000).toISOString();
    expect(touch2Due.slice(0, 16)).toBe('2026-11-23T17:00');
    const [record] = (await local.rekindle.scanTable('Runs')).filter((item) => item.record === 'run');
    expect(record).toMatchObject({ status: 'stopped', completedAt: touch2Due });
    expect(record?.openRun).toBeUndefined();
    // The closed run's stop left the brakes item every send step reads; its own item keeps it.
    const controls = await local.rekindle.scanTable('Controls');
    expect(controls.sort((a, b) => String(a.scope).localeCompare(String(b.scope)))).toEqual([
      { scope: 'brakes' },
      expect.objectContaining({ scope: `run#${RUN_ID}`, stopRequestedAt: stopAt }),
    ]);
    expect(local.rekindle.feed.received.map((event) => event.result)).toEqual([
      { done: expect.stringContaining(`Stop requested for ${RUN_ID}`) },
      { refused: `RunNotOpen: Run ${RUN_ID} is already stopped; only an open run can be stopped` },
    ]);
  });

  it('refuses a run that never started and writes nothing', async () => {
    // Act
    const result = await local.rekindle.receive(
      operator('stop', '2026-11-22T16:00:00.000Z', { runId: 'no-such-run' }),
    );

    // Assess
    expect(result).toEqual({
      refused: 'RunNotOpen: Run no-such-run never started; only an open run can be stopped',
    });
    const controls = await local.rekindle.scanTable('Controls');
    expect(controls.sort((a, b) => String(a.scope).localeCompare(String(b.scope)))).toEqual([]);
  });
});
