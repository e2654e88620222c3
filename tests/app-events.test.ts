import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useLocalRekindle } from './support/local-rekindle';
import { aUser } from './support/users';

const local = useLocalRekindle();
const loginEvent = JSON.parse(
  readFileSync(path.join(import.meta.dirname, 'fixtures', 'eventbridge-app-event-login.json'), 'utf8'),
);
const invokeRecorder = async (event: unknown) => {
  const { handler } = await import('../functions/handlers/record-app-event');
  return handler(event, {} as never);
};

describe('the app-event recorder', () => {
  it('moves the lifecycle forward on an EventBridge app event', async () => {
    // Prepare
    await local.rekindle.importUsers([aUser('u-1')]);

    // Act
    const result = await invokeRecorder(loginEvent);

    // Assess
    expect(result).toMatchObject({ result: 'recorded', changed: ['lifecycle.lastLoginAt'] });
    const [user] = await local.rekindle.scanTable('Users');
    expect(user?.lifecycle).toMatchObject({ lastLoginAt: '2026-11-22T18:10:00.000Z' });
  });

  it('keeps the dormancy index true: a login leaves registered-no-visit, a new application enters application-incomplete', async () => {
    // Prepare
    await local.rekindle.importUsers([aUser('u-1')]);
    const indexEntry = async () => {
      const [user] = await local.rekindle.scanTable('Users');
      return { dormancyKey: user?.dormancyKey, dormantFrom: user?.dormantFrom };
    };
    const before = await indexEntry();

    // Act
    await invokeRecorder(loginEvent);
    const afterLogin = await indexEntry();
    await invokeRecorder({
      ...loginEvent,
      detail: { type: 'application_started', userId: 'u-1', occurredAt: '2026-11-22T19:00:00.000Z' },
    });
    const afterApplication = await indexEntry();

    // Assess: application-incomplete counts 3 local days from the start (13:00 in Mexico City).
    expect(before).toEqual({
      dormancyKey: expect.stringMatching(/^registered-no-visit#America\/Mexico_City#\d+$/),
      dormantFrom: '2026-11-22',
    });
    expect(afterLogin).toEqual({ dormancyKey: undefined, dormantFrom: undefined });
    expect(afterApplication).toEqual({
      dormancyKey: expect.stringMatching(/^application-incomplete#America\/Mexico_City#\d+$/),
      dormantFrom: '2026-11-25',
    });
  });

  it('keeps the latest time when events arrive out of order', async () => {
    await local.rekindle.importUsers([
      aUser('u-1', {
        lifecycle: { registeredAt: '2026-11-01T00:00:00.000Z', lastLoginAt: '2026-11-22T20:00:00.000Z' },
      }),
    ]);
    expect(await invokeRecorder(loginEvent)).toMatchObject({
      result: 'unchanged',
      stale: ['lifecycle.lastLoginAt'],
    });
    const [user] = await local.rekindle.scanTable('Users');
    expect(user?.lifecycle).toMatchObject({ lastLoginAt: '2026-11-22T20:00:00.000Z' });
  });

  it.each([
    ['a missing user id', { type: 'login', occurredAt: '2026-11-22T18:10:00.000Z' }, /^userId: /],
    [
      'an unknown event type',
      { type: 'logout', userId: 'u-1', occurredAt: '2026-11-22T18:10:00.000Z' },
      /^type: /,
    ],
    [
      'a bad timestamp',
      { type: 'login', userId: 'u-1', occurredAt: 'yesterday' },
      /^occurredAt: must be an ISO 8601/,
    ],
    [
      'a click (only a tracked link’s own endpoint counts clicks)',
      { type: 'click', userId: 'u-1', occurredAt: '2026-11-22T18:10:00.000Z', touchId: 't' },
      /^type: /,
    ],
  ])(
    'rejects %s with InvalidAppEvent naming the field, and changes nothing',
    async (_case, detail, message) => {
      // Prepare
      await local.rekindle.importUsers([aUser('u-1')]);
      const before = await local.rekindle.scanTable('Users');

      // Act
      const recording = invokeRecorder({ ...loginEvent, detail });

      // Assess
      await expect(recording).rejects.toMatchObject({
        name: 'InvalidAppEvent',
        message: expect.stringMatching(message),
      });
      expect(await local.rekindle.scanTable('Users')).toEqual(before);
    },
  );
});
