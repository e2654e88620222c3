import { describe, expect, it } from 'vitest';
import type { Campaign } from '../functions/campaign/definition';
import type { Run } from '../functions/campaign/run';
import type { ChannelSenders, OutboundMessage } from '../functions/channels/channel';
import { defaultFrequencyCaps } from '../functions/guardrails/frequency-caps';
import { defaultQuietHours } from '../functions/guardrails/quiet-hours';
import { validateCampaign } from '../statemachines/campaigns';
import { campaign as registeredNoVisit } from '../statemachines/campaigns/registered-no-visit';
import { CAMPAIGN, RUN_DATE, RUN_ID, RUN_START, TIME_ZONE, useLocalRekindle } from './support/local-rekindle';
import { aUser } from './support/users';

const local = useLocalRekindle();
const runInput = { runDate: RUN_DATE, timeZone: TIME_ZONE };

const dataTables = ['Runs', 'Enrollments', 'Touches', 'Contacts', 'CallTasks', 'SandboxOutbox'];
const itemCounts = async () =>
  Object.fromEntries(
    await Promise.all(
      dataTables.map(async (table) => [table, (await local.rekindle.scanTable(table)).length]),
    ),
  );

describe('a run', () => {
  it('started twice (scheduler retry, double console launch) enrolls and messages nobody twice', async () => {
    // Prepare
    await local.rekindle.importUsers([aUser('a'), aUser('b')]);
    const first = await local.rekindle.runCampaign(CAMPAIGN, runInput);
    const before = { counts: await itemCounts(), enrollments: await local.rekindle.scanTable('Enrollments') };

    // Act
    const second = await local.rekindle.runCampaign(CAMPAIGN, runInput);

    // Assess
    expect(first.status).toBe('SUCCEEDED');
    expect(second).toMatchObject({
      status: 'FAILED',
      error: {
        name: 'RunAlreadyStarted',
        message: `Run ${RUN_ID} has already started; nobody is enrolled twice`,
      },
    });
    expect(await itemCounts()).toEqual(before.counts);
    expect(await local.rekindle.scanTable('Enrollments')).toEqual(before.enrollments);
  });

  it.each([
    [{ runDate: '2026-13-01' }, /^runDate: must be a real calendar date/],
    [{ runDate: '22/11/2026' }, /^runDate: must be a date as YYYY-MM-DD/],
    [{ timeZone: 'Mars/Olympus' }, /^timeZone: must be an IANA time zone/],
    [{ timeZone: 'Europe/Madrid' }, /^timeZone: campaign registered-no-visit runs in America\/Mexico_City/],
    [{ runDtae: '2026-11-22' }, /^runDtae: unknown field/],
    [{ dryRun: 'yes' }, /^dryRun: /],
    [{ userIds: [] }, /^userIds: /],
    [{ userIds: ['a', 'a'] }, /^userIds: must not repeat a user id/],
    [{ limit: 0 }, /^limit: /],
    [{ limit: 2.5 }, /^limit: /],
    [[1, 2], /^\(root\): /],
  ])(
    'rejects the malformed input %j with InvalidRunInput naming the field, and writes nothing',
    async (input, message) => {
      // Prepare
      await local.rekindle.importUsers([aUser('a')]);

      // Act
      const result = await local.rekindle.runCampaign(CAMPAIGN, input);

      // Assess
      expect(result.status).toBe('FAILED');
      expect(result.error?.name).toBe('InvalidRunInput');
      expect(result.error?.message).toMatch(message);
      expect(await itemCounts()).toEqual({
        Runs: 0,
        Enrollments: 0,
        Touches: 0,
        Contacts: 0,
        CallTasks: 0,
        SandboxOutbox: 0,
      });
    },
  );

  it('with nobody to enroll ends straight away with an empty summary', async () => {
    // Act
    const result = await local.rekindle.runCampaign(CAMPAIGN, runInput);

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({
      cohortSize: 0,
      totalConverted: 0,
      touches: [{ sent: {} }, {}, {}, {}],
    });
    expect(result.stats.childExecutions).toBe(0);
    expect(local.rekindle.clock.now()).toEqual(RUN_START);
  });

  it('defaults to today in the campaign time zone when the console input is empty', async () => {
    const result = await local.rekindle.runCampaign(CAMPAIGN, {});
    expect(result.output).toMatchObject({ runId: RUN_ID, runDate: RUN_DATE, timeZone: TIME_ZONE });
  });

  it('as a dry run selects and renders every touch but sends nothing, waits for nothing and blocks nothing', async () => {
    // Prepare
    await local.rekindle.importUsers([aUser('a'), aUser('b', { push: null })]);

    // Act
    const dry = await local.rekindle.runCampaign(CAMPAIGN, { ...runInput, dryRun: true });

    // Assess
    expect(dry.output).toMatchObject({ dryRun: true, cohortSize: 2 });
    expect(dry.output?.runId).toMatch(new RegExp(`^${RUN_ID}#dry-run-`));
    expect(dry.output?.touches.map((touch) => touch.sent)).toEqual([
      { push: 1, sms: 1 },
      { sms: 1, email: 1 },
      { email: 1, call: 1 },
      { call: 1 },
    ]);
    expect(await local.rekindle.sandboxMessages()).toEqual([]);
    expect(await local.rekindle.callTasks()).toEqual([]);
    expect(await local.rekindle.scanTable('Contacts')).toEqual([]);
    expect(local.rekindle.clock.now()).toEqual(RUN_START);
    // The real run of the day is still free to start, and sends.
    const real = await local.rekindle.runCampaign(CAMPAIGN, runInput);
    expect(real.output?.runId).toBe(RUN_ID);
    expect((await local.rekindle.sandboxMessages()).length).toBeGreaterThan(0);
  });
});

describe('the send step', () => {
  const campaign: Campaign = validateCampaign({ ...registeredNoVisit, holdoutPercent: 0 });
  const run: Run = {
    runId: RUN_ID,
    campaign,
    runDate: RUN_DATE,
    timeZone: TIME_ZONE,
    startedAt: RUN_START.toISOString(),
    dryRun: false,
  };
  const inWindow = new Date('2026-11-22T17:05:00Z');
  const guardrails = { quietHours: defaultQuietHours, frequencyCaps: defaultFrequencyCaps };
  const enroll = async (userIds: string[]) => {
    const { claimRun } = await import('../functions/data/runs');
    const { selectAudience } = await import('../functions/campaign/audience');
    await local.rekindle.importUsers(userIds.map((userId) => aUser(userId)));
    await claimRun(run, 'test-execution');
    await selectAudience(run, RUN_START);
  };
  const recordingSenders = (sent: OutboundMessage[], fail = false) => {
    const sender = {
      send: async (message: OutboundMessage) => {
        if (fail) throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
        sent.push(message);
        return { messageId: `m-${sent.length}` };
      },
    };
    return { push: sender, sms: sender, email: sender, call: sender } as ChannelSenders;
  };

  it('sends at most once per (run, touch, user), also when a batch is retried', async () => {
    // Prepare
    const { sendTouchToBatch } = await import('../functions/campaign/send-touch');
    await enroll(['a', 'b']);
    const sent: OutboundMessage[] = [];

    // Act
    const first = await sendTouchToBatch(run, 1, 1, recordingSenders(sent), inWindow, guardrails);
    const retry = await sendTouchToBatch(run, 1, 1, recordingSenders(sent), inWindow, guardrails);

    // Assess: the retry finds the chunk's results and reports them again, sending nothing.
    expect(first).toMatchObject({ sent: { push: 2 }, skipped: {}, active: 2 });
    expect(retry).toEqual(first);
    expect(sent.map((message) => message.userId).sort()).toEqual(['a', 'b']);
  });

  it('goes on after the channel of a touch recorded before results named their ladder step (a run in flight at a deploy)', async () => {
    // Prepare: touch 1 as the previous version recorded it, without `rung`.
    const { sendTouchToBatch } = await import('../functions/campaign/send-touch');
    const { claimTouchChunk, recordTouchResults } = await import('../functions/data/touches');
    await enroll(['a']);
    const chunk = {
      runId: RUN_ID,
      batch: 1,
      touch: 1,
      chunk: 1,
      userIds: ['a'],
      status: 'claimed' as const,
      claimedAt: inWindow.toISOString(),
    };
    await claimTouchChunk(chunk);
    await recordTouchResults(chunk, {
      a: { channel: 'push', variant: 'default', messageId: 'm-0', sentAt: inWindow.toISOString() } as never,
    });
    const sent: OutboundMessage[] = [];

    // Act
    await sendTouchToBatch(run, 2, 1, recordingSenders(sent), inWindow, guardrails);

    // Assess: SMS, not push again.
    expect(sent.map((message) => message.channel)).toEqual(['sms']);
  });

  it('reports a chunk claimed by an attempt that died, and does not send it again', async () => {
    // Prepare: a claim without results, as a crash between claim and results leaves it.
    const { sendTouchToBatch } = await import('../functions/campaign/send-touch');
    const { claimTouchChunk } = await import('../functions/data/touches');
    await enroll(['a', 'b']);
    await claimTouchChunk({
      runId: RUN_ID,
      batch: 1,
      touch: 1,
      chunk: 1,
      userIds: ['a', 'b'],
      status: 'claimed',
      claimedAt: inWindow.toISOString(),
    });
    const sent: OutboundMessage[] = [];

    // Act
    const outcome = await sendTouchToBatch(run, 1, 1, recordingSenders(sent), inWindow, guardrails);

    // Assess
    expect(outcome.skipped).toEqual({ 'already-claimed': 2 });
    expect(sent).toEqual([]);
    const { closeBatch } = await import('../functions/campaign/closing');
    const closing = await closeBatch(run, 1, inWindow);
    expect(closing.exited).toEqual({ 'already-claimed': 2 });
  });

  it('passes over users outside their send window and records failed sends, without retrying them', async () => {
    // Prepare
    const { sendTouchToBatch } = await import('../functions/campaign/send-touch');
    await enroll(['a']);

    // Act
    const outsideWindow = await sendTouchToBatch(
      run,
      1,
      1,
      recordingSenders([], true),
      RUN_START,
      guardrails,
    );
    const failed = await sendTouchToBatch(run, 2, 1, recordingSenders([], true), inWindow, guardrails);

    // Assess
    expect(outsideWindow).toMatchObject({ skipped: { 'outside-send-window': 1 }, active: 1 });
    expect(failed).toMatchObject({ skipped: { 'send-failed': 1 }, active: 1 });
    const { queryTouchChunks } = await import('../functions/data/touches');
    const chunks = await queryTouchChunks(RUN_ID, 1);
    // Each skip names the ladder step it was due on: touch 1 push, so touch 2 went on to SMS.
    expect(chunks.map((chunk) => chunk.results)).toEqual([
      { a: { skipped: 'outside-send-window', channel: 'push', rung: 0 } },
      { a: { skipped: 'send-failed', channel: 'sms', rung: 1 } },
    ]);
  });
});
