import { describe, expect, it } from 'vitest';
import { compareVariants, type FunnelRow, funnelByChannel, funnelOf } from '../functions/campaign/funnel';
import { differenceInterval } from '../functions/campaign/lift';
import type { TouchChunk } from '../functions/campaign/touch';
import type { DeliveryKind } from '../functions/channels/delivery-events';
import { userHashOf } from '../functions/links/tracked-link';
import { campaign } from '../statemachines/campaigns/registered-no-visit';

const RUN_ID = 'registered-no-visit#2026-11-22#America/Mexico_City';
const T1 = '2026-11-22T17:00:00.000Z';
const T2 = '2026-11-25T17:00:00.000Z';
const sent = (
  channel: 'push' | 'sms' | 'email',
  rung: number,
  variant: string,
  messageId: string,
  sentAt: string,
) => ({
  channel,
  rung,
  variant,
  messageId,
  sentAt,
});
const chunk = (touch: number, results: TouchChunk['results']): TouchChunk => ({
  runId: RUN_ID,
  batch: 1,
  touch,
  chunk: 1,
  status: 'done',
  claimedAt: touch === 1 ? T1 : T2,
  results,
});

describe('a run’s funnel', () => {
  it('counts each touch × channel × variant × offer from the chunks, the delivery records and the lifecycles', () => {
    // Prepare, by hand: touch 1 pushes a and b (variants default, short) and texts c, d, e; touch 2 emails
    // a and c. Push: a clicks and logs in; SMS: c delivered and clicked, d's carrier failed, e no word yet,
    // a link preview fetched d's and e's links; email: a delivered and opened, c bounced; c applies after
    // touch 2, a logged in before it.
    const ladder = campaign.steps.filter((step) => step.type === 'channel').map((step) => step.channel);
    const rung = (channel: string) => ladder.indexOf(channel as never);
    const chunks = [
      chunk(1, {
        a: sent('push', rung('push'), 'default', 'p-a', T1),
        b: sent('push', rung('push'), 'short', 'p-b', T1),
        c: sent('sms', rung('sms'), 'default', 's-c', T1),
        d: sent('sms', rung('sms'), 'default', 's-d', T1),
        e: sent('sms', rung('sms'), 'default', 's-e', T1),
        f: { skipped: 'unreachable' },
      }),
      chunk(2, {
        a: sent('email', rung('email'), 'default', 'e-a', T2),
        c: sent('email', rung('email'), 'default', 'e-c', T2),
      }),
    ];
    const deliveries = new Map<string, Partial<Record<DeliveryKind, string>>>([
      ['s-c', { delivered: '2026-11-22T17:00:05.000Z' }],
      ['s-d', { failed: '2026-11-22T17:01:00.000Z' }],
      ['e-a', { sent: T2, delivered: '2026-11-25T17:00:02.000Z', opened: '2026-11-25T20:00:00.000Z' }],
      ['e-c', { sent: T2, bounced: '2026-11-25T17:00:03.000Z' }],
    ]);
    const clicks = new Map([
      [
        1,
        new Map([
          [userHashOf('a'), { clickedAt: '2026-11-22T18:00:00.000Z' }],
          [userHashOf('c'), { clickedAt: '2026-11-22T19:00:00.000Z', scannerAt: '2026-11-22T17:00:04.000Z' }],
          [userHashOf('e'), { scannerAt: '2026-11-22T17:00:03.000Z' }],
        ]),
      ],
      // The bounced email's link was fetched by nobody; c's second touch has no click of its own.
      [2, new Map([[userHashOf('z'), { clickedAt: '2026-11-25T18:00:00.000Z' }]])],
    ]);
    const lifecycles = new Map([
      ['a', { lastLoginAt: '2026-11-22T18:05:00.000Z' }],
      ['c', { lastLoginAt: '2026-11-26T10:00:00.000Z', lastCreditApplyAt: '2026-11-26T10:30:00.000Z' }],
    ]);

    // Act
    const rows = funnelOf({ campaign: { steps: campaign.steps }, chunks, deliveries, clicks, lifecycles });

    // Assess
    const offerOf = (channel: string) => {
      const step = campaign.steps.find(
        (candidate) => candidate.type === 'channel' && candidate.channel === channel,
      );
      return step && 'offer' in step && step.offer ? expect.any(String) : null;
    };
    const base = {
      clicked: 0,
      scanned: 0,
      attempted: null,
      reached: null,
      notInterested: null,
      loggedIn: 0,
      applied: 0,
      drewDown: 0,
    };
    const noReport = { delivered: null, failed: null, unreported: null, opened: null };
    expect(rows).toEqual([
      {
        touch: 1,
        channel: 'push',
        variant: 'default',
        offer: offerOf('push'),
        sent: 1,
        ...noReport,
        ...base,
        clicked: 1,
        loggedIn: 1,
      },
      { touch: 1, channel: 'push', variant: 'short', offer: offerOf('push'), sent: 1, ...noReport, ...base },
      {
        touch: 1,
        channel: 'sms',
        variant: 'default',
        offer: offerOf('sms'),
        sent: 3,
        delivered: 1,
        failed: 1,
        unreported: 1,
        opened: null,
        ...base,
        clicked: 1,
        scanned: 2,
        loggedIn: 1,
        applied: 1,
      },
      {
        touch: 2,
        channel: 'email',
        variant: 'default',
        offer: offerOf('email'),
        sent: 2,
        delivered: 1,
        failed: 1,
        unreported: 0,
        opened: 1,
        ...base,
        loggedIn: 1,
        applied: 1,
      },
    ]);
    expect(funnelByChannel(rows).map((row) => [row.channel, row.sent, row.delivered, row.clicked])).toEqual([
      ['email', 2, 1, 0],
      ['push', 2, null, 1],
      ['sms', 3, 1, 1],
    ]);
  });

  it('counts the call rows from the calls agents recorded on the tasks: called, reached, and the reasons for no', () => {
    // Prepare: four call tasks of touch 4; a reached and said the rate was too high, b was busy then reached
    // and interested, c never answered, d was never called.
    const callRung = campaign.steps.filter((step) => step.type === 'channel').length - 1;
    const call = (messageId: string) => ({
      channel: 'call' as const,
      rung: callRung,
      variant: 'default',
      messageId,
      sentAt: T2,
    });
    const chunks = [chunk(4, { a: call('t-a'), b: call('t-b'), c: call('t-c'), d: call('t-d') })];
    const made = (disposition: string, reason?: string) => ({
      at: T2,
      by: 'agent-ana',
      disposition: disposition as never,
      ...(reason ? { reason } : {}),
    });
    const callTasks = new Map([
      ['t-a', { calls: [made('reached-not-interested', 'rate-too-high')] }],
      ['t-b', { calls: [made('busy'), made('reached-interested')] }],
      ['t-c', { calls: [made('no-answer'), made('no-answer'), made('no-answer')] }],
      ['t-d', { calls: [] }],
    ]);

    // Act
    const [row, ...others] = funnelOf({
      campaign: { steps: campaign.steps },
      chunks,
      deliveries: new Map(),
      clicks: new Map(),
      callTasks,
      lifecycles: new Map(),
    });

    // Assess
    expect(others).toEqual([]);
    expect(row).toMatchObject({
      channel: 'call',
      sent: 4,
      attempted: 3,
      reached: 2,
      notInterested: { 'rate-too-high': 1 },
    });
    expect(funnelByChannel([row as FunnelRow, row as FunnelRow])[0]).toMatchObject({
      attempted: 6,
      reached: 4,
      notInterested: { 'rate-too-high': 2 },
    });
  });

  it('compares copy variants against the baseline with Newcombe’s interval', () => {
    // Prepare: touch 1 push, variant short clicked by 30 of 100, default by 20 of 100; SMS sent one variant.
    const row = (
      variant: string,
      sent: number,
      clicked: number,
      channel: 'push' | 'sms' = 'push',
    ): FunnelRow => ({
      touch: 1,
      channel,
      variant,
      offer: null,
      sent,
      delivered: null,
      failed: null,
      unreported: null,
      opened: null,
      clicked,
      scanned: 0,
      attempted: null,
      reached: null,
      notInterested: null,
      loggedIn: Math.floor(clicked / 2),
      applied: 0,
      drewDown: 0,
    });

    // Act
    const comparisons = compareVariants([
      row('short', 100, 30),
      row('default', 100, 20),
      row('default', 50, 5, 'sms'),
    ]);

    // Assess: only the push touch has two variants; default is the baseline and carries no lift.
    const [low, high] = differenceInterval(30, 100, 20, 100);
    expect(comparisons).toEqual([
      {
        touch: 1,
        channel: 'push',
        variant: 'default',
        baseline: 'default',
        sent: 100,
        clicked: 20,
        loggedIn: 10,
      },
      {
        touch: 1,
        channel: 'push',
        variant: 'short',
        baseline: 'default',
        sent: 100,
        clicked: 30,
        loggedIn: 15,
        clicks: {
          points: 10,
          low: Math.round(low * 1000) / 10,
          high: Math.round(high * 1000) / 10,
          tooSmallToTell: true,
        },
        logins: expect.objectContaining({ points: 5 }),
      },
    ]);
    expect(low).toBeLessThan(0);
  });
});
