import { describe, expect, it } from 'vitest';
import { useLocalRekindle } from './support/local-rekindle';
import { aUser } from './support/users';

const local = useLocalRekindle();

/** The app-events rule's delivery of a detail, as EventBridge hands it to the function. */
const busEvent = (detail: unknown, id = 'event-1') => ({
  version: '0',
  id,
  'detail-type': 'app-event',
  source: 'app',
  account: '111122223333',
  time: '2026-11-22T18:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail,
});
const record = async (detail: unknown, id?: string) => {
  const { handler } = await import('../functions/handlers/record-app-event');
  return handler(busEvent(detail, id), {} as never);
};
const usersById = async () =>
  Object.fromEntries((await local.rekindle.scanTable('Users')).map((user) => [user.userId, user]));

describe('profile events', () => {
  it('create a user from the import-format fields, with nothing consented that was not stated', async () => {
    // Act
    const result = await record({
      type: 'profile',
      userId: 'new-1',
      occurredAt: '2026-11-22T18:00:00.000Z',
      timeZone: 'America/Mexico_City',
      locale: 'es-MX',
      contact: { phone: '+525512340001' },
      consents: { sms: true },
      lifecycle: { registeredAt: '2026-11-19T18:00:00.000Z' },
    });

    // Assess
    expect(result).toMatchObject({ result: 'created' });
    const user = (await usersById())['new-1'];
    expect(user).toMatchObject({
      contact: { phone: '+525512340001' },
      push: null,
      consents: { push: false, sms: true, email: false, call: false },
      consentSources: { sms: 'profile' },
      tags: [],
      dormancyKey: expect.stringMatching(/^registered-no-visit#America\/Mexico_City#\d+$/),
      dormantFrom: '2026-11-22',
      phoneKey: '+525512340001',
    });
    const trail = await local.rekindle.consentChanges();
    expect(trail).toMatchObject([
      { userId: 'new-1', channel: 'sms', change: 'consent-granted', source: 'profile' },
    ]);
  });

  it('update just the fields given, remove what is null, and keep the indexes true', async () => {
    // Prepare
    await local.rekindle.importUsers([aUser('u-1', { ring: 'inner', tags: ['payroll-account'] })]);

    // Act
    const result = await record({
      type: 'profile',
      userId: 'u-1',
      occurredAt: '2026-11-22T18:00:00.000Z',
      push: null,
      ring: null,
      contact: { phone: '+525599990000' },
      lifecycle: { lastLoginAt: '2026-11-22T17:59:00.000Z' },
    });

    // Assess
    expect(result).toMatchObject({
      result: 'recorded',
      changed: ['contact.phone', 'push', 'ring', 'lifecycle.lastLoginAt'],
    });
    const user = (await usersById())['u-1'];
    expect(user).toMatchObject({
      contact: { phone: '+525599990000', email: 'u-1@example.com' },
      push: null,
      tags: ['payroll-account'],
      phoneKey: '+525599990000',
    });
    expect(user?.ring).toBeUndefined();
    // Logged in: no longer dormant, so off the dormancy index.
    expect(user?.dormancyKey).toBeUndefined();
    expect((await local.rekindle.consentChanges()).map((change) => change.change)).toEqual(['push-removed']);
  });

  it('keep the latest statement of each field when events arrive out of order, and trail the late consent', async () => {
    // Prepare
    await local.rekindle.importUsers([aUser('u-1')]);
    const consent = (granted: boolean, occurredAt: string) => ({
      type: 'consent',
      userId: 'u-1',
      channel: 'sms',
      granted,
      source: 'app-settings',
      occurredAt,
    });

    // Act: the newer opt-in arrives first, the older opt-out after it; then an old profile.
    await record(consent(false, '2026-11-22T19:00:00.000Z'), 'newer');
    const late = await record(consent(true, '2026-11-22T18:00:00.000Z'), 'older');
    const oldProfile = await record(
      {
        type: 'profile',
        userId: 'u-1',
        occurredAt: '2026-11-22T17:00:00.000Z',
        locale: 'en',
        lifecycle: { lastLoginAt: '2026-11-22T17:00:00.000Z' },
      },
      'old-profile',
    );

    // Assess
    expect(late).toMatchObject({ result: 'unchanged', stale: ['consents.sms'] });
    // The locale was stated when the user was seeded (10:30 local = 16:30Z): 17:00Z is newer, so it applies.
    expect(oldProfile).toMatchObject({ result: 'recorded', changed: ['locale', 'lifecycle.lastLoginAt'] });
    const user = (await usersById())['u-1'];
    expect(user?.consents).toMatchObject({ sms: false });
    expect(user?.asOf).toMatchObject({ 'consents.sms': '2026-11-22T19:00:00.000Z' });
    expect(
      (await local.rekindle.consentChanges()).map(({ change, applied, occurredAt }) => [
        change,
        applied,
        occurredAt,
      ]),
    ).toEqual([
      ['consent-granted', false, '2026-11-22T18:00:00.000Z'],
      ['consent-withdrawn', true, '2026-11-22T19:00:00.000Z'],
    ]);
  });

  it('change nothing twice when an event is delivered again', async () => {
    // Prepare
    await local.rekindle.importUsers([aUser('u-1')]);
    const optOut = {
      type: 'consent',
      userId: 'u-1',
      channel: 'email',
      granted: false,
      source: 'branch',
      occurredAt: '2026-11-22T19:00:00.000Z',
    };

    // Act
    const first = await record(optOut, 'same-id');
    const again = await record(optOut, 'same-id');

    // Assess
    expect(first).toMatchObject({ result: 'recorded', changed: ['consents.email'] });
    expect(again).toMatchObject({ result: 'unchanged', changed: [] });
    expect(await local.rekindle.consentChanges()).toHaveLength(1);
    expect((await usersById())['u-1']?.version).toBe(2);
  });

  it('all land when many arrive for one user at the same moment: no lost update', async () => {
    // Prepare
    await local.rekindle.importUsers([aUser('u-1', { tags: [] })]);
    const occurredAt = '2026-11-22T19:00:00.000Z';
    const events = [
      { type: 'consent', userId: 'u-1', channel: 'sms', granted: false, source: 'app-settings', occurredAt },
      { type: 'consent', userId: 'u-1', channel: 'email', granted: false, source: 'branch', occurredAt },
      { type: 'consent', userId: 'u-1', channel: 'call', granted: false, source: 'do-not-call', occurredAt },
      { type: 'profile', userId: 'u-1', occurredAt, locale: 'en', ring: 'middle' },
      { type: 'profile', userId: 'u-1', occurredAt, valueTier: 'high' },
      { type: 'profile', userId: 'u-1', occurredAt, contact: { email: 'new@example.com' } },
      { type: 'login', userId: 'u-1', occurredAt },
      { type: 'application_started', userId: 'u-1', occurredAt },
      { type: 'credit_apply', userId: 'u-1', occurredAt },
      { type: 'credit_granted', userId: 'u-1', occurredAt },
    ];

    // Act: all at once, each through the handler as its own Lambda invocation would run it.
    const results = await Promise.all(events.map((detail, index) => record(detail, `concurrent-${index}`)));

    // Assess
    expect(results.map((result) => (result as { result: string }).result)).toEqual(
      events.map(() => 'recorded'),
    );
    const user = (await usersById())['u-1'];
    expect(user).toMatchObject({
      consents: { push: true, sms: false, email: false, call: false },
      locale: 'en',
      ring: 'middle',
      valueTier: 'high',
      contact: { email: 'new@example.com' },
      lifecycle: {
        lastLoginAt: occurredAt,
        applicationStartedAt: occurredAt,
        lastCreditApplyAt: occurredAt,
        creditGrantedAt: occurredAt,
      },
      version: 1 + events.length,
      // Credit granted, no drawdown yet: dormant for credited-no-drawdown 7 local days later.
      dormancyKey: expect.stringMatching(/^credited-no-drawdown#America\/Mexico_City#\d+$/),
      dormantFrom: '2026-11-29',
    });
    expect((await local.rekindle.consentChanges()).map((change) => change.source).sort()).toEqual([
      'app-settings',
      'branch',
      'do-not-call',
    ]);
  });

  it.each([
    [
      'a profile with an unknown field',
      { type: 'profile', userId: 'u-1', occurredAt: '2026-11-22T18:00:00Z', nickname: 'x' },
      /^nickname: unknown field/,
    ],
    [
      'a profile with a bad phone',
      {
        type: 'profile',
        userId: 'u-1',
        occurredAt: '2026-11-22T18:00:00Z',
        contact: { phone: '5512345678' },
      },
      /^contact\.phone: must be an E\.164/,
    ],
    [
      'a profile with a bad email',
      {
        type: 'profile',
        userId: 'u-1',
        occurredAt: '2026-11-22T18:00:00Z',
        contact: { email: 'not-an-address' },
      },
      /^contact\.email: must be an email/,
    ],
    [
      'a profile with an unknown push platform',
      {
        type: 'profile',
        userId: 'u-1',
        occurredAt: '2026-11-22T18:00:00Z',
        push: { token: 't', platform: 'hms' },
      },
      /^push\.platform: /,
    ],
    [
      'a profile with a bad time zone',
      { type: 'profile', userId: 'u-1', occurredAt: '2026-11-22T18:00:00Z', timeZone: 'Mars/Olympus' },
      /^timeZone: must be an IANA/,
    ],
    [
      'a profile with a bad locale',
      { type: 'profile', userId: 'u-1', occurredAt: '2026-11-22T18:00:00Z', locale: 'spanish' },
      /^locale: must be a locale/,
    ],
    [
      'a profile with a consent that is not a boolean',
      { type: 'profile', userId: 'u-1', occurredAt: '2026-11-22T18:00:00Z', consents: { sms: 'yes' } },
      /^consents\.sms: /,
    ],
    [
      'a profile with an unknown consent channel',
      { type: 'profile', userId: 'u-1', occurredAt: '2026-11-22T18:00:00Z', consents: { fax: true } },
      /^consents\.fax: unknown field/,
    ],
    [
      'a profile with a bad lifecycle time',
      {
        type: 'profile',
        userId: 'u-1',
        occurredAt: '2026-11-22T18:00:00Z',
        lifecycle: { lastLoginAt: 'yesterday' },
      },
      /^lifecycle\.lastLoginAt: must be an ISO 8601/,
    ],
    [
      'a profile with an unknown ring',
      { type: 'profile', userId: 'u-1', occurredAt: '2026-11-22T18:00:00Z', ring: 'outermost' },
      /^ring: /,
    ],
    [
      'a profile with an empty tag',
      { type: 'profile', userId: 'u-1', occurredAt: '2026-11-22T18:00:00Z', tags: [''] },
      /^tags\.0: /,
    ],
    ['a profile without its time', { type: 'profile', userId: 'u-1', locale: 'en' }, /^occurredAt: /],
    [
      'a consent for an unknown channel',
      {
        type: 'consent',
        userId: 'u-1',
        channel: 'fax',
        granted: false,
        source: 'branch',
        occurredAt: '2026-11-22T18:00:00Z',
      },
      /^channel: /,
    ],
    [
      'a consent without granted',
      {
        type: 'consent',
        userId: 'u-1',
        channel: 'sms',
        source: 'branch',
        occurredAt: '2026-11-22T18:00:00Z',
      },
      /^granted: /,
    ],
    [
      'a consent with a badly named source',
      {
        type: 'consent',
        userId: 'u-1',
        channel: 'sms',
        granted: false,
        source: 'App Settings',
        occurredAt: '2026-11-22T18:00:00Z',
      },
      /^source: must be a kebab-case/,
    ],
    [
      'a do-not-call on another channel',
      {
        type: 'consent',
        userId: 'u-1',
        channel: 'sms',
        granted: false,
        source: 'do-not-call',
        occurredAt: '2026-11-22T18:00:00Z',
      },
      /^source: do-not-call withdraws the call channel/,
    ],
    [
      'a do-not-call that grants',
      {
        type: 'consent',
        userId: 'u-1',
        channel: 'call',
        granted: true,
        source: 'do-not-call',
        occurredAt: '2026-11-22T18:00:00Z',
      },
      /^source: do-not-call/,
    ],
    [
      'a consent with an extra field',
      {
        type: 'consent',
        userId: 'u-1',
        channel: 'sms',
        granted: false,
        source: 'branch',
        occurredAt: '2026-11-22T18:00:00Z',
        phone: '+525512345678',
      },
      /^phone: unknown field/,
    ],
    ['a login without a user', { type: 'login', occurredAt: '2026-11-22T18:00:00Z' }, /^userId: /],
    ['an event without a type', { userId: 'u-1', occurredAt: '2026-11-22T18:00:00Z' }, /^type: /],
  ])(
    'reject %s with InvalidAppEvent naming the field, and change nothing',
    async (_case, detail, message) => {
      // Prepare
      await local.rekindle.importUsers([aUser('u-1')]);
      const before = await local.rekindle.scanTable('Users');

      // Act
      const recording = record(detail);

      // Assess
      await expect(recording).rejects.toMatchObject({
        name: 'InvalidAppEvent',
        message: expect.stringMatching(message),
      });
      expect(await local.rekindle.scanTable('Users')).toEqual(before);
      expect(await local.rekindle.consentChanges()).toEqual([]);
    },
  );

  it('keep statements about a user not created yet, and merge them into the profile that creates it', async () => {
    // Act: the opt-out and a login overtake the creating profile, which states an older opt-in.
    const early = await record(
      {
        type: 'consent',
        userId: 'new-1',
        channel: 'sms',
        granted: false,
        source: 'app-settings',
        occurredAt: '2026-11-22T18:05:00.000Z',
      },
      'early-consent',
    );
    await record({ type: 'login', userId: 'new-1', occurredAt: '2026-11-22T18:06:00.000Z' }, 'early-login');
    const partial = await record(
      { type: 'profile', userId: 'new-1', occurredAt: '2026-11-22T18:07:00.000Z', locale: 'en' },
      'partial',
    );
    const pendingBefore = (await usersById())['new-1'];
    const created = await record(
      {
        type: 'profile',
        userId: 'new-1',
        occurredAt: '2026-11-22T18:00:00.000Z',
        timeZone: 'America/Mexico_City',
        locale: 'es-MX',
        contact: { phone: '+525512340001' },
        consents: { sms: true, email: true },
        lifecycle: { registeredAt: '2026-11-19T18:00:00.000Z' },
      },
      'creating',
    );

    // Assess: kept apart (no index entry) until created; then each field holds its latest statement.
    expect([early, partial]).toMatchObject([{ result: 'pending' }, { result: 'pending' }]);
    expect(pendingBefore).toMatchObject({ pending: true });
    expect(pendingBefore?.phoneKey).toBeUndefined();
    expect(created).toMatchObject({ result: 'created', stale: ['locale', 'consents.sms'] });
    const user = (await usersById())['new-1'];
    expect(user?.pending).toBeUndefined();
    expect(user).toMatchObject({
      locale: 'en',
      consents: { sms: false, email: true },
      lifecycle: { lastLoginAt: '2026-11-22T18:06:00.000Z' },
      phoneKey: '+525512340001',
    });
    // Logged in before the profile arrived: not dormant.
    expect(user?.dormancyKey).toBeUndefined();
  });

  it('ignore channel feedback for users nobody created', async () => {
    const { applyUserUpdate } = await import('../functions/users/user-update');
    const result = await applyUserUpdate({
      userId: 'ghost',
      occurredAt: '2026-11-22T18:00:00.000Z',
      source: 'ses-bounce',
      eventId: 'bounce-1',
      fields: { consents: { email: false } },
      ifMissing: 'ignore',
    });
    expect(result.outcome).toBe('unknown-user');
    expect(await local.rekindle.scanTable('Users')).toEqual([]);
  });

  it('reject an import line that cannot create its user, naming the field, and write nothing', async () => {
    const { applyUserUpdate } = await import('../functions/users/user-update');
    const importing = applyUserUpdate({
      userId: 'new-1',
      occurredAt: '2026-11-22T18:00:00.000Z',
      source: 'import',
      eventId: 'line-1',
      fields: { locale: 'en', lifecycle: { registeredAt: '2026-11-19T18:00:00.000Z' } },
      ifMissing: 'create',
    });
    await expect(importing).rejects.toMatchObject({
      name: 'InvalidProfile',
      message: 'timeZone: required to create user new-1',
    });
    expect(await local.rekindle.scanTable('Users')).toEqual([]);
  });

  it('never lets a bulk import turn back on a channel the person turned off themselves', async () => {
    // Prepare: u-1 texted STOP after the export was taken; the file is uploaded again later.
    const { applyUserUpdate } = await import('../functions/users/user-update');
    await local.rekindle.importUsers([aUser('u-1'), aUser('u-2')]);
    const withdraw = (userId: string, source: string) =>
      applyUserUpdate({
        userId,
        occurredAt: '2026-11-22T18:00:00.000Z',
        source,
        eventId: `${userId}-off`,
        fields: { consents: { sms: false } },
        ifMissing: 'ignore',
      });
    await withdraw('u-1', 'sms-keyword');
    await withdraw('u-2', 'app-settings');
    const reimport = (userId: string) =>
      applyUserUpdate({
        userId,
        occurredAt: '2026-11-22T19:00:00.000Z',
        source: 'import',
        eventId: `${userId}-line`,
        fields: { consents: { sms: true } },
        ifMissing: 'create',
      });

    // Act
    const [stop, settings] = [await reimport('u-1'), await reimport('u-2')];

    // Assess: the STOP stands; a newer statement of the lender's own records may undo an app-settings one.
    expect(stop).toMatchObject({ outcome: 'unchanged', stale: ['consents.sms'] });
    expect(settings).toMatchObject({ outcome: 'updated', changed: ['consents.sms'] });
  });

  it('keep a trail entry as it was written when its event is delivered again after a newer one', async () => {
    // Prepare
    await local.rekindle.importUsers([aUser('u-1')]);
    const optOut = { type: 'consent', userId: 'u-1', channel: 'sms', granted: false, source: 'branch' };
    await record({ ...optOut, occurredAt: '2026-11-22T18:00:00.000Z' }, 'off');
    await record({ ...optOut, granted: true, occurredAt: '2026-11-22T19:00:00.000Z' }, 'on');
    const before = await local.rekindle.consentChanges();

    // Act
    await record({ ...optOut, occurredAt: '2026-11-22T18:00:00.000Z' }, 'off');

    // Assess
    expect(before.map((change) => change.applied)).toEqual([true, true]);
    expect(await local.rekindle.consentChanges()).toEqual(before);
  });
});

describe('a restated value', () => {
  it('moves its statement time forward, so an older contrary statement arriving later loses', async () => {
    // Prepare: SMS consent on since the seed (16:30Z).
    await local.rekindle.importUsers([aUser('u-1')]);
    const consent = (granted: boolean, occurredAt: string) => ({
      type: 'consent',
      userId: 'u-1',
      channel: 'sms',
      granted,
      source: 'sms-keyword',
      occurredAt,
    });

    // Act: START at 19:00 (already on), then a STOP from 18:00 arrives late.
    const restated = await record(consent(true, '2026-11-22T19:00:00.000Z'), 'start');
    const late = await record(consent(false, '2026-11-22T18:00:00.000Z'), 'stop');

    // Assess
    expect(restated).toMatchObject({ result: 'unchanged', changed: [] });
    expect(late).toMatchObject({ result: 'unchanged', stale: ['consents.sms'] });
    expect((await usersById())['u-1']?.consents).toMatchObject({ sms: true });
  });
});
