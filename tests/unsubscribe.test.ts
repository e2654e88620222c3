import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { signLinkToken } from '../functions/links/link-token';
import { RUN_START, useLocalRekindle } from './support/local-rekindle';
import { aUser } from './support/users';

const local = useLocalRekindle();
const KEYS = { current: 'k1', keys: { k1: 'k1-0123456789abcdef0123456789abcdef' } };
const postFixture = JSON.parse(
  readFileSync(path.join(import.meta.dirname, 'fixtures', 'apigateway-http-unsubscribe-post.json'), 'utf8'),
);

beforeAll(async () => {
  // Imported once the local runtime has set the environment (the module reads its secret's ARN at import).
  const { useLinkSigningKeys } = await import('../functions/links/signing-keys');
  useLinkSigningKeys({ current: KEYS.current, ...KEYS.keys });
});

const tokenFor = (userId: string, keys = KEYS) =>
  signLinkToken({ userId, campaignId: 'registered-no-visit' }, keys);

/** The fixture's HTTP API (payload 2.0) request, for this token and method. */
const request = (token: string, method: 'GET' | 'POST' = 'POST') => {
  const routeKey = `${method} /unsubscribe/{token}`;
  const requestPath = `/unsubscribe/${token}`;
  return {
    ...postFixture,
    routeKey,
    rawPath: requestPath,
    requestContext: {
      ...postFixture.requestContext,
      routeKey,
      http: { ...postFixture.requestContext.http, method, path: requestPath },
    },
    pathParameters: { token },
    ...(method === 'GET' ? { body: undefined, isBase64Encoded: false } : {}),
  };
};
const invokeEndpoint = async (event: unknown) => {
  const { handler } = await import('../functions/handlers/unsubscribe');
  return handler(event, {} as never);
};
const tables = async () => ({
  users: await local.rekindle.scanTable('Users'),
  trail: await local.rekindle.scanTable('ConsentChanges'),
});
const emailConsent = async (userId: string) =>
  (
    (await local.rekindle.scanTable('Users')).find((user) => user.userId === userId)?.consents as
      | { email: boolean }
      | undefined
  )?.email;

/** The token with the character at `index` replaced by another base64url character. */
const withOneCharChanged = (token: string, index: number) =>
  `${token.slice(0, index)}${token[index] === 'A' ? 'B' : 'A'}${token.slice(index + 1)}`;

describe('the one-click unsubscribe endpoint', () => {
  it('turns email off in one POST, exactly as the HTTP API delivers it, and records the trail', async () => {
    // Prepare
    await local.rekindle.importUsers([aUser('u-1'), aUser('u-2')]);

    // Act
    const response = await invokeEndpoint(request(tokenFor('u-1')));

    // Assess
    expect(response).toMatchObject({
      statusCode: 200,
      headers: expect.objectContaining({
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
      }),
    });
    expect(response.body).toContain('You are unsubscribed');
    expect(await emailConsent('u-1')).toBe(false);
    expect(await emailConsent('u-2')).toBe(true);
    expect(await local.rekindle.scanTable('ConsentChanges')).toEqual([
      expect.objectContaining({
        userId: 'u-1',
        channel: 'email',
        change: 'consent-withdrawn',
        source: 'unsubscribe-link',
        occurredAt: RUN_START.toISOString(),
        eventId: `unsubscribe-link#${tokenFor('u-1').split('.')[3]}`,
      }),
    ]);
  });

  it('changes nothing more on a repeated POST of the same link', async () => {
    // Prepare
    await local.rekindle.importUsers([aUser('u-1')]);
    await invokeEndpoint(request(tokenFor('u-1')));
    const after = await tables();

    // Act
    local.rekindle.clock.advanceTo(new Date(RUN_START.getTime() + 60_000));
    const again = await invokeEndpoint(request(tokenFor('u-1')));

    // Assess: still off, one trail entry; only the statement time moves on (a newer restatement).
    expect(again).toMatchObject({ statusCode: 200 });
    const now = await tables();
    expect(now.users.map((user) => [user.consents, user.consentSources])).toEqual(
      after.users.map((user) => [user.consents, user.consentSources]),
    );
    expect(now.trail).toEqual(after.trail);
  });

  it('shows a page with one Unsubscribe button on GET, and changes nothing (mail scanners prefetch links)', async () => {
    // Prepare
    await local.rekindle.importUsers([aUser('u-1')]);
    const before = await tables();

    // Act
    const response = await invokeEndpoint(request(tokenFor('u-1'), 'GET'));

    // Assess
    expect(response).toMatchObject({ statusCode: 200 });
    expect(response.body).toContain('<form method="post">');
    expect(response.body).toContain('<button type="submit">Unsubscribe</button>');
    expect(await tables()).toEqual(before);
  });

  it('keeps links signed with an older key working after a new key becomes current', async () => {
    // Prepare: the link was signed with k1; the secret now signs with k2 and still holds k1.
    await local.rekindle.importUsers([aUser('u-1')]);
    const oldLink = tokenFor('u-1');
    const { useLinkSigningKeys } = await import('../functions/links/signing-keys');
    useLinkSigningKeys({ current: 'k2', ...KEYS.keys, k2: 'k2-fedcba9876543210fedcba9876543210' });

    // Act
    const response = await invokeEndpoint(request(oldLink));
    useLinkSigningKeys({ current: KEYS.current, ...KEYS.keys });

    // Assess
    expect(response).toMatchObject({ statusCode: 200 });
    expect(await emailConsent('u-1')).toBe(false);
  });

  it('answers 200 and writes nothing for a valid link of a user who does not exist', async () => {
    await local.rekindle.importUsers([aUser('u-1')]);
    const before = await tables();
    expect(await invokeEndpoint(request(tokenFor('u-404')))).toMatchObject({ statusCode: 200 });
    expect(await tables()).toEqual(before);
  });

  const valid = tokenFor('u-1');
  const [keyId, user, campaign, signature] = valid.split('.') as [string, string, string, string];
  it.each([
    [
      'forged (signed with a key we do not have, under our key id)',
      tokenFor('u-1', { current: 'k1', keys: { k1: 'not-our-key-0123456789abcdef01234' } }),
    ],
    ['tampered: one character of the user changed', withOneCharChanged(valid, keyId.length + 2)],
    ['tampered: one character of the signature changed', withOneCharChanged(valid, valid.length - 5)],
    [
      'tampered: another user with the first user signature',
      `${keyId}.${Buffer.from('u-2').toString('base64url')}.${campaign}.${signature}`,
    ],
    ['truncated', valid.slice(0, -3)],
    ['cut before the signature', `${keyId}.${user}.${campaign}`],
    ['an unknown key id', `k9.${user}.${campaign}.${signature}`],
    ['garbage', 'hello'],
    ['an extra segment', `${valid}.x`],
  ])('answers 400 "This link is not valid" to a %s link and changes nothing', async (_case, token) => {
    // Prepare
    await local.rekindle.importUsers([aUser('u-1'), aUser('u-2')]);
    const before = await tables();

    // Act
    const post = await invokeEndpoint(request(token));
    const get = await invokeEndpoint(request(token, 'GET'));

    // Assess
    for (const response of [post, get]) {
      expect(response).toMatchObject({ statusCode: 400 });
      expect(response.body).toContain('This link is not valid');
    }
    expect(await tables()).toEqual(before);
  });

  it('builds the link send-touch puts in every email from the endpoint URL and a verifiable token', async () => {
    // Act
    const { unsubscribeUrlFor } = await import('../functions/links/message-links');
    const url = await unsubscribeUrlFor({ userId: 'u-1', campaignId: 'registered-no-visit' });

    // Assess: https, the endpoint's route, and short enough for a List-Unsubscribe header.
    expect(url).toMatch(
      /^https:\/\/[^/]+\.execute-api\.us-east-1\.amazonaws\.com\/unsubscribe\/k1\.[A-Za-z0-9_.-]+$/,
    );
    expect(url.endsWith(`/unsubscribe/${valid}`)).toBe(true);
    expect(url.length).toBeLessThan(300);
  });
});
