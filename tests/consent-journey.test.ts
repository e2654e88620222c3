import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { InboundEvent } from '../local/inbound-events';
import { UserSimulator } from '../local/user-simulator';
import { CAMPAIGN, RUN_DATE, TIME_ZONE, useLocalRekindle } from './support/local-rekindle';
import { aUser, reachableOn } from './support/users';

const local = useLocalRekindle();
const runInput = { runDate: RUN_DATE, timeZone: TIME_ZONE };
/** Simulated users who never answer, never convert and never opt out: only scripted events happen. */
const silent = () =>
  new UserSimulator(
    1,
    Object.fromEntries(['push', 'sms', 'email', 'call'].map((channel) => [channel, { click: 0, optOut: 0 }])),
    0,
  );
const pushResults = JSON.parse(
  readFileSync(path.join(import.meta.dirname, 'fixtures', 'pinpoint-send-messages-results.json'), 'utf8'),
);
const pinpointResult = (name: string) => {
  const { _confidence, ...result } = pushResults[name];
  return result;
};

/** Every touch that reached each user, as "touch:channel", from the sandbox and the call-task queue. */
const touchesByUser = async () => {
  const byUser: Record<string, string[]> = {};
  const record = (userId: string, entry: string) => {
    byUser[userId] = [...(byUser[userId] ?? []), entry];
  };
  for (const message of await local.rekindle.sandboxMessages())
    record(message.userId, `${message.touch}:${message.channel}`);
  for (const task of await local.rekindle.callTasks())
    record(task.userId, `${task.touchId.split('|t')[1]?.split('#')[0]}:call`);
  return Object.fromEntries(Object.entries(byUser).map(([userId, entries]) => [userId, entries.sort()]));
};
const userNamed = async (userId: string) =>
  (await local.rekindle.users()).find((user) => user.userId === userId) as Record<string, never>;

// registered-no-visit sends touch 1 (push) on 11-22, touch 2 (SMS) on 11-23, touch 3 (email) on 11-25 and
// touch 4 (call) on 11-28, each at 11:00 local = 17:00Z.
describe('consent, honoured at the very next send', () => {
  it('skips a channel turned off between two touches as opted-out, and the ladder goes on with the next one', async () => {
    // Prepare
    await local.rekindle.importUsers([aUser('a'), aUser('b')]);
    local.rekindle.script([
      {
        type: 'consent',
        userId: 'a',
        channel: 'sms',
        granted: false,
        source: 'app-settings',
        occurredAt: '2026-11-22T20:00:00.000Z',
      },
    ]);

    // Act
    const result = await local.rekindle.runCampaign(CAMPAIGN, runInput, { simulator: silent() });

    // Assess
    expect(await touchesByUser()).toEqual({
      a: ['1:push', '3:email', '4:call'],
      b: ['1:push', '2:sms', '3:email', '4:call'],
    });
    expect(result.output?.touches[1]).toMatchObject({
      sent: { sms: 1 },
      skipped: { 'opted-out': 1 },
      optedOut: { sms: 1 },
    });
    expect(result.output?.touches.map((touch) => touch.optedOut)).toEqual([{}, { sms: 1 }, {}, {}]);
    expect(result.output).toMatchObject({ completed: 2 });
  });

  it('turns SMS off on a STOP or BAJA reply, for the rest of this run and every later one', async () => {
    // Prepare: a replies STOP and b replies "baja" to the SMS of touch 2.
    await local.rekindle.importUsers([
      aUser('a', { contact: { phone: '+525511110001', email: 'a@example.com' } }),
      aUser('b', { contact: { phone: '+525511110002', email: 'b@example.com' } }),
    ]);
    const reply = (phone: string, body: string, id: string): InboundEvent => ({
      type: 'sms-inbound',
      occurredAt: '2026-11-23T18:00:00.000Z',
      message: {
        originationNumber: phone,
        destinationNumber: '+12065550100',
        messageKeyword: 'KEYWORD_111122223333',
        messageBody: body,
        inboundMessageId: id,
      },
    });
    local.rekindle.script([reply('+525511110001', 'STOP', 'in-1'), reply('+525511110002', 'baja ', 'in-2')]);

    // Act: the day's run, then a run for both users alone three weeks later.
    await local.rekindle.runCampaign(CAMPAIGN, runInput, { simulator: silent() });
    const later = await local.rekindle.runCampaign(
      CAMPAIGN,
      { runDate: '2026-12-14', userIds: ['a', 'b'] },
      { simulator: silent() },
    );

    // Assess: SMS was a rung of neither ladder in the later run.
    const sms = (await local.rekindle.sandboxMessages()).filter((message) => message.channel === 'sms');
    expect(sms.map((message) => `${message.userId}@${message.runId.split('#')[1]}`).sort()).toEqual([
      'a@2026-11-22',
      'b@2026-11-22',
    ]);
    expect(later.output?.touches[1]?.sent).toEqual({ email: 2 });
    for (const userId of ['a', 'b']) {
      expect(await userNamed(userId)).toMatchObject({
        consents: { sms: false },
        consentSources: { sms: 'sms-keyword' },
      });
    }
    // (Link previews fetching SMS links are received too; the replies are what this is about.)
    const replies = local.rekindle.feed.received.filter(({ event }) => event.type === 'sms-inbound');
    expect(replies.map((event) => event.result)).toMatchObject([
      [{ keyword: 'opt-out', usersChanged: ['a'] }],
      [{ keyword: 'opt-out', usersChanged: ['b'] }],
    ]);
  });

  it('turns SMS off when the provider refuses a number on its opt-out list, and skips the touch as opted-out', async () => {
    // Prepare: the number texted STOP before it was a's (seeded at 16:30Z), so only the provider's list knows.
    await local.rekindle.importUsers([reachableOn('a', ['sms', 'email'])]);
    local.rekindle.script([
      {
        type: 'sms-inbound',
        occurredAt: '2026-11-22T16:35:00.000Z',
        message: {
          originationNumber: '+525500000001',
          destinationNumber: '+12065550100',
          messageBody: 'STOP',
          inboundMessageId: 'before-import',
        },
      },
      {
        type: 'profile',
        userId: 'a',
        occurredAt: '2026-11-22T16:40:00.000Z',
        contact: { phone: '+525500000001' },
      },
    ]);

    // Act
    const result = await local.rekindle.runCampaign(CAMPAIGN, runInput, { simulator: silent() });

    // Assess
    expect(await touchesByUser()).toEqual({ a: ['2:email'] });
    expect(result.output?.touches[0]).toMatchObject({ skipped: { 'opted-out': 1 }, optedOut: { sms: 1 } });
    expect(await userNamed('a')).toMatchObject({
      consents: { sms: false },
      consentSources: { sms: 'sms-opt-out-list' },
    });
  });

  it('removes a push token the platform reports unregistered, so the user counts as uninstalled', async () => {
    // Prepare: a's token is gone; b's token gives a configuration error, which says nothing about b.
    await local.rekindle.importUsers([aUser('a'), aUser('b'), aUser('c')]);
    local.rekindle.script([
      {
        type: 'push-result',
        occurredAt: '2026-11-22T12:00:00.000Z',
        token: 'token-a',
        result: pinpointResult('apnsUnregistered410'),
      },
      {
        type: 'push-result',
        occurredAt: '2026-11-22T12:00:00.000Z',
        token: 'token-b',
        result: pinpointResult('apnsBadDeviceToken400'),
      },
      {
        type: 'push-result',
        occurredAt: '2026-11-22T12:00:00.000Z',
        token: 'token-c',
        result: pinpointResult('fcmUnregistered404'),
      },
    ] as InboundEvent[]);

    // Act
    const result = await local.rekindle.runCampaign(CAMPAIGN, runInput, { simulator: silent() });

    // Assess: the touch was due on push; the next one goes on with SMS, not past it.
    expect(result.output?.touches[0]).toMatchObject({
      skipped: { 'opted-out': 2, 'send-failed': 1 },
      optedOut: { push: 2 },
    });
    expect(await touchesByUser()).toEqual({
      a: ['2:sms', '3:email', '4:call'],
      b: ['2:sms', '3:email', '4:call'],
      c: ['2:sms', '3:email', '4:call'],
    });
    expect((await userNamed('a')).push).toBeNull();
    expect((await userNamed('c')).push).toBeNull();
    expect((await userNamed('b')).push).toEqual({ token: 'token-b', platform: 'fcm' });
    expect(
      (await local.rekindle.consentChanges()).map((change) => [change.userId, change.change, change.source]),
    ).toEqual([
      ['a', 'push-removed', 'push-unregistered'],
      ['c', 'push-removed', 'push-unregistered'],
    ]);
  });

  it('keeps the replaced token Pinpoint reports with a delivered push', async () => {
    // Prepare
    await local.rekindle.importUsers([aUser('a')]);
    local.rekindle.script([
      {
        type: 'push-result',
        occurredAt: '2026-11-22T12:00:00.000Z',
        token: 'token-a',
        result: {
          DeliveryStatus: 'SUCCESSFUL',
          StatusCode: 200,
          MessageId: 'm-1',
          UpdatedToken: 'token-a-2',
        },
      },
    ]);

    // Act
    await local.rekindle.runCampaign(CAMPAIGN, runInput, { simulator: silent() });

    // Assess
    expect((await userNamed('a')).push).toEqual({ token: 'token-a-2', platform: 'fcm' });
  });

  it('turns email off on a one-click unsubscribe and on a complaint, and calls off on do-not-call', async () => {
    // Prepare: a unsubscribes from the touch 3 email before touch 4; b asks not to be called.
    await local.rekindle.importUsers([
      reachableOn('a', ['email', 'call']),
      reachableOn('b', ['email', 'call']),
    ]);
    local.rekindle.script([
      { type: 'unsubscribe', userId: 'a', occurredAt: '2026-11-22T18:00:00.000Z' },
      {
        type: 'consent',
        userId: 'b',
        channel: 'call',
        granted: false,
        source: 'do-not-call',
        occurredAt: '2026-11-22T18:30:00.000Z',
      },
    ]);

    // Act
    const result = await local.rekindle.runCampaign(CAMPAIGN, runInput, { simulator: silent() });

    // Assess: email went out at touch 1 for both; b's call rung is off by touch 2.
    expect(await touchesByUser()).toEqual({ a: ['1:email', '2:call'], b: ['1:email'] });
    expect(result.output?.touches[1]).toMatchObject({ optedOut: { call: 1 } });
    expect(await userNamed('a')).toMatchObject({
      consents: { email: false },
      consentSources: { email: 'unsubscribe-link' },
    });
    expect(await userNamed('b')).toMatchObject({
      consents: { call: false },
      consentSources: { call: 'do-not-call' },
    });
  });

  it('does not count a restated "off" as an opt-out: only a channel going from on to off does', async () => {
    // Prepare: b never had the app; a nightly sync restates that after the run started.
    await local.rekindle.importUsers([reachableOn('b', ['sms', 'email'])]);
    local.rekindle.script([
      {
        type: 'profile',
        userId: 'b',
        occurredAt: '2026-11-22T16:45:00.000Z',
        push: null,
        consents: { push: false },
      },
    ]);

    // Act
    const result = await local.rekindle.runCampaign(CAMPAIGN, runInput, { simulator: silent() });

    // Assess
    expect(await touchesByUser()).toEqual({ b: ['1:sms', '2:email'] });
    expect(result.output?.touches.map((touch) => touch.optedOut)).toEqual([{}, {}, {}, {}]);
  });

  it("lands a dead-token refusal only while that token is still the user's", async () => {
    // Prepare
    const { applyUserUpdate } = await import('../functions/users/user-update');
    await local.rekindle.importUsers([aUser('a')]);
    const stillOld = (user: { push: { token: string } | null }) => user.push?.token === 'token-a';
    await applyUserUpdate({
      userId: 'a',
      occurredAt: '2026-11-22T16:40:00.000Z',
      source: 'profile',
      eventId: 'new-token',
      fields: { push: { token: 'token-a-new', platform: 'fcm' } },
      ifMissing: 'ignore',
    });

    // Act: the provider's answer about the old token arrives after the new registration.
    const refusal = await applyUserUpdate({
      userId: 'a',
      occurredAt: '2026-11-22T17:00:00.000Z',
      source: 'push-unregistered',
      eventId: 'refusal',
      fields: { push: null },
      ifMissing: 'ignore',
      appliesTo: stillOld,
    });

    // Assess
    expect(refusal.outcome).toBe('not-applicable');
    expect((await userNamed('a')).push).toEqual({ token: 'token-a-new', platform: 'fcm' });
  });
});
