import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../functions/campaign/run';
import type { InboundEvent } from '../local/inbound-events';
import {
  CAMPAIGN,
  campaignsWithoutHoldout,
  RUN_DATE,
  TIME_ZONE,
  useLocalRekindle,
} from './support/local-rekindle';
import { reachableOn } from './support/users';

// A stack configured to hold a paused touch for at most 2 hours (CDK context pauseLimitHours).
const local = useLocalRekindle(campaignsWithoutHoldout, { pauseLimitHours: 2 });

describe('a pause longer than the limit', () => {
  it('gives the held touch up: its members are skipped `paused`, stay in the run, and the next touch offers the same step', async () => {
    // Prepare: the campaign is paused before the run starts and resumed at 06:00 local the next day.
    const users = Array.from({ length: 10 }, (_, index) =>
      reachableOn(`user-${index}`, ['push', 'sms', 'email', 'call']),
    );
    await local.rekindle.importUsers(users);
    local.rekindle.script([
      { type: 'operator', action: 'pause', campaignId: CAMPAIGN, occurredAt: '2026-11-22T16:00:00.000Z' },
      { type: 'operator', action: 'resume', campaignId: CAMPAIGN, occurredAt: '2026-11-23T12:00:00.000Z' },
    ] as InboundEvent[]);

    // Act
    const result = await local.rekindle.runCampaign(CAMPAIGN, { runDate: RUN_DATE, timeZone: TIME_ZONE });

    // Assess
    const summary = result.output as RunSummary;
    const [touch1, touch2] = summary.touches;
    expect(touch1).toMatchObject({ sent: {}, skipped: { paused: 10 } });
    // Held from 11:00 local for the 2 hours, to the first look after them.
    expect(touch1?.heldMinutes).toBeGreaterThanOrEqual(120);
    expect(touch1?.heldMinutes).toBeLessThanOrEqual(125);
    expect(summary.brakes.holds).toEqual([expect.objectContaining({ touch: 1, ending: 'gave-up' })]);
    // Nobody left the run: touch 2 offers the push touch 1 could not send.
    expect(touch2).toMatchObject({ sent: { push: 10 }, skipped: {} });
    const messages = await local.rekindle.sandboxMessages();
    expect(messages.map((message) => `${message.touch}:${message.channel}`)).toEqual(
      expect.arrayContaining(['2:push', '3:sms', '4:email']),
    );
    expect(messages.filter((message) => message.touch === 1)).toEqual([]);
  });

  it('gives a touch up at once when it is paused again after its earlier holds used the limit up', async () => {
    // Prepare: paused 11:00–13:00 local (the whole 2 hours; the 13:00 look sees the resume), then paused
    // again at 19:00 local, when the touch goes on, and resumed at 06:00 the next day.
    await local.rekindle.importUsers(
      Array.from({ length: 10 }, (_, index) =>
        reachableOn(`user-${index}`, ['push', 'sms', 'email', 'call']),
      ),
    );
    local.rekindle.script([
      { type: 'operator', action: 'pause', campaignId: CAMPAIGN, occurredAt: '2026-11-22T17:00:00.000Z' },
      { type: 'operator', action: 'resume', campaignId: CAMPAIGN, occurredAt: '2026-11-22T19:00:00.000Z' },
      { type: 'operator', action: 'pause', campaignId: CAMPAIGN, occurredAt: '2026-11-23T01:00:00.000Z' },
      { type: 'operator', action: 'resume', campaignId: CAMPAIGN, occurredAt: '2026-11-23T12:00:00.000Z' },
    ] as InboundEvent[]);

    // Act
    const result = await local.rekindle.runCampaign(CAMPAIGN, { runDate: RUN_DATE, timeZone: TIME_ZONE });

    // Assess: the second hold began with the 2 hours used, so it ended at once, given up.
    const summary = result.output as RunSummary;
    expect(summary.touches[0]).toMatchObject({ sent: {}, skipped: { paused: 10 }, heldMinutes: 120 });
    expect(summary.brakes.holds).toEqual([
      expect.objectContaining({
        touch: 1,
        since: '2026-11-23T01:00:00.000Z',
        ending: 'gave-up',
        minutes: 120,
      }),
    ]);
    expect(summary.touches[1]).toMatchObject({ sent: { push: 10 } });
  });
});
