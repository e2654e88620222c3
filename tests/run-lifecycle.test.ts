import { describe, expect, it } from 'vitest';
import type { Campaign } from '../functions/campaign/definition';
import type { Run } from '../functions/campaign/run';
import type { ChannelSenders, OutboundMessage } from '../functions/channels/channel';
import { validateCampaign } from '../statemachines/campaigns';
import { registeredNoVisit } from '../statemachines/campaigns/registered-no-visit';
import { CAMPAIGN, RUN_DATE, RUN_START, TIME_ZONE, useLocalRekindle } from './support/local-rekindle';
import { aUser } from './support/users';

const local = useLocalRekindle();
const runInput = { runDate: RUN_DATE, timeZone: TIME_ZONE };
const dormant = { lifecycle: { registeredAt: '2026-11-01T18:00:00.000Z' } };

const dataTables = ['Runs', 'Enrollments', 'Touches', 'SandboxOutbox'];
const itemCounts = async () =>
  Object.fromEntries(
    await Promise.all(
      dataTables.map(async (table) => [table, (await local.rekindle.scanTable(table)).length]),
    ),
  );

describe('a run', () => {
  it('started twice (scheduler retry, double console launch) enrolls and messages nobody twice', async () => {
    // Prepare
    await local.rekindle.importUsers([aUser('a', dormant), aUser('b', dormant)]);
    const first = await local.rekindle.runCampaign(CAMPAIGN, runInput);
    const before = { counts: await itemCounts(), enrollments: await local.rekindle.scanTable('Enrollments') };

    // Act
    const second = await local.rekindle.runCampaign(CAMPAIGN, runInput);

    // Assess
    expect(first.status).toBe('SUCCEEDED');
    expect(second).toEqual({
      status: 'FAILED',
      error: {
        name: 'RunAlreadyStarted',
        message: `Run ${CAMPAIGN}#${RUN_DATE}#${TIME_ZONE} has already started; nobody is enrolled twice`,
      },
    });
    expect(await itemCounts()).toEqual(before.counts);
    expect(await local.rekindle.scanTable('Enrollments')).toEqual(before.enrollments);
  });

  it.each([
    [{ runDate: '2026-13-01' }, 'InvalidRunInput', /^runDate: must be a real calendar date/],
    [{ runDate: '22/11/2026' }, 'InvalidRunInput', /^runDate: must be a date as YYYY-MM-DD/],
    [{ timeZone: 'Mars/Olympus' }, 'InvalidRunInput', /^timeZone: must be an IANA time zone/],
    [
      { timeZone: 'Europe/Madrid' },
      'InvalidRunInput',
      /^timeZone: campaign registered-no-visit runs in America\/Mexico_City/,
    ],
    [{ runDtae: '2026-11-22' }, 'InvalidRunInput', /^runDtae: unknown field/],
    [[1, 2], 'InvalidRunInput', /^\(root\): /],
  ])(
    'rejects the malformed input %j with a named error naming the field, and writes nothing',
    async (input, name, message) => {
      // Prepare
      await local.rekindle.importUsers([aUser('a', dormant)]);

      // Act
      const result = await local.rekindle.runCampaign(CAMPAIGN, input);

      // Assess
      expect(result.status).toBe('FAILED');
      expect(result.error?.name).toBe(name);
      expect(result.error?.message).toMatch(message);
      expect(await itemCounts()).toEqual({ Runs: 0, Enrollments: 0, Touches: 0, SandboxOutbox: 0 });
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
      steps: [{ sent: 0 }, { sent: 0 }],
    });
    expect(local.rekindle.clock.now()).toEqual(RUN_START);
  });

  it('defaults to today in the campaign time zone when the console input is empty', async () => {
    // Act
    const result = await local.rekindle.runCampaign(CAMPAIGN, {});

    // Assess
    expect(result.output).toMatchObject({ runDate: RUN_DATE, timeZone: TIME_ZONE });
  });
});

describe('the send step', () => {
  it('sends at most once per (run, step, user), also when a batch is retried', async () => {
    // Prepare: enroll two users the way the state machine does, then send the same batch twice.
    const { claimRun } = await import('../functions/data/runs');
    const { selectAudience } = await import('../functions/campaign/audience');
    const { sendStepToBatch } = await import('../functions/campaign/send-step');
    await local.rekindle.importUsers([aUser('a', dormant), aUser('b', dormant)]);
    const campaign: Campaign = validateCampaign(registeredNoVisit);
    const run: Run = {
      runId: `${CAMPAIGN}#${RUN_DATE}#${TIME_ZONE}`,
      campaign,
      runDate: RUN_DATE,
      timeZone: TIME_ZONE,
      startedAt: RUN_START.toISOString(),
    };
    await claimRun(run);
    await selectAudience(run, RUN_START);
    const sent: OutboundMessage[] = [];
    const recording = {
      send: async (message: OutboundMessage) => {
        sent.push(message);
        return { messageId: `m-${sent.length}` };
      },
    };
    const senders: ChannelSenders = { push: recording, sms: recording };
    const inWindow = new Date('2026-11-22T17:05:00Z');

    // Act
    const first = await sendStepToBatch(run, 'push', 1, senders, inWindow);
    const retry = await sendStepToBatch(run, 'push', 1, senders, inWindow);

    // Assess
    expect(first).toMatchObject({ sent: 2, skipped: {} });
    expect(retry).toMatchObject({ sent: 0, skipped: { 'already-touched': 2 } });
    expect(sent.map((message) => message.userId).sort()).toEqual(['a', 'b']);
  });

  it('leaves a user untouched outside their send window, and a failed send is recorded, not retried', async () => {
    // Prepare
    const { claimRun } = await import('../functions/data/runs');
    const { selectAudience } = await import('../functions/campaign/audience');
    const { sendStepToBatch } = await import('../functions/campaign/send-step');
    await local.rekindle.importUsers([aUser('a', dormant)]);
    const run: Run = {
      runId: `${CAMPAIGN}#${RUN_DATE}#${TIME_ZONE}`,
      campaign: validateCampaign(registeredNoVisit),
      runDate: RUN_DATE,
      timeZone: TIME_ZONE,
      startedAt: RUN_START.toISOString(),
    };
    await claimRun(run);
    await selectAudience(run, RUN_START);
    const failing = {
      send: async () => {
        throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
      },
    };

    // Act
    const outsideWindow = await sendStepToBatch(run, 'push', 1, { push: failing, sms: failing }, RUN_START);
    const failed = await sendStepToBatch(
      run,
      'push',
      1,
      { push: failing, sms: failing },
      new Date('2026-11-22T17:05:00Z'),
    );
    const again = await sendStepToBatch(
      run,
      'push',
      1,
      { push: failing, sms: failing },
      new Date('2026-11-22T17:06:00Z'),
    );

    // Assess
    expect(outsideWindow.skipped).toEqual({ 'outside-send-window': 1 });
    expect(failed.skipped).toEqual({ 'send-failed': 1 });
    expect(again.skipped).toEqual({ 'already-touched': 1 });
    expect(await local.rekindle.scanTable('Touches')).toMatchObject([
      { status: 'failed', failure: 'ThrottlingException' },
    ]);
  });
});
