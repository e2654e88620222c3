import { describe, expect, it } from 'vitest';
import type { CampaignInput } from '../functions/campaign/definition';
import { SEND_BUDGET_MS } from '../functions/pacing/send-rates';
import {
  busiestSecond,
  CAMPAIGN,
  campaignsWithoutHoldout,
  RUN_DATE,
  TIME_ZONE,
  useLocalRekindle,
  usersOn,
} from './support/local-rekindle';

const base = campaignsWithoutHoldout.find((campaign) => campaign.id === CAMPAIGN) as CampaignInput;
/**
 * A one-minute morning window: at 1 SMS a second it holds 60, and two chunks of 25 (a chunk is reserved
 * whole, so the third waits for the next window).
 */
const minuteWindow = (id: string, carryOverWindows: number): CampaignInput => ({
  ...base,
  id,
  sendWindows: [{ start: '11:00', end: '11:01' }],
  carryOverWindows,
});
const local = useLocalRekindle(
  [base, minuteWindow('carry-three-windows', 3), minuteWindow('carry-two-windows', 2)],
  { sendRates: { sms: 1 } },
);

const run = async (campaignId: string) => {
  const result = await local.rekindle.runCampaign(campaignId, { runDate: RUN_DATE, timeZone: TIME_ZONE });
  expect(result.status).toBe('SUCCEEDED');
  return result;
};

/** Messages of a touch by local day (YYYY-MM-DD in UTC, which is the same day here: 11:00 is 17:00Z). */
const perDay = (sentAt: string[]) => {
  const days: Record<string, number> = {};
  for (const at of sentAt) days[at.slice(0, 10)] = (days[at.slice(0, 10)] ?? 0) + 1;
  return days;
};

describe('a touch its window cannot hold', () => {
  it('carries the members not yet sent to the next send windows, and the next touch waits from its end', async () => {
    // Prepare: 150 users reachable by SMS and email; touch 1 is SMS at 1 a second in an 11:00–11:01 window.
    await local.rekindle.importUsers(await usersOn(150, ['sms', 'email']));

    // Act
    const { output } = await run('carry-three-windows');

    // Assess: 50 a window on three mornings, each member once, all inside the window, none over the rate.
    const messages = await local.rekindle.sandboxMessages();
    const sms = messages.filter((message) => message.touch === 1).map((message) => message.sentAt);
    expect(new Set(messages.filter((m) => m.touch === 1).map((m) => m.userId)).size).toBe(150);
    expect(perDay(sms)).toEqual({ '2026-11-22': 50, '2026-11-23': 50, '2026-11-24': 50 });
    expect(sms.every((at) => at.slice(11, 16) === '17:00')).toBe(true);
    expect(busiestSecond(sms)).toBe(1);
    const touch1 = output?.touches[0];
    expect(touch1).toMatchObject({ sent: { sms: 150 }, skipped: {}, windows: 3, carriedOver: 100 + 50 });
    // Touch 2 (email) waits its day from the end of touch 1 (its last SMS, the third morning), not its start.
    const emails = messages.filter((message) => message.touch === 2).map((message) => message.sentAt);
    expect(emails).toHaveLength(150);
    const touch1End = Date.parse(sms.at(-1) ?? '');
    expect(Date.parse(emails[0] ?? '')).toBeGreaterThanOrEqual(touch1End + 24 * 60 * 60 * 1000);
    expect(emails[0]?.slice(0, 10)).toBe('2026-11-25');
  });

  it('gives the rest up as `window-missed` after the campaign’s windows; they stay for the next touch', async () => {
    // Prepare
    await local.rekindle.importUsers(await usersOn(150, ['sms', 'email']));

    // Act
    const { output } = await run('carry-two-windows');

    // Assess: two mornings of 50, then 50 given up; the next touch offers them SMS again (the same step).
    const messages = await local.rekindle.sandboxMessages();
    const touch1 = messages.filter((message) => message.touch === 1);
    expect(perDay(touch1.map((message) => message.sentAt))).toEqual({ '2026-11-22': 50, '2026-11-23': 50 });
    expect(output?.touches[0]).toMatchObject({
      sent: { sms: 100 },
      skipped: { 'window-missed': 50 },
      windows: 2,
      carriedOver: 100,
    });
    const sentBefore = new Set(touch1.map((message) => message.userId));
    const missed = messages.filter((message) => message.touch === 2 && !sentBefore.has(message.userId));
    expect(missed).toHaveLength(50);
    expect(missed.every((message) => message.channel === 'sms')).toBe(true);
  });
});

describe('a 1 message a second channel', () => {
  it('sends a full batch of 500 at the rate in one window, no worker past its deadline', async () => {
    // Prepare: one batch of 500 SMS-only users; the 11:00–12:00 window holds 3,600 at 1 a second.
    await local.rekindle.importUsers(await usersOn(500, ['sms']));

    // Act
    const { output, stats } = await run(CAMPAIGN);

    // Assess: 500 SMS one second apart in one window; each worker's sends fit its budget, so the batch took
    // several passes of the Distributed Map, and none was cut off.
    const sms = (await local.rekindle.sandboxMessages()).filter((message) => message.touch === 1);
    expect(new Set(sms.map((message) => message.userId)).size).toBe(500);
    expect(busiestSecond(sms.map((message) => message.sentAt))).toBe(1);
    const span = Date.parse(sms.at(-1)?.sentAt ?? '') - Date.parse(sms[0]?.sentAt ?? '');
    expect(span / 1000).toBeLessThan(500 / 0.9);
    expect(output?.touches[0]).toMatchObject({ sent: { sms: 500 }, windows: 1, carriedOver: 0 });
    expect(stats.lambda['send-touch']?.longestMilliseconds).toBeLessThanOrEqual(SEND_BUDGET_MS);
    // Touch 1 took three passes (500 s of sends, 200 s a worker), touch 2 one (nobody left after it).
    expect(stats.lambda['send-touch']?.invocations).toBe(3 + 1);
  });
});
