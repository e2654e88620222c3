import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../functions/campaign/run';
import { LocalRekindle } from '../local/runtime';
import { CAMPAIGN, campaignsWithoutHoldout, RUN_DATE, RUN_START, TIME_ZONE } from './support/local-rekindle';
import { reachableOn } from './support/users';

const context = {} as { rekindle: LocalRekindle };

// Touch 2's send step is down for two hours from its first invocation: every retry fails, so the run fails.
beforeAll(async () => {
  context.rekindle = await LocalRekindle.start({
    clockStart: RUN_START,
    campaigns: campaignsWithoutHoldout,
    faults: { seed: 1, rates: {}, outages: [{ handler: 'send-touch', touch: 2, minutes: 120 }] },
  });
});
afterAll(async () => {
  await context.rekindle?.stop();
});

const sentPerKey = (messages: readonly { runId: string; touch: number; userId: string }[]) =>
  messages.map((message) => `${message.runId}|${message.touch}|${message.userId}`);

describe('a run that failed after its retries', () => {
  it('is redriven from the state that failed and finishes, sending nobody twice', async () => {
    // Prepare: 30 people on push then SMS (touch 1 push, touch 2 SMS).
    const { rekindle } = context;
    await rekindle.importUsers(
      Array.from({ length: 30 }, (_, index) => reachableOn(`user-${index}`, ['push', 'sms'])),
    );
    const failed = await rekindle.runCampaign(CAMPAIGN, { runDate: RUN_DATE, timeZone: TIME_ZONE });
    const before = await rekindle.sandboxMessages();

    // Act: the operator redrives it three hours later, once the send step is back.
    const at = new Date(rekindle.clock.now().getTime() + 3 * 60 * 60 * 1000);
    const redriven = await rekindle.redrive(failed, at);

    // Assert
    expect(failed).toMatchObject({
      status: 'FAILED',
      error: { name: 'Lambda.Unknown' },
      failedState: { name: 'SendTouch2' },
    });
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((message) => message.touch === 1)).toBe(true);
    expect(redriven.status).toBe('SUCCEEDED');
    expect(redriven.executionName).toBe(failed.executionName);
    const after = await rekindle.sandboxMessages();
    const keys = sentPerKey(after);
    expect(new Set(keys).size).toBe(keys.length);
    expect(rekindle.faults?.duplicateSends()).toEqual([]);
    // Touch 1 was not sent again; touch 2 went out after the redrive, and the summary counts both.
    expect(after.filter((message) => message.touch === 1)).toEqual(before);
    const touch2 = after.filter((message) => message.touch === 2);
    expect(touch2.length).toBeGreaterThan(0);
    expect(touch2.every((message) => message.sentAt >= at.toISOString())).toBe(true);
    const summary = redriven.output as RunSummary;
    expect(summary.touches[0]?.sent.push).toBe(before.length);
    expect(summary.touches[1]?.sent.sms).toBe(touch2.length);
    expect(summary.cohortSize).toBe(30);
    const [record] = (await rekindle.scanTable('Runs')).filter((item) => item.record === 'run');
    expect(record).toMatchObject({ status: 'completed', executionName: failed.executionName });
  });

  it('cannot be redriven twice into a second run, nor started again by another execution', async () => {
    // Act
    const again = await context.rekindle.runCampaign(CAMPAIGN, { runDate: RUN_DATE, timeZone: TIME_ZONE });

    // Assert
    expect(again).toMatchObject({ status: 'FAILED', error: { name: 'RunAlreadyStarted' } });
    await expect(context.rekindle.redrive({ ...again, failedState: undefined })).rejects.toThrow(
      'Only a failed run can be redriven',
    );
  });
});
