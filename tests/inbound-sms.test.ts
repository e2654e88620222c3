import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useLocalRekindle } from './support/local-rekindle';
import { aUser } from './support/users';

const local = useLocalRekindle();
const fixture = JSON.parse(
  readFileSync(path.join(import.meta.dirname, 'fixtures', 'sns-end-user-messaging-inbound-sms.json'), 'utf8'),
);
const [record] = fixture.Records;
const fixtureMessage = JSON.parse(record.Sns.Message);

/** The fixture's SNS delivery with the inbound SMS changed as given (one message id per reply by default). */
const reply = (changes: Record<string, unknown> = {}, sns: Record<string, unknown> = {}) => ({
  Records: [
    {
      ...record,
      Sns: { ...record.Sns, Message: JSON.stringify({ ...fixtureMessage, ...changes }), ...sns },
    },
  ],
});
const withBody = (messageBody: string, inboundMessageId = `inbound-${messageBody}`) =>
  reply({ messageBody, inboundMessageId });

const invokeRecorder = async (event: unknown) => {
  const { handler } = await import('../functions/handlers/record-inbound-sms');
  return handler(event, {} as never);
};
const smsConsents = async () =>
  Object.fromEntries(
    (await local.rekindle.scanTable('Users')).map((user) => [
      user.userId,
      (user.consents as { sms: boolean }).sms,
    ]),
  );

describe('inbound SMS replies', () => {
  it('turns SMS off on STOP, exactly as End User Messaging publishes it, and records the trail', async () => {
    // Prepare
    await local.rekindle.importUsers([aUser('u-1')]);

    // Act
    const result = await invokeRecorder(fixture);

    // Assess
    expect(result).toEqual([
      {
        inboundMessageId: fixtureMessage.inboundMessageId,
        keyword: 'opt-out',
        usersFound: 1,
        usersChanged: ['u-1'],
      },
    ]);
    expect(await smsConsents()).toEqual({ 'u-1': false });
    expect(await local.rekindle.scanTable('ConsentChanges')).toEqual([
      expect.objectContaining({
        userId: 'u-1',
        channel: 'sms',
        change: 'consent-withdrawn',
        source: 'sms-keyword',
        occurredAt: record.Sns.Timestamp,
        eventId: fixtureMessage.inboundMessageId,
      }),
    ]);
  });

  it.each([
    ['BAJA', 'baja'],
    ['ALTO with accents and punctuation', '  Álto!  ya no'],
    ['CANCELAR', 'Cancelar por favor'],
    ['OPT-OUT', 'opt-out'],
    ['STOPALL', 'StopAll'],
  ])('treats %s as an opt-out', async (_case, body) => {
    await local.rekindle.importUsers([aUser('u-1')]);
    const [result] = await invokeRecorder(withBody(body));
    expect(result).toMatchObject({ keyword: 'opt-out', usersChanged: ['u-1'] });
    expect(await smsConsents()).toEqual({ 'u-1': false });
  });

  it.each(['START', 'unstop', 'Alta'])('turns SMS back on with %s after an SMS opt-out', async (body) => {
    // Prepare: u-1 texted STOP; u-2 shares the phone but never agreed to SMS.
    await local.rekindle.importUsers([
      aUser('u-1'),
      aUser('u-2', { consents: { push: true, sms: false, email: true, call: true } }),
    ]);
    await invokeRecorder(reply({ inboundMessageId: 'in-stop' }, { Timestamp: '2026-11-23T18:00:00.000Z' }));

    // Act
    const [result] = await invokeRecorder(
      reply({ messageBody: body, inboundMessageId: `in-${body}` }, { Timestamp: '2026-11-23T19:00:00.000Z' }),
    );

    // Assess: START undoes the STOP; it grants nothing u-2 never agreed to.
    expect(result).toMatchObject({ keyword: 'opt-in', usersChanged: ['u-1'] });
    expect(await smsConsents()).toEqual({ 'u-1': true, 'u-2': false });
    expect(
      (await local.rekindle.scanTable('ConsentChanges')).map((change) => [change.userId, change.change]),
    ).toEqual([
      ['u-1', 'consent-withdrawn'],
      ['u-1', 'consent-granted'],
    ]);
  });

  it.each(['HELP', 'Hola, ¿cuál es mi saldo?', '', 'STOPPED'])(
    'ignores a reply that is no keyword: %j',
    async (body) => {
      // Prepare
      await local.rekindle.importUsers([aUser('u-1')]);
      const before = await local.rekindle.scanTable('Users');

      // Act
      const [result] = await invokeRecorder(withBody(body, 'inbound-chat'));

      // Assess
      expect(result).toEqual({
        inboundMessageId: 'inbound-chat',
        keyword: 'other',
        ignored: 'not-a-keyword',
        usersFound: 0,
        usersChanged: [],
      });
      expect(await local.rekindle.scanTable('Users')).toEqual(before);
      expect(await local.rekindle.scanTable('ConsentChanges')).toEqual([]);
    },
  );

  it('ignores STOP from a number no user has', async () => {
    await local.rekindle.importUsers([aUser('u-1')]);
    const before = await local.rekindle.scanTable('Users');
    const [result] = await invokeRecorder(reply({ originationNumber: '+14155550123' }));
    expect(result).toMatchObject({ keyword: 'opt-out', ignored: 'unknown-phone', usersChanged: [] });
    expect(await local.rekindle.scanTable('Users')).toEqual(before);
    expect(await local.rekindle.scanTable('ConsentChanges')).toEqual([]);
  });

  it('turns SMS off for everyone who shares the phone, and no one else', async () => {
    // Prepare: two users share the fixture's number, a third has another.
    await local.rekindle.importUsers([
      aUser('u-1'),
      aUser('u-2'),
      aUser('u-3', { contact: { phone: '+525598765432', email: 'u-3@example.com' } }),
    ]);

    // Act
    const [result] = await invokeRecorder(fixture);

    // Assess
    expect(result).toMatchObject({ usersFound: 2, usersChanged: expect.arrayContaining(['u-1', 'u-2']) });
    expect(await smsConsents()).toEqual({ 'u-1': false, 'u-2': false, 'u-3': true });
  });

  it('changes nothing twice when SNS redelivers the reply', async () => {
    // Prepare
    await local.rekindle.importUsers([aUser('u-1')]);
    await invokeRecorder(fixture);
    const users = await local.rekindle.scanTable('Users');
    const trail = await local.rekindle.scanTable('ConsentChanges');

    // Act
    const [again] = await invokeRecorder(fixture);

    // Assess
    expect(again).toMatchObject({ keyword: 'opt-out', usersFound: 1, usersChanged: [] });
    expect(await local.rekindle.scanTable('Users')).toEqual(users);
    expect(await local.rekindle.scanTable('ConsentChanges')).toEqual(trail);
  });

  it('keeps the later statement when START arrives before an older STOP', async () => {
    await local.rekindle.importUsers([aUser('u-1')]);
    await invokeRecorder(reply({ inboundMessageId: 'in-0' }, { Timestamp: '2026-11-23T17:00:00.000Z' }));
    await invokeRecorder(
      reply({ messageBody: 'START', inboundMessageId: 'in-2' }, { Timestamp: '2026-11-23T19:00:00.000Z' }),
    );
    const [stale] = await invokeRecorder(
      reply({ inboundMessageId: 'in-1' }, { Timestamp: '2026-11-23T18:00:00.000Z' }),
    );
    expect(stale).toMatchObject({ keyword: 'opt-out', usersChanged: [] });
    expect(await smsConsents()).toEqual({ 'u-1': true });
  });

  it.each([
    ['no Records', {}, /^Records: /],
    ['an empty Records list', { Records: [] }, /^Records: /],
    [
      'a Message that is not JSON',
      reply({}, { Message: 'STOP' }),
      /^Records\.0\.Sns\.Message: must be a JSON inbound SMS$/,
    ],
    [
      'a missing originationNumber',
      reply({ originationNumber: undefined }),
      /^Records\.0\.Sns\.Message\.originationNumber: /,
    ],
    [
      'a phone that is not E.164',
      reply({ originationNumber: '5512345678' }),
      /^Records\.0\.Sns\.Message\.originationNumber: must be an E\.164/,
    ],
    ['a missing messageBody', reply({ messageBody: undefined }), /^Records\.0\.Sns\.Message\.messageBody: /],
    ['a numeric messageBody', reply({ messageBody: 42 }), /^Records\.0\.Sns\.Message\.messageBody: /],
    [
      'an empty inboundMessageId',
      reply({ inboundMessageId: '' }),
      /^Records\.0\.Sns\.Message\.inboundMessageId: /,
    ],
    ['a bad Timestamp', reply({}, { Timestamp: 'yesterday' }), /^Records\.0\.Sns\.Timestamp: /],
    [
      'a record from another source',
      { Records: [{ ...record, EventSource: 'aws:sqs' }] },
      /^Records\.0\.EventSource: /,
    ],
  ])(
    'rejects %s with InvalidInboundSms naming the field, and writes nothing',
    async (_case, event, message) => {
      // Prepare
      await local.rekindle.importUsers([aUser('u-1')]);
      const before = await local.rekindle.scanTable('Users');

      // Act
      const recording = invokeRecorder(event);

      // Assess
      await expect(recording).rejects.toMatchObject({
        name: 'InvalidInboundSms',
        message: expect.stringMatching(message),
      });
      expect(await local.rekindle.scanTable('Users')).toEqual(before);
      expect(await local.rekindle.scanTable('ConsentChanges')).toEqual([]);
    },
  );

  it('writes nothing when any record of a delivery is malformed', async () => {
    await local.rekindle.importUsers([aUser('u-1')]);
    const [bad] = reply({ originationNumber: 'nope' }).Records;
    await expect(invokeRecorder({ Records: [record, bad] })).rejects.toMatchObject({
      name: 'InvalidInboundSms',
      message: expect.stringMatching(/^Records\.1\.Sns\.Message\.originationNumber: /),
    });
    expect(await smsConsents()).toEqual({ 'u-1': true });
  });
});
