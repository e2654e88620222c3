import { describe, expect, it } from 'vitest';
import { jsonFixture } from './support/fixtures';
import { useLocalRekindle } from './support/local-rekindle';
import { aUser } from './support/users';

const local = useLocalRekindle();
const fixture = jsonFixture;
const permanentBounce = fixture('eventbridge-ses-bounce-permanent.json');
const transientBounce = fixture('eventbridge-ses-bounce-transient.json');
const complaint = fixture('eventbridge-ses-complaint.json');

/** The event with its `mail.tags` replaced. */
const withTags = (event: typeof permanentBounce, tags: Record<string, string[]>) => ({
  ...event,
  detail: { ...event.detail, mail: { ...event.detail.mail, tags } },
});

const invokeRecorder = async (event: unknown) => {
  const { handler } = await import('../functions/handlers/record-email-feedback');
  return handler(event, {} as never);
};
const tables = async () => ({
  users: await local.rekindle.scanTable('Users'),
  trail: await local.rekindle.scanTable('ConsentChanges'),
});

describe('SES bounces and complaints', () => {
  it('turns email off on a permanent bounce, for the user named by the base64url user tag', async () => {
    // Prepare: the fixture's tag "dS0x" is base64url("u-1").
    await local.rekindle.importUsers([
      aUser('u-1', { contact: { phone: '+525512345678', email: 'ana@example.com' } }),
      aUser('u-2'),
    ]);

    // Act
    const result = await invokeRecorder(permanentBounce);

    // Assess
    expect(result).toEqual({
      messageId: '0100019a-ses-msg-1',
      eventType: 'Bounce',
      result: 'email-off',
      userId: 'u-1',
    });
    const users = await local.rekindle.scanTable('Users');
    expect(
      Object.fromEntries(users.map((user) => [user.userId, (user.consents as { email: boolean }).email])),
    ).toEqual({
      'u-1': false,
      'u-2': true,
    });
    expect(await local.rekindle.scanTable('ConsentChanges')).toEqual([
      expect.objectContaining({
        userId: 'u-1',
        channel: 'email',
        change: 'consent-withdrawn',
        source: 'ses-bounce',
        occurredAt: '2026-11-23T18:00:02.500Z',
        eventId: '0100019a-ses-msg-1#Bounce',
      }),
    ]);
  });

  it('ignores a bounce of an address the user has since replaced', async () => {
    // Prepare
    await local.rekindle.importUsers([aUser('u-1', { contact: { email: 'new-address@example.com' } })]);
    const before = await tables();

    // Act
    const result = await invokeRecorder(permanentBounce);

    // Assess
    expect(result).toMatchObject({ result: 'ignored', reason: 'address-replaced', userId: 'u-1' });
    expect(await tables()).toEqual(before);
  });

  it('turns email off on a complaint, with its own source', async () => {
    await local.rekindle.importUsers([
      aUser('u-1', { contact: { phone: '+525512345678', email: 'ana@example.com' } }),
    ]);
    expect(await invokeRecorder(complaint)).toMatchObject({ eventType: 'Complaint', result: 'email-off' });
    expect(await local.rekindle.scanTable('ConsentChanges')).toEqual([
      expect.objectContaining({
        userId: 'u-1',
        channel: 'email',
        source: 'ses-complaint',
        occurredAt: '2026-11-23T19:09:58.000Z',
        eventId: '0100019a-ses-msg-1#Complaint',
      }),
    ]);
  });

  it.each([
    ['transient', transientBounce, 'transient-bounce'],
    [
      'undetermined',
      {
        ...transientBounce,
        detail: {
          ...transientBounce.detail,
          bounce: {
            ...transientBounce.detail.bounce,
            bounceType: 'Undetermined',
            bounceSubType: 'Undetermined',
          },
        },
      },
      'undetermined-bounce',
    ],
  ])('changes nothing on a %s bounce, and says why', async (_case, event, reason) => {
    // Prepare
    await local.rekindle.importUsers([
      aUser('u-1', { contact: { phone: '+525512345678', email: 'ana@example.com' } }),
    ]);
    const before = await tables();

    // Act
    const result = await invokeRecorder(event);

    // Assess
    expect(result).toMatchObject({ result: 'ignored', reason, userId: 'u-1' });
    expect(await tables()).toEqual(before);
  });

  it('writes nothing for email sent without the user tag', async () => {
    await local.rekindle.importUsers([
      aUser('u-1', { contact: { phone: '+525512345678', email: 'ana@example.com' } }),
    ]);
    const before = await tables();
    const { user: _user, ...tags } = permanentBounce.detail.mail.tags;
    expect(await invokeRecorder(withTags(permanentBounce, tags))).toMatchObject({
      result: 'unknown-user',
      reason: 'no-user-tag',
    });
    expect(await tables()).toEqual(before);
  });

  it('writes nothing for a tagged user who does not exist', async () => {
    await local.rekindle.importUsers([
      aUser('u-1', { contact: { phone: '+525512345678', email: 'ana@example.com' } }),
    ]);
    const before = await tables();
    const tags = { ...permanentBounce.detail.mail.tags, user: [Buffer.from('u-404').toString('base64url')] };
    expect(await invokeRecorder(withTags(permanentBounce, tags))).toMatchObject({
      result: 'unknown-user',
      reason: 'user-not-found',
      userId: 'u-404',
    });
    expect(await tables()).toEqual(before);
  });

  it('changes nothing twice when EventBridge redelivers the event', async () => {
    // Prepare
    await local.rekindle.importUsers([
      aUser('u-1', { contact: { phone: '+525512345678', email: 'ana@example.com' } }),
    ]);
    await invokeRecorder(permanentBounce);
    const after = await tables();

    // Act
    const again = await invokeRecorder(permanentBounce);

    // Assess
    expect(again).toMatchObject({ result: 'unchanged', userId: 'u-1' });
    expect(await tables()).toEqual(after);
  });

  const detailOf = (changes: Record<string, unknown>) => ({
    ...permanentBounce,
    detail: { ...permanentBounce.detail, ...changes },
  });
  it.each([
    [
      'an envelope without detail-type',
      { ...permanentBounce, 'detail-type': undefined },
      /^envelope detail-type: /,
    ],
    ['an unknown event type', detailOf({ eventType: 'Delivery' }), /^detail\.eventType: /],
    ['a bounce without its bounce object', detailOf({ bounce: undefined }), /^detail\.bounce: /],
    [
      'an unknown bounce type',
      detailOf({ bounce: { ...permanentBounce.detail.bounce, bounceType: 'Hard' } }),
      /^detail\.bounce\.bounceType: /,
    ],
    [
      'a bounce with a bad timestamp',
      detailOf({ bounce: { ...permanentBounce.detail.bounce, timestamp: 'soon' } }),
      /^detail\.bounce\.timestamp: must be an ISO 8601/,
    ],
    [
      'mail without a message id',
      detailOf({ mail: { ...permanentBounce.detail.mail, messageId: undefined } }),
      /^detail\.mail\.messageId: /,
    ],
    [
      'mail without tags',
      detailOf({ mail: { ...permanentBounce.detail.mail, tags: undefined } }),
      /^detail\.mail\.tags: /,
    ],
    [
      'a user tag that is not base64url',
      withTags(permanentBounce, { user: ['u 1!'] }),
      /^mail\.tags\.user: must be one base64url user id$/,
    ],
  ])(
    'rejects %s with InvalidEmailFeedback naming the field, and writes nothing',
    async (_case, event, message) => {
      // Prepare
      await local.rekindle.importUsers([
        aUser('u-1', { contact: { phone: '+525512345678', email: 'ana@example.com' } }),
      ]);
      const before = await tables();

      // Act
      const recording = invokeRecorder(event);

      // Assess
      await expect(recording).rejects.toMatchObject({
        name: 'InvalidEmailFeedback',
        message: expect.stringMatching(message),
      });
      expect(await tables()).toEqual(before);
    },
  );
});
