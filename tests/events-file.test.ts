import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConsentHonoured } from '../local/consent-check';
import { parseEventsFile } from '../local/inbound-events';
import { jsonLines, runDemo } from './support/demo';

const fixture = (name: string) => path.join(import.meta.dirname, 'fixtures', name);
const demoEvents = readFileSync(fixture('events-demo.jsonl'), 'utf8');
const [pushResultLine = '', , smsLine = '', loginLine = '', sesLine = '', unsubscribeLine = ''] =
  demoEvents.split('\n');
/** An End User Messaging SMS delivery event as the default bus delivers it, as an events-file line. */
const smsEventLine = JSON.stringify({
  type: 'sms-event',
  occurredAt: '2026-11-23T17:00:09Z',
  event: JSON.parse(readFileSync(fixture('eventbridge-sms-voice-text-delivered.json'), 'utf8')),
});

describe('an events file', () => {
  it('reads an SMS delivery event line', () => {
    expect(parseEventsFile(`${loginLine}\n${smsEventLine}\n`)).toEqual([
      expect.objectContaining({ type: 'login' }),
      expect.objectContaining({
        type: 'sms-event',
        event: expect.objectContaining({ 'detail-type': 'Text Message Delivery Status Updated' }),
      }),
    ]);
  });

  it('reads every kind of line the README documents', () => {
    expect(parseEventsFile(demoEvents).map((event) => event.type)).toEqual([
      'push-result',
      'profile',
      'sms-inbound',
      'login',
      'ses-event',
      'unsubscribe',
      'consent',
      'sms-event',
    ]);
  });

  it.each([
    ['broken JSON', '{"type":"login"', 'Events line 2: not valid JSON'],
    [
      'an unknown type',
      '{"type":"logout","userId":"u-1","occurredAt":"2026-11-22T18:00:00Z"}',
      'Events line 2: field type: unknown event type "logout"',
    ],
    [
      'a line without a type',
      '{"userId":"u-1"}',
      'Events line 2: field type: unknown event type "undefined"',
    ],
    ['a login without its time', '{"type":"login","userId":"u-1"}', 'Events line 2: field occurredAt: '],
    [
      'an SMS reply from a number that is not E.164',
      smsLine.replace('+525511110002', '5511110002'),
      'Events line 2: field message.originationNumber: must be an E.164',
    ],
    [
      'an SMS reply without its message id',
      smsLine.replace(/"inboundMessageId":"[^"]+"/, '"inboundMessageId":""'),
      'Events line 2: field message.inboundMessageId: ',
    ],
    [
      'an SES event from another source',
      sesLine.replace('"source":"aws.ses"', '"source":"aws.sns"'),
      'Events line 2: field event.source: ',
    ],
    [
      'a push result with an unknown status',
      pushResultLine.replace('PERMANENT_FAILURE', 'GONE'),
      'Events line 2: field result.DeliveryStatus: ',
    ],
    [
      'an unsubscribe with neither user nor link',
      '{"type":"unsubscribe","occurredAt":"2026-11-22T18:00:00Z"}',
      'Events line 2: field userId: give either userId',
    ],
    [
      'an unsubscribe with a link that is no URL',
      '{"type":"unsubscribe","occurredAt":"2026-11-22T18:00:00Z","url":"not a url"}',
      'Events line 2: field url: ',
    ],
    [
      'a consent with an unknown field',
      '{"type":"consent","userId":"u-1","channel":"sms","granted":false,"source":"branch","occurredAt":"2026-11-22T18:00:00Z","why":"x"}',
      'Events line 2: field why: unknown field',
    ],
    [
      'a profile with a bad email',
      '{"type":"profile","userId":"u-1","occurredAt":"2026-11-22T18:00:00Z","contact":{"email":"nope"}}',
      'Events line 2: field contact.email: must be an email',
    ],
    [
      'an operator pause naming both a campaign and the stack',
      '{"type":"operator","action":"pause","campaignId":"registered-no-visit","all":true,"occurredAt":"2026-11-22T18:00:00Z"}',
      'Events line 2: field campaignId: pause needs either a campaign id or all',
    ],
    [
      'an operator resume naming nothing',
      '{"type":"operator","action":"resume","occurredAt":"2026-11-22T18:00:00Z"}',
      'Events line 2: field campaignId: resume needs either a campaign id or all',
    ],
    [
      'an operator stop without its run',
      '{"type":"operator","action":"stop","occurredAt":"2026-11-22T18:00:00Z"}',
      'Events line 2: field runId: stop needs the run id',
    ],
    [
      'an operator stop naming a campaign',
      '{"type":"operator","action":"stop","runId":"r","campaignId":"registered-no-visit","occurredAt":"2026-11-22T18:00:00Z"}',
      'Events line 2: field runId: stop names one run, not a campaign',
    ],
    [
      'an operator action that does not exist',
      '{"type":"operator","action":"restart","all":true,"occurredAt":"2026-11-22T18:00:00Z"}',
      'Events line 2: field action: ',
    ],
    [
      'an operator pause of a campaign the stack does not run',
      '{"type":"operator","action":"pause","campaignId":"no-such-campaign","occurredAt":"2026-11-22T18:00:00Z"}',
      'Events line 2: field campaignId: no campaign no-such-campaign',
    ],
    [
      'an SMS delivery event from another source',
      smsEventLine.replace('"source":"aws.sms-voice"', '"source":"aws.ses"'),
      'Events line 2: field event.source: ',
    ],
  ])('rejects %s with its line number and field', (_case, secondLine, message) => {
    expect(() => parseEventsFile(`${loginLine}\n${secondLine}\n`, ['registered-no-visit'])).toThrow(message);
  });

  it('stops npm start before anything runs when a line is bad', async () => {
    // Prepare
    const dir = mkdtempSync(path.join(tmpdir(), 'rekindle-events-'));
    const file = path.join(dir, 'bad.jsonl');
    writeFileSync(file, `${loginLine}\n${unsubscribeLine}\n{"type":"consent","userId":"u-1"}\n`);

    // Act
    const result = await runDemo('--events', file);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('EventsLineInvalid: Events line 3: field channel: ');
    expect(result.stdout).not.toContain('Rekindle local run');
  });

  it('replays through the real handlers and writes what happened, so anyone can check consent from the files', async () => {
    // Prepare
    const out = mkdtempSync(path.join(tmpdir(), 'rekindle-events-out-'));

    // Act
    const result = await runDemo(
      '--population',
      fixture('population-small.jsonl'),
      '--events',
      fixture('events-demo.jsonl'),
      '--date',
      '2026-11-22',
      '--out',
      out,
    );

    // Assess: every scripted event is in events.jsonl with what it changed.
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const events = jsonLines(path.join(out, 'events.jsonl'));
    const scripted = events.filter((event) => event.origin === 'scripted');
    expect(scripted.map((event) => event.event.type)).toEqual(
      parseEventsFile(demoEvents).map((event) => event.type),
    );
    // The SMS delivery event landed on its message's delivery record, joined to its touch by its context;
    // every other record is of a message the sandbox sent, as the simulated providers reported it.
    const deliveries = jsonLines(path.join(out, 'deliveries.jsonl'));
    const scriptedSms = '862a8790-60c0-4430-9b2b-658bd0000001';
    const sent = new Set(jsonLines(path.join(out, 'messages.jsonl')).map((message) => message.messageId));
    expect(deliveries.every((record) => record.messageId === scriptedSms || sent.has(record.messageId))).toBe(
      true,
    );
    expect(deliveries).toContainEqual(
      expect.objectContaining({
        messageId: scriptedSms,
        channel: 'sms',
        userId: 'u-002',
        runId: 'registered-no-visit#2026-11-22#America/Mexico_City',
        touch: 2,
        deliveredAt: '2026-11-26T17:00:09.000Z',
      }),
    );
    // The bounce went to the consent path and to the delivery records, which ignore an email without a touch tag.
    expect(scripted.find((event) => event.event.type === 'ses-event')?.result).toMatchObject({
      delivery: { result: 'untagged', kind: 'bounced' },
    });
    expect(scripted.find((event) => event.event.type === 'profile')?.result).toMatchObject({
      result: 'created',
    });
    expect(scripted.find((event) => event.event.type === 'sms-inbound')?.result).toMatchObject([
      { keyword: 'opt-out', usersChanged: ['u-002'] },
    ]);
    const users = Object.fromEntries(
      jsonLines(path.join(out, 'users.jsonl')).map((user) => [user.userId, user]),
    );
    expect(users['u-001']).toMatchObject({
      push: null,
      consents: { email: false },
      consentSources: { email: 'ses-bounce' },
    });
    expect(users['u-002']).toMatchObject({ consents: { sms: false, call: false } });
    expect(users['u-004']).toMatchObject({ contact: { phone: '+525511110004' } });
    // The touch due on u-001's dead push token was skipped as opted-out, counted for push.
    const [registered] = JSON.parse(readFileSync(path.join(out, 'runs.json'), 'utf8')).filter(
      (run: { campaignId: string }) => run.campaignId === 'registered-no-visit',
    );
    expect(registered.touches[0].optedOut).toEqual({ push: 1 });
    expect(result.stdout).toContain('opted out 1 (push 1)');
    // From the outside: no message on a channel after it was turned off.
    const messages = jsonLines(path.join(out, 'messages.jsonl'));
    const calls = jsonLines(path.join(out, 'call-tasks.jsonl')).map((task) => ({
      userId: task.userId,
      channel: 'call',
      sentAt: task.createdAt,
    }));
    const check = checkConsentHonoured(
      [...messages, ...calls],
      jsonLines(path.join(out, 'consent-changes.jsonl')),
    );
    expect(check.turnedOff).toMatchObject({ push: 1, sms: 1, email: 1, call: 1 });
    expect(check.violations).toEqual([]);
    expect(result.stdout).toContain('messages on a channel after it was turned off: 0');
  });
});

describe('the consent check', () => {
  const change = (
    changeName: 'consent-withdrawn' | 'consent-granted',
    occurredAt: string,
    applied = true,
  ) => ({
    userId: 'u-1',
    channel: 'sms' as const,
    change: changeName,
    applied,
    occurredAt,
    recordedAt: occurredAt,
    source: 'sms-keyword',
    eventId: occurredAt,
  });

  it('flags a message on a channel after it was turned off, and not one after it was turned back on', () => {
    const check = checkConsentHonoured(
      [
        { userId: 'u-1', channel: 'sms', sentAt: '2026-11-22T17:00:00.000Z' },
        { userId: 'u-1', channel: 'sms', sentAt: '2026-11-23T17:00:00.000Z' },
        { userId: 'u-1', channel: 'email', sentAt: '2026-11-23T17:00:00.000Z' },
        { userId: 'u-1', channel: 'sms', sentAt: '2026-11-25T17:00:00.000Z' },
      ],
      [
        change('consent-withdrawn', '2026-11-22T18:00:00.000Z'),
        change('consent-granted', '2026-11-24T18:00:00.000Z'),
        change('consent-withdrawn', '2026-11-24T19:00:00.000Z', false),
      ],
    );
    expect(check.violations.map((violation) => violation.sentAt)).toEqual(['2026-11-23T17:00:00.000Z']);
    expect(check.turnedOff).toEqual({ sms: 1 });
  });
});
