import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidGuardrails } from '../functions/guardrails/configuration';
import { assertCampaignLinks, defaultLinkSettings, linkSettingsFrom } from '../functions/links/link-settings';
import {
  signTrackedLink,
  type TrackedLinkSubject,
  userHashOf,
  verifyTrackedLink,
} from '../functions/links/tracked-link';
import { createRekindleApp } from '../infra/rekindle-app';
import type { InboundEvent } from '../local/inbound-events';
import { campaign as registeredNoVisit } from '../statemachines/campaigns/registered-no-visit';
import { RUN_DATE, RUN_ID, RUN_START, useLocalRekindle } from './support/local-rekindle';
import { aUser } from './support/users';

const KEYS = {
  current: 'k2',
  keys: { k1: 'k1-0123456789abcdef0123456789abcdef', k2: 'k2-fedcba9876543210fedcba9876543210' },
};
const SUBJECT: TrackedLinkSubject = {
  runId: 'credited-no-drawdown-inner-ring#2026-11-22#America/Mexico_City#users-0123456789#dry-run-console',
  touch: 2,
  channel: 'sms',
  userId: '3f1c9a2e-7b4d-4e8a-9c61-2d5f0e8b7a13',
  destination: 'offer',
  sentAt: '2026-11-22T17:00:00.000Z',
  validDays: 30,
};
const AFTER_SEND = new Date('2026-11-22T18:00:00.000Z');

/** The token with the character at `index` replaced by another base64url character. */
const withOneCharChanged = (token: string, index: number) =>
  `${token.slice(0, index)}${token[index] === 'A' ? 'B' : 'A'}${token.slice(index + 1)}`;

describe('a tracked link', () => {
  it('carries the touch, channel, destination and expiry in 54 characters, whatever the ids', () => {
    // Act
    const token = signTrackedLink(SUBJECT, KEYS);
    const link = verifyTrackedLink(token, KEYS, AFTER_SEND);

    // Assess: hashes of the run and user, never the ids or a URL.
    // `k2.` and 38 bytes in base64url (23 fixed, the 5 of `offer`, a 10-byte MAC).
    expect(token.length).toBe(3 + 51);
    expect(token).not.toContain('https');
    expect(link).toEqual({
      runCode: expect.stringMatching(/^[0-9a-f]{12}$/),
      touch: 2,
      channel: 'sms',
      userHash: userHashOf(SUBJECT.userId),
      destination: 'offer',
      sentAt: SUBJECT.sentAt,
      expiresAt: '2026-12-22T17:00:00.000Z',
    });
  });

  it('keeps working after a key rotation, and stops at its expiry', () => {
    // Prepare: signed while k1 was current; k2 is current now.
    const old = signTrackedLink(SUBJECT, { current: 'k1', keys: { k1: KEYS.keys.k1 } });

    // Act / Assess
    expect(verifyTrackedLink(old, KEYS, AFTER_SEND).destination).toBe('offer');
    expect(verifyTrackedLink(old, KEYS, new Date('2026-12-22T16:59:59.000Z')).touch).toBe(2);
    expect(() => verifyTrackedLink(old, KEYS, new Date('2026-12-22T17:00:00.000Z'))).toThrow(
      expect.objectContaining({ name: 'LinkExpired' }),
    );
  });

  it('refuses every forged, tampered and truncated token with a named reason', () => {
    // Prepare
    const token = signTrackedLink(SUBJECT, KEYS);
    const body = token.indexOf('.') + 1;
    const forged = signTrackedLink(SUBJECT, {
      current: 'k2',
      keys: { k2: 'an-attacker-guessing-the-key-0000000' },
    });
    const reasonOf = (candidate: string) => {
      try {
        verifyTrackedLink(candidate, KEYS, AFTER_SEND);
        return 'accepted';
      } catch (error) {
        return `${(error as Error).name}:${(error as { reason?: string }).reason}`;
      }
    };

    // Act / Assess: every single character of the payload and MAC matters.
    for (let index = body; index < token.length; index += 1) {
      expect(reasonOf(withOneCharChanged(token, index))).toMatch(
        /^InvalidLinkToken:(bad-signature|malformed)$/,
      );
    }
    expect(reasonOf(forged)).toBe('InvalidLinkToken:bad-signature');
    expect(reasonOf(`k9${token.slice(2)}`)).toBe('InvalidLinkToken:unknown-key');
    expect(reasonOf(token.slice(0, body + 20))).toBe('InvalidLinkToken:malformed');
    expect(reasonOf(`${token}.x`)).toBe('InvalidLinkToken:malformed');
    expect(reasonOf('')).toBe('InvalidLinkToken:malformed');
    expect(reasonOf('toString.AAAA')).toBe('InvalidLinkToken:malformed');
  });
});

describe('link destinations and copy', () => {
  it('allow only https pages and app deep links', () => {
    for (const url of ['http://example.com/offer', 'javascript:alert(1)', 'data:text/html,hi', 'not a url']) {
      expect(() => linkSettingsFrom({ destinations: { offer: url } })).toThrow(InvalidGuardrails);
    }
    expect(linkSettingsFrom({ destinations: { app: 'rekindle://home' } }).destinations).toEqual({
      app: 'rekindle://home',
    });
    expect(() => linkSettingsFrom('{"validDays":0}')).toThrow(/links\.validDays/);
  });

  it('fail synthesis for a link to an unknown destination or a raw URL in copy', () => {
    const withSms = (body: string) => ({
      ...registeredNoVisit,
      steps: registeredNoVisit.steps.map((step) =>
        step.type === 'channel' && step.channel === 'sms' ? { ...step, template: { en: { body } } } : step,
      ),
    });
    expect(() =>
      assertCampaignLinks(withSms('See {link:app} now') as never, defaultLinkSettings),
    ).not.toThrow();
    expect(() =>
      createRekindleApp({ campaigns: [withSms('See {link:casino} now')], skipBundling: true }),
    ).toThrow(
      expect.objectContaining({
        name: 'LinkDestinationUnknown',
        message: expect.stringContaining('steps.2.template.en.body: {link:casino}'),
      }),
    );
    for (const body of [
      'See https://evil.example/x now',
      'See www.evil.example now',
      'Go http://x.example',
    ]) {
      expect(() => assertCampaignLinks(withSms(body) as never, defaultLinkSettings)).toThrow(
        expect.objectContaining({ name: 'UntrackedLinkInCopy' }),
      );
    }
  });
});

const local = useLocalRekindle();
const PHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1';

beforeAll(async () => {
  // Imported once the local runtime has set the environment (the module reads its secret's ARN at import).
  const { useLinkSigningKeys } = await import('../functions/links/signing-keys');
  useLinkSigningKeys({ current: KEYS.current, ...KEYS.keys });
});

/** A request for `url` at `at` (the clock set to it), through the real handler as the HTTP API hands it over. */
const request = (
  url: string,
  at: Date,
  fields: Partial<Extract<InboundEvent, { type: 'link-request' }>> = {},
) => {
  local.rekindle.clock.reset(at);
  return local.rekindle.feed.receive(
    { type: 'link-request', occurredAt: at.toISOString(), url, userAgent: PHONE, ...fields },
    'scripted',
    at,
  ) as Promise<{ status: number; location: string | null }>;
};

const minutesAfter = (at: string, minutes: number) => new Date(Date.parse(at) + minutes * 60_000);

describe('the tracked-link endpoint', () => {
  it('puts a tracked link in every push, SMS and email, records the click for its touch and redirects', async () => {
    // Prepare: one user reachable on every channel; the run's first touch is a push.
    await local.rekindle.importUsers([aUser('u-1')]);
    await local.rekindle.runCampaign('registered-no-visit', { runDate: RUN_DATE });
    const messages = await local.rekindle.sandboxMessages();
    const push = messages.find((message) => message.channel === 'push');
    const link = push && 'link' in push ? String(push.link) : '';
    const base = link.slice(0, link.indexOf('/l/') + 3);

    // Act: the person taps twice; a HEAD from a link checker comes in between.
    const sentAt = String(push?.sentAt);
    const first = await request(link, minutesAfter(sentAt, 30));
    const head = await request(link, minutesAfter(sentAt, 31), { method: 'HEAD' });
    const second = await request(link, minutesAfter(sentAt, 45));

    // Assess: every message's copy carries its own tracked link (push as its tap target).
    expect(base).toMatch(/^https:\/\/.+\/l\/$/);
    for (const message of messages.filter((candidate) => candidate.channel !== 'push')) {
      expect('body' in message ? message.body : '').toContain(base);
    }
    expect(first).toEqual({ status: 302, location: defaultLinkSettings.destinations.app });
    expect(head).toEqual({ status: 302, location: defaultLinkSettings.destinations.app });
    expect(second).toEqual({ status: 302, location: defaultLinkSettings.destinations.app });
    expect(await local.rekindle.scanTable('Clicks')).toEqual([
      {
        touchKey: expect.stringMatching(/^[0-9a-f]{12}#1$/),
        userHash: userHashOf('u-1'),
        channel: 'push',
        clickedAt: minutesAfter(sentAt, 30).toISOString(),
        clicks: 2,
        scannerAt: minutesAfter(sentAt, 31).toISOString(),
        scannerReason: 'head-request',
        scannerRequests: 1,
        expiresAt: expect.any(Number),
      },
    ]);
    const [funnel] = await local.rekindle.funnels();
    expect(funnel?.runId).toBe(RUN_ID);
    expect(funnel?.rows.find((row) => row.touch === 1)).toMatchObject({ sent: 1, clicked: 1, scanned: 1 });
  });

  it('counts scanners and previews apart, never as a person’s click', async () => {
    // Prepare: an email and an SMS of this run, signed as the send step signs them.
    const { signTrackedLink: sign } = await import('../functions/links/tracked-link');
    const { linkSigningKeys } = await import('../functions/links/signing-keys');
    const keys = await linkSigningKeys();
    const sentAt = RUN_START.toISOString();
    const linkFor = (userId: string, channel: 'email' | 'sms') =>
      `https://links.example/l/${sign({ ...SUBJECT, runId: RUN_ID, touch: 1, channel, userId, destination: 'app', sentAt }, keys)}`;
    const at = (seconds: number) => new Date(RUN_START.getTime() + seconds * 1000);

    // Act: a gateway with a browser's agent 3 s after the send; a preview bot; a prefetch; no agent at all.
    const results = [
      await request(linkFor('gateway', 'email'), at(3)),
      await request(linkFor('preview', 'sms'), at(3), {
        userAgent:
          'Mozilla/5.0 (Macintosh) AppleWebKit/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0',
      }),
      await request(linkFor('prefetch', 'email'), at(3), { headers: { 'sec-purpose': 'prefetch' } }),
      await request(linkFor('no-agent', 'sms'), at(3), { userAgent: '' }),
      await request(linkFor('scanner', 'email'), at(3), {
        userAgent: 'Mozilla/5.0 (compatible; Mimecast URL Protect)',
      }),
    ];
    await request(linkFor('person', 'email'), at(120));

    // Assess: redirected all the same; recorded with their reasons, no click among them but the person's.
    expect(results.every((result) => result.status === 302)).toBe(true);
    const records = new Map(
      (await local.rekindle.scanTable('Clicks')).map((record) => [String(record.userHash), record]),
    );
    const reason = (userId: string) => records.get(userHashOf(userId));
    expect(reason('gateway')).toMatchObject({ scannerReason: 'too-soon' });
    expect(reason('preview')).toMatchObject({ scannerReason: 'scanner-agent' });
    expect(reason('prefetch')).toMatchObject({ scannerReason: 'prefetch' });
    expect(reason('no-agent')).toMatchObject({ scannerReason: 'no-agent' });
    expect(reason('scanner')).toMatchObject({ scannerReason: 'scanner-agent' });
    for (const userId of ['gateway', 'preview', 'prefetch', 'no-agent', 'scanner']) {
      expect(reason(userId)?.clickedAt).toBeUndefined();
    }
    expect(reason('person')).toMatchObject({ clickedAt: at(120).toISOString(), clicks: 1 });
    expect(reason('person')?.scannerAt).toBeUndefined();
  });

  it('answers forged, tampered, expired and off-allowlist links with a page, records nothing, redirects nowhere', async () => {
    // Prepare
    const { linkSigningKeys } = await import('../functions/links/signing-keys');
    const keys = await linkSigningKeys();
    const subject = { ...SUBJECT, runId: RUN_ID, sentAt: RUN_START.toISOString() };
    const good = signTrackedLink(subject, keys);
    const url = (token: string) => `https://links.example/l/${token}`;
    const cases: [string, string, number][] = [
      [
        'forged',
        signTrackedLink(subject, { current: 'k2', keys: { k2: 'not-our-key-0123456789abcdef012345' } }),
        400,
      ],
      ['tampered', withOneCharChanged(good, good.length - 14), 400],
      ['unknown key', `k7${good.slice(2)}`, 400],
      ['expired', signTrackedLink({ ...subject, sentAt: '2026-10-01T17:00:00.000Z' }, keys), 410],
      ['off the allowlist', signTrackedLink({ ...subject, destination: 'casino' }, keys), 404],
    ];

    for (const [name, token, status] of cases) {
      // Act
      const answer = await request(url(token), RUN_START);

      // Assess
      expect({ name, ...answer }).toEqual({ name, status, location: null });
    }
    expect(await local.rekindle.scanTable('Clicks')).toEqual([]);
  });
});
