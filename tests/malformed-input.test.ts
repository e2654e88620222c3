import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient, ListTablesCommand, paginateScan } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignInput } from '../functions/campaign/definition';
import type { CallTask } from '../functions/channels/call-task-queue';
import { type LinkSigningKeys, signLinkToken } from '../functions/links/link-token';
import { expiredLinkPage, invalidLinkPage, unknownDestinationPage } from '../functions/links/pages';
import { signTrackedLink, type TrackedLinkSubject } from '../functions/links/tracked-link';
import { USER_IMPORT_STATE_MACHINE } from '../infra/imports';
import { createRekindleApp } from '../infra/rekindle-app';
import { parseDemoArgs } from '../local/demo-args';
import { parseEventsFile } from '../local/inbound-events';
import { agentApiRequest, linkRequest, oneClickUnsubscribe } from '../local/inbound-feed';
import { importPopulationFile, populationLineError, readImportReport } from '../local/population-import';
import { LocalRekindle } from '../local/runtime';
import { runOps } from '../ops/cli';
import { runReport } from '../report/cli';
import { validateCampaign } from '../statemachines/campaigns';
import { campaign as registeredNoVisit } from '../statemachines/campaigns/registered-no-visit';
import { aCallTask } from './support/call-tasks';
import { jsonFixture } from './support/fixtures';
import {
  CAMPAIGN,
  campaignsWithoutHoldout,
  RUN_DATE,
  RUN_ID,
  RUN_START,
  TIME_ZONE,
} from './support/local-rekindle';
import { aUser } from './support/users';

/**
 * Bad input, catalogued: every entry point of Rekindle refuses malformed input with a named error, and writes
 * nothing. Each case snapshots every table of the template before and after, and the sandbox outbox stays
 * empty. The world is seeded once (users, call tasks, an open run) and no case may change it.
 */

const fixture = jsonFixture;
const appEvent = fixture('eventbridge-app-event-login.json');
const sesDelivery = fixture('eventbridge-ses-delivery.json');
const sesBounce = fixture('eventbridge-ses-bounce-permanent.json');
const smsDelivered = fixture('eventbridge-sms-voice-text-delivered.json');
const inboundSms = fixture('sns-end-user-messaging-inbound-sms.json');
const [smsRecord] = inboundSms.Records;
const smsMessage = JSON.parse(smsRecord.Sns.Message);
const [, , smsLine = '', loginLine = '', sesLine = ''] = readFileSync(
  path.join(import.meta.dirname, 'fixtures', 'events-demo.jsonl'),
  'utf8',
).split('\n');
const populationLine = (user: Record<string, unknown>) => JSON.stringify({ ...aUser('u-1'), ...user });

// 2026-11-23 10:00 in Mexico City: inside calling hours, while the seeded call tasks are open.
const MORNING = new Date('2026-11-23T16:00:00.000Z');
const ANA = { sub: 'agent-ana', 'cognito:groups': '[agents]' };
const SUPERVISOR = { sub: 'sup-carla', 'cognito:groups': '[agents supervisors]' };
const OPERATOR = 'arn:aws:sts::123456789012:assumed-role/RekindleOps/alice';
const PHONE_BROWSER =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148';
const LIST_USERS = ['u-1', 'u-2'];
const BADLY_STAMPED_FILE = 'staged/badly-stamped.jsonl';

/** The app-events rule's delivery of this detail. */
const onTheBus = (detail: unknown) => ({ ...appEvent, detail });
/** A copy of a bus event with its detail changed. */
const withDetail = (event: { detail: Record<string, unknown> }, change: Record<string, unknown>) => ({
  ...event,
  detail: { ...event.detail, ...change },
});
/** The fixture's SNS delivery with its inbound SMS (and SNS fields) changed. */
const smsReply = (changes: Record<string, unknown> = {}, sns: Record<string, unknown> = {}) => ({
  Records: [
    {
      ...smsRecord,
      Sns: { ...smsRecord.Sns, Message: JSON.stringify({ ...smsMessage, ...changes }), ...sns },
    },
  ],
});
const login = (change: Record<string, unknown>) => ({ ...appEvent.detail, ...change });
const profile = (change: Record<string, unknown>) => ({
  type: 'profile',
  userId: 'u-1',
  occurredAt: '2026-11-22T18:00:00.000Z',
  ...change,
});
const consent = (change: Record<string, unknown>) => ({
  type: 'consent',
  userId: 'u-1',
  channel: 'sms',
  granted: false,
  source: 'app-settings',
  occurredAt: '2026-11-22T18:00:00.000Z',
  ...change,
});
/** A copy of registered-no-visit with fields replaced. */
const campaignWith = (change: Record<string, unknown>) => ({ ...registeredNoVisit, ...change });
/** A copy of registered-no-visit with its step `index` replaced. */
const withStep = (index: number, step: unknown) => ({
  ...registeredNoVisit,
  steps: registeredNoVisit.steps.map((candidate, at) => (at === index ? step : candidate)),
});
const smsStep = (body: string) => ({ type: 'channel', channel: 'sms', template: { en: { body } } });
/** The token with the character at `index` replaced by another base64url character. */
const withOneCharChanged = (token: string, index: number) =>
  `${token.slice(0, index)}${token[index] === 'A' ? 'B' : 'A'}${token.slice(index + 1)}`;
/** A tracked link of touch 1 of the run, as the send step signs it. */
const trackedLink = (keys: LinkSigningKeys, change: Partial<TrackedLinkSubject> = {}) =>
  signTrackedLink(
    {
      runId: RUN_ID,
      touch: 1,
      channel: 'sms',
      userId: 'u-1',
      destination: 'app',
      sentAt: '2026-11-22T16:00:00.000Z',
      validDays: 30,
      ...change,
    },
    keys,
  );
const unsubscribeToken = (keys: LinkSigningKeys, userId = 'u-1') =>
  signLinkToken({ userId, campaignId: CAMPAIGN }, keys);
const OTHER_KEYS: LinkSigningKeys = {
  current: 'local',
  keys: { local: 'not-our-key-0123456789abcdef012345' },
};

/** What an entry point answered: the error it refused with (or, for an HTTP API, its status and error). */
interface Answer {
  name: string;
  message: string;
  status?: number;
}

interface AgentRequest {
  method: 'GET' | 'POST';
  path: string;
  claims?: Record<string, string>;
  body?: string;
}

/** What each entry point takes. */
interface Inputs {
  'console input': unknown;
  'app event': unknown;
  'profile event': unknown;
  'consent event': unknown;
  'delivery event': unknown;
  'email feedback': unknown;
  'inbound SMS': unknown;
  'import input': unknown;
  'population line': string;
  'events file': string;
  'agent API': AgentRequest;
  'tracked link': { token: (keys: LinkSigningKeys) => string; method?: 'GET' | 'HEAD' };
  'unsubscribe link': { token: (keys: LinkSigningKeys) => string; method: 'GET' | 'POST' };
  'campaign definition': unknown;
  'npm start flags': string[];
  'npm run report flags': string[];
  'npm run ops flags': string[];
}
type EntryPoint = keyof Inputs;

type Case<E extends EntryPoint = EntryPoint> = {
  [P in E]: { entry: P; description: string; input: Inputs[P]; refusal: Partial<Answer> & { name: string } };
}[E];

/** Rows of one entry point: a description, the malformed input, what it must be refused with. */
const casesOf = <E extends EntryPoint>(
  entry: E,
  rows: [description: string, input: Inputs[E], refusal: Case['refusal']][],
): Case<E>[] =>
  rows.map(([description, input, refusal]) => ({ entry, description, input, refusal }) as Case<E>);

const refused = (name: string, message = '') => ({ name, message });
const answered = (status: number, name: string, message = '') => ({ status, name, message });

// The files the command lines are given: what is there, and what is not.
const outDirectory = mkdtempSync(path.join(tmpdir(), 'rekindle-malformed-'));
const missingFile = path.join(outDirectory, 'no-such-file.jsonl');
const fileWith = (name: string, text: string) => {
  const file = path.join(outDirectory, name);
  writeFileSync(file, text);
  return file;
};
const aFile = fileWith('a-file.txt', 'not a directory');
// What npm start -- --out DIR writes (here of a play without runs), and a directory without it.
const playDirectory = path.join(outDirectory, 'play');
mkdirSync(playDirectory);
writeFileSync(path.join(playDirectory, 'runs.json'), '[]');
writeFileSync(path.join(playDirectory, 'funnel.json'), '[]');
const emptyDirectory = path.join(outDirectory, 'empty');
mkdirSync(emptyDirectory);

const cases: Case[] = [
  ...casesOf('console input', [
    [
      'a run date that is no calendar date',
      { runDate: '2026-13-01' },
      refused('InvalidRunInput', 'runDate: must be a real calendar date'),
    ],
    [
      'a run date in another notation',
      { runDate: '22/11/2026' },
      refused('InvalidRunInput', 'runDate: must be a date as YYYY-MM-DD'),
    ],
    [
      'a time zone that does not exist',
      { timeZone: 'Mars/Olympus' },
      refused('InvalidRunInput', 'timeZone: must be an IANA time zone'),
    ],
    [
      'a time zone the campaign does not run in',
      { timeZone: 'Europe/Madrid' },
      refused('InvalidRunInput', 'timeZone: campaign registered-no-visit runs in America/Mexico_City'),
    ],
    ['a misspelt field', { runDtae: RUN_DATE }, refused('InvalidRunInput', 'runDtae: unknown field')],
    ['dryRun as text', { dryRun: 'yes' }, refused('InvalidRunInput', 'dryRun: ')],
    ['an empty user list', { userIds: [] }, refused('InvalidRunInput', 'userIds: ')],
    [
      'a user listed twice',
      { userIds: ['u-1', 'u-1'] },
      refused('InvalidRunInput', 'userIds: must not repeat a user id'),
    ],
    ['an empty user id in the list', { userIds: ['u-1', ''] }, refused('InvalidRunInput', 'userIds.1: ')],
    [
      'a user id longer than 128 characters',
      { userIds: ['x'.repeat(129)] },
      refused('InvalidRunInput', 'userIds.0: '),
    ],
    [
      'more than 1000 users',
      { userIds: Array.from({ length: 1001 }, (_, index) => `u-${index}`) },
      refused('InvalidRunInput', 'userIds: '),
    ],
    ['a limit of 0', { limit: 0 }, refused('InvalidRunInput', 'limit: ')],
    ['a fractional limit', { limit: 2.5 }, refused('InvalidRunInput', 'limit: ')],
    ['a limit as text', { limit: '10' }, refused('InvalidRunInput', 'limit: ')],
    ['an array for an input', [1, 2], refused('InvalidRunInput', '(root): ')],
    ['a date string for an input', RUN_DATE, refused('InvalidRunInput', '(root): ')],
    [
      'a second start of the day’s scheduled run',
      { runDate: RUN_DATE, timeZone: TIME_ZONE },
      refused('RunAlreadyStarted', `Run ${RUN_ID} has already started`),
    ],
    [
      'a second launch of the same user list, in another order',
      { runDate: RUN_DATE, userIds: [...LIST_USERS].reverse() },
      refused('RunAlreadyStarted', `Run ${RUN_ID}#users-`),
    ],
  ]),
  ...casesOf('app event', [
    ['no EventBridge envelope', appEvent.detail, refused('InvalidAppEvent', 'envelope ')],
    [
      'an envelope without its id',
      { ...appEvent, id: undefined },
      refused('InvalidAppEvent', 'envelope id: '),
    ],
    [
      'an envelope time that is no timestamp',
      { ...appEvent, time: 'now' },
      refused('InvalidAppEvent', 'envelope time: '),
    ],
    ['no detail', onTheBus(undefined), refused('InvalidAppEvent', '(root): ')],
    [
      'a login without a user',
      onTheBus(login({ userId: undefined })),
      refused('InvalidAppEvent', 'userId: '),
    ],
    ['a numeric user id', onTheBus(login({ userId: 42 })), refused('InvalidAppEvent', 'userId: ')],
    [
      'a user id longer than 128 characters',
      onTheBus(login({ userId: 'u'.repeat(129) })),
      refused('InvalidAppEvent', 'userId: '),
    ],
    ['an unknown event type', onTheBus(login({ type: 'logout' })), refused('InvalidAppEvent', 'type: ')],
    [
      'a click (only a tracked link’s endpoint counts clicks)',
      onTheBus(login({ type: 'click', touchId: 't' })),
      refused('InvalidAppEvent', 'type: '),
    ],
    [
      'a time that is not ISO 8601',
      onTheBus(login({ occurredAt: 'yesterday' })),
      refused('InvalidAppEvent', 'occurredAt: must be an ISO 8601 timestamp'),
    ],
    [
      'a time without its offset',
      onTheBus(login({ occurredAt: '2026-11-22T18:10:00' })),
      refused('InvalidAppEvent', 'occurredAt: must be an ISO 8601 timestamp'),
    ],
    [
      'a lifecycle event with an extra field',
      onTheBus(login({ channel: 'push' })),
      refused('InvalidAppEvent', 'channel: unknown field'),
    ],
  ]),
  ...casesOf('profile event', [
    [
      'a phone that is not E.164',
      onTheBus(profile({ contact: { phone: '55 1234 5678' } })),
      refused('InvalidAppEvent', 'contact.phone: must be an E.164'),
    ],
    [
      'an email that is no address',
      onTheBus(profile({ contact: { email: 'ana' } })),
      refused('InvalidAppEvent', 'contact.email: must be an email address'),
    ],
    [
      'an unknown contact field',
      onTheBus(profile({ contact: { fax: '+525512345678' } })),
      refused('InvalidAppEvent', 'contact.fax: unknown field'),
    ],
    [
      'a push registration on another platform',
      onTheBus(profile({ push: { token: 't', platform: 'webpush' } })),
      refused('InvalidAppEvent', 'push.platform: '),
    ],
    [
      'a push registration without its token',
      onTheBus(profile({ push: { token: '', platform: 'fcm' } })),
      refused('InvalidAppEvent', 'push.token: '),
    ],
    [
      'a time zone that does not exist',
      onTheBus(profile({ timeZone: 'Mexico/Nowhere' })),
      refused('InvalidAppEvent', 'timeZone: must be an IANA time zone'),
    ],
    [
      'a locale by name',
      onTheBus(profile({ locale: 'Spanish' })),
      refused('InvalidAppEvent', 'locale: must be a locale such as es-MX'),
    ],
    [
      'a consent as text',
      onTheBus(profile({ consents: { sms: 'yes' } })),
      refused('InvalidAppEvent', 'consents.sms: '),
    ],
    [
      'a consent on a channel that does not exist',
      onTheBus(profile({ consents: { whatsapp: true } })),
      refused('InvalidAppEvent', 'consents.whatsapp: unknown field'),
    ],
    [
      'a lifecycle moment that is no timestamp',
      onTheBus(profile({ lifecycle: { lastLoginAt: 'last week' } })),
      refused('InvalidAppEvent', 'lifecycle.lastLoginAt: must be an ISO 8601'),
    ],
    [
      'a ring that does not exist',
      onTheBus(profile({ ring: 'outermost' })),
      refused('InvalidAppEvent', 'ring: '),
    ],
    ['an empty tag', onTheBus(profile({ tags: [''] })), refused('InvalidAppEvent', 'tags.0: ')],
    [
      'a field outside the import format',
      onTheBus(profile({ segment: 'vip' })),
      refused('InvalidAppEvent', 'segment: unknown field'),
    ],
  ]),
  ...casesOf('consent event', [
    ['no granted', onTheBus(consent({ granted: undefined })), refused('InvalidAppEvent', 'granted: ')],
    ['granted as text', onTheBus(consent({ granted: 'false' })), refused('InvalidAppEvent', 'granted: ')],
    [
      'a channel that does not exist',
      onTheBus(consent({ channel: 'fax' })),
      refused('InvalidAppEvent', 'channel: '),
    ],
    [
      'a source that is not kebab-case',
      onTheBus(consent({ source: 'App Settings' })),
      refused('InvalidAppEvent', 'source: must be a kebab-case source'),
    ],
    [
      'a do-not-call on SMS',
      onTheBus(consent({ source: 'do-not-call' })),
      refused('InvalidAppEvent', 'source: do-not-call withdraws the call channel'),
    ],
    [
      'a do-not-call that grants',
      onTheBus(consent({ source: 'do-not-call', channel: 'call', granted: true })),
      refused('InvalidAppEvent', 'source: do-not-call withdraws the call channel'),
    ],
    [
      'a consent carrying a phone',
      onTheBus(consent({ phone: '+525512345678' })),
      refused('InvalidAppEvent', 'phone: unknown field'),
    ],
  ]),
  ...casesOf('delivery event', [
    ['no EventBridge envelope', sesDelivery.detail, refused('InvalidDeliveryEvent', 'envelope ')],
    [
      'from another source',
      { ...sesDelivery, source: 'aws.sns' },
      refused(
        'InvalidDeliveryEvent',
        'source and detail-type: not a delivery event (aws.sns, Email Delivered)',
      ),
    ],
    [
      'an SES detail-type Rekindle does not read',
      { ...sesDelivery, 'detail-type': 'Email Rendering Failed' },
      refused('InvalidDeliveryEvent', 'not a delivery event'),
    ],
    [
      'an SES event without its message id',
      withDetail(sesDelivery, { mail: { ...sesDelivery.detail.mail, messageId: '' } }),
      refused('InvalidDeliveryEvent', 'detail.mail.messageId: '),
    ],
    [
      'a delivery at a time that is not ISO 8601',
      withDetail(sesDelivery, { delivery: { timestamp: 'yesterday' } }),
      refused('InvalidDeliveryEvent', 'detail.delivery.timestamp: must be an ISO 8601 timestamp'),
    ],
    [
      'a user tag that is not one base64url id',
      withDetail(sesDelivery, {
        mail: { ...sesDelivery.detail.mail, tags: { ...sesDelivery.detail.mail.tags, user: ['u 1!'] } },
      }),
      refused('InvalidDeliveryEvent', 'detail.mail.tags.user: must be one base64url id'),
    ],
    [
      'an SMS event of a type that is not TEXT_',
      withDetail(smsDelivered, { eventType: 'VOICE_ANSWERED' }),
      refused('InvalidDeliveryEvent', 'detail.eventType: must be an End User Messaging TEXT_ event type'),
    ],
    [
      'an SMS event with its time as text',
      withDetail(smsDelivered, { eventTimestamp: '2026-11-23T17:00:09Z' }),
      refused('InvalidDeliveryEvent', 'detail.eventTimestamp: '),
    ],
    [
      'an SMS event whose isFinal is text',
      withDetail(smsDelivered, { isFinal: 'true' }),
      refused('InvalidDeliveryEvent', 'detail.isFinal: '),
    ],
  ]),
  ...casesOf('email feedback', [
    [
      'an envelope without detail-type',
      { ...sesBounce, 'detail-type': undefined },
      refused('InvalidEmailFeedback', 'envelope detail-type: '),
    ],
    [
      'an event type that is not feedback',
      withDetail(sesBounce, { eventType: 'Delivery' }),
      refused('InvalidEmailFeedback', 'detail.eventType: '),
    ],
    [
      'a bounce of an unknown type',
      withDetail(sesBounce, { bounce: { ...sesBounce.detail.bounce, bounceType: 'Hard' } }),
      refused('InvalidEmailFeedback', 'detail.bounce.bounceType: '),
    ],
    [
      'a bounce at a time that is not ISO 8601',
      withDetail(sesBounce, { bounce: { ...sesBounce.detail.bounce, timestamp: 'soon' } }),
      refused('InvalidEmailFeedback', 'detail.bounce.timestamp: must be an ISO 8601'),
    ],
    [
      'mail without tags',
      withDetail(sesBounce, { mail: { ...sesBounce.detail.mail, tags: undefined } }),
      refused('InvalidEmailFeedback', 'detail.mail.tags: '),
    ],
    [
      'a user tag that is not base64url',
      withDetail(sesBounce, { mail: { ...sesBounce.detail.mail, tags: { user: ['u 1!'] } } }),
      refused('InvalidEmailFeedback', 'mail.tags.user: must be one base64url user id'),
    ],
  ]),
  ...casesOf('inbound SMS', [
    ['no Records', {}, refused('InvalidInboundSms', 'Records: ')],
    ['an empty Records list', { Records: [] }, refused('InvalidInboundSms', 'Records: ')],
    [
      'a Message that is not JSON',
      smsReply({}, { Message: 'STOP' }),
      refused('InvalidInboundSms', 'Records.0.Sns.Message: must be a JSON inbound SMS'),
    ],
    [
      'a phone that is not E.164',
      smsReply({ originationNumber: '5512345678' }),
      refused('InvalidInboundSms', 'Records.0.Sns.Message.originationNumber: must be an E.164'),
    ],
    [
      'a numeric messageBody',
      smsReply({ messageBody: 42 }),
      refused('InvalidInboundSms', 'Records.0.Sns.Message.messageBody: '),
    ],
    [
      'a Timestamp that is no time',
      smsReply({}, { Timestamp: 'yesterday' }),
      refused('InvalidInboundSms', 'Records.0.Sns.Timestamp: '),
    ],
    [
      'a record from another source',
      { Records: [{ ...smsRecord, EventSource: 'aws:sqs' }] },
      refused('InvalidInboundSms', 'Records.0.EventSource: '),
    ],
    [
      'a good STOP from a user’s phone with a malformed record after it',
      { Records: [smsRecord, ...smsReply({ inboundMessageId: '' }).Records] },
      refused('InvalidInboundSms', 'Records.1.Sns.Message.inboundMessageId: '),
    ],
  ]),
  ...casesOf('import input', [
    ['no key', {}, refused('InvalidImportInput', 'key: ')],
    [
      'a key outside incoming/ and staged/',
      { key: 'elsewhere/users.jsonl' },
      refused('InvalidImportInput', 'key: must be an object key under incoming/ or staged/'),
    ],
    [
      'an asOf that is no timestamp',
      { key: 'incoming/x.jsonl', asOf: 'last week' },
      refused('InvalidImportInput', 'asOf: must be an ISO 8601 timestamp'),
    ],
    [
      'validateOnly as text',
      { key: 'incoming/x.jsonl', validateOnly: 'yes' },
      refused('InvalidImportInput', 'validateOnly: '),
    ],
    [
      'chunks smaller than 1 KiB',
      { key: 'incoming/x.jsonl', chunkBytes: 10 },
      refused('InvalidImportInput', 'chunkBytes: '),
    ],
    [
      'a field it does not know',
      { key: 'incoming/x.jsonl', dryRun: true },
      refused('InvalidImportInput', 'dryRun: unknown field'),
    ],
    [
      'a file uploaded with an as-of time that is none',
      { key: BADLY_STAMPED_FILE },
      refused(
        'InvalidImportInput',
        'asOf: the file\'s as-of metadata must be an ISO 8601 timestamp, not "yesterday"',
      ),
    ],
    [
      'a key with no file',
      { key: 'incoming/missing.jsonl' },
      refused('ImportFileNotFound', 'key: no object incoming/missing.jsonl'),
    ],
  ]),
  ...casesOf('population line', [
    [
      'a line that is not JSON',
      '{"userId": "u-1", "contact": ',
      refused('PopulationLineInvalid', 'Population line 1: not valid JSON'),
    ],
    [
      'an array',
      '[1, 2]',
      refused('PopulationLineInvalid', 'Population line 1: Invalid input: expected object, received array'),
    ],
    [
      'a line without its userId',
      populationLine({ userId: undefined }),
      refused('PopulationLineInvalid', 'Population line 1: field userId: '),
    ],
    [
      'a known user’s phone that is not E.164',
      populationLine({ contact: { phone: '+52 55' } }),
      refused('PopulationLineInvalid', 'Population line 1: field contact.phone: must be an E.164'),
    ],
    [
      'a push registration on another platform',
      populationLine({ push: { token: 't', platform: 'webpush' } }),
      refused('PopulationLineInvalid', 'Population line 1: field push.platform: '),
    ],
    [
      'a time zone that does not exist',
      populationLine({ timeZone: 'Mars/Olympus' }),
      refused('PopulationLineInvalid', 'Population line 1: field timeZone: must be an IANA time zone'),
    ],
    [
      'consents without call',
      populationLine({ consents: { push: true, sms: true, email: true } }),
      refused('PopulationLineInvalid', 'Population line 1: field consents.call: '),
    ],
    [
      'a registration that is no timestamp',
      populationLine({ lifecycle: { registeredAt: '19/11/2026' } }),
      refused(
        'PopulationLineInvalid',
        'Population line 1: field lifecycle.registeredAt: must be an ISO 8601',
      ),
    ],
    [
      'a value tier that does not exist',
      populationLine({ valueTier: 'gold' }),
      refused('PopulationLineInvalid', 'Population line 1: field valueTier: '),
    ],
    [
      'a field outside the import format',
      populationLine({ segment: 'vip' }),
      refused('PopulationLineInvalid', 'Population line 1: field segment: unknown field'),
    ],
    [
      'a bad line after blank lines, numbered as in the file',
      `\n\n${populationLine({ locale: 'Spanish' })}`,
      refused('PopulationLineInvalid', 'Population line 3: field locale: must be a locale such as es-MX'),
    ],
    [
      'a line longer than 64 KiB',
      populationLine({ tags: ['x'.repeat(70_000)] }),
      refused('PopulationLineInvalid', 'Population line 1: longer than 65536 bytes'),
    ],
  ]),
  ...casesOf('events file', [
    [
      'broken JSON',
      `${loginLine}\n{"type":"login"`,
      refused('EventsLineInvalid', 'Events line 2: not valid JSON'),
    ],
    [
      'a line that is null',
      'null',
      refused('EventsLineInvalid', 'Events line 1: field type: unknown event type "undefined"'),
    ],
    [
      'an unknown type',
      '{"type":"logout","userId":"u-1","occurredAt":"2026-11-22T18:00:00Z"}',
      refused('EventsLineInvalid', 'Events line 1: field type: unknown event type "logout"'),
    ],
    [
      'a login without its time',
      '{"type":"login","userId":"u-1"}',
      refused('EventsLineInvalid', 'Events line 1: field occurredAt: '),
    ],
    [
      'an SMS reply from a number that is not E.164',
      smsLine.replace('+525511110002', '5511110002'),
      refused('EventsLineInvalid', 'Events line 1: field message.originationNumber: must be an E.164'),
    ],
    [
      'a push result with an unknown status',
      '{"type":"push-result","occurredAt":"2026-11-22T12:00:00Z","token":"t","result":{"DeliveryStatus":"GONE","StatusCode":410}}',
      refused('EventsLineInvalid', 'Events line 1: field result.DeliveryStatus: '),
    ],
    [
      'an unsubscribe with both a user and a link',
      '{"type":"unsubscribe","occurredAt":"2026-11-22T18:00:00Z","userId":"u-1","url":"https://links.example/unsubscribe/x"}',
      refused('EventsLineInvalid', 'Events line 1: field userId: give either userId'),
    ],
    [
      'a link request with an upper-case header name',
      '{"type":"link-request","occurredAt":"2026-11-22T18:00:00Z","url":"https://links.example/l/x","headers":{"User-Agent":"x"}}',
      refused('EventsLineInvalid', 'Events line 1: field headers.User-Agent: '),
    ],
    [
      'a link request by POST',
      '{"type":"link-request","occurredAt":"2026-11-22T18:00:00Z","url":"https://links.example/l/x","method":"POST"}',
      refused('EventsLineInvalid', 'Events line 1: field method: '),
    ],
    [
      'an operator pause of a campaign the stack does not run',
      '{"type":"operator","action":"pause","campaignId":"no-such-campaign","occurredAt":"2026-11-22T18:00:00Z"}',
      refused('EventsLineInvalid', 'Events line 1: field campaignId: no campaign no-such-campaign'),
    ],
    [
      'an operator stop without its run',
      '{"type":"operator","action":"stop","occurredAt":"2026-11-22T18:00:00Z"}',
      refused('EventsLineInvalid', 'Events line 1: field runId: stop needs the run id'),
    ],
    [
      'an agent call with a disposition agents cannot record',
      '{"type":"agent-call","occurredAt":"2026-11-23T16:00:00Z","queue":"onboarding","agent":"agent-ana","outcome":{"disposition":"hung-up"}}',
      refused('EventsLineInvalid', 'Events line 1: field outcome.disposition: '),
    ],
    [
      'an agent call not interested without its reason',
      '{"type":"agent-call","occurredAt":"2026-11-23T16:00:00Z","queue":"onboarding","agent":"agent-ana","outcome":{"disposition":"reached-not-interested"}}',
      refused(
        'EventsLineInvalid',
        'Events line 1: field outcome.reason: reached-not-interested needs a reason',
      ),
    ],
    [
      'an SES delivery without its mail',
      JSON.stringify({
        type: 'ses-event',
        occurredAt: '2026-11-23T18:00:00Z',
        event: withDetail(sesDelivery, { mail: undefined }),
      }),
      refused('EventsLineInvalid', 'Events line 1: field event: detail.mail: '),
    ],
    [
      'an SES bounce without its sub-type (the consent path reads it)',
      JSON.stringify({
        type: 'ses-event',
        occurredAt: '2026-11-23T18:00:00Z',
        event: withDetail(sesBounce, { bounce: { ...sesBounce.detail.bounce, bounceSubType: undefined } }),
      }),
      refused('EventsLineInvalid', 'Events line 1: field event: detail.bounce.bounceSubType: '),
    ],
    [
      'an SES event without its envelope id',
      sesLine.replace(/"id":"[^"]+",/, ''),
      refused('EventsLineInvalid', 'Events line 1: field event: envelope id: '),
    ],
    [
      'an SMS delivery event with its time as text',
      JSON.stringify({
        type: 'sms-event',
        occurredAt: '2026-11-23T17:00:09Z',
        event: withDetail(smsDelivered, { eventTimestamp: '2026-11-23T17:00:09Z' }),
      }),
      refused('EventsLineInvalid', 'Events line 1: field event: detail.eventTimestamp: '),
    ],
  ]),
  ...casesOf('agent API', [
    ['no token', { method: 'POST', path: '/queues/onboarding/next' }, answered(401, 'AgentNotAuthenticated')],
    [
      'a token without its subject',
      { method: 'POST', path: '/queues/onboarding/next', claims: { 'cognito:groups': '[agents]' } },
      answered(401, 'AgentNotAuthenticated'),
    ],
    [
      'a caller outside the agents group',
      {
        method: 'POST',
        path: '/queues/onboarding/next',
        claims: { sub: 'someone', 'cognito:groups': '[marketing]' },
      },
      answered(403, 'AgentNotAllowed'),
    ],
    [
      'an agent asking for the supervisors’ overview',
      { method: 'GET', path: '/queues/onboarding', claims: ANA },
      answered(403, 'AgentNotAllowed'),
    ],
    [
      'a queue name with a space',
      { method: 'POST', path: '/queues/On%20boarding/next', claims: ANA },
      answered(400, 'InvalidAgentRequest', 'queue: '),
    ],
    [
      'an overview of a queue name in capitals',
      { method: 'GET', path: '/queues/ON_BOARD', claims: SUPERVISOR },
      answered(400, 'InvalidAgentRequest', 'queue: '),
    ],
    [
      'a task id longer than 300 characters',
      { method: 'GET', path: `/tasks/${'t'.repeat(301)}`, claims: ANA },
      answered(400, 'InvalidAgentRequest', 'taskId: '),
    ],
    [
      'a task id whose percent-escapes do not decode',
      { method: 'GET', path: '/tasks/task-u1%E0%A4%A', claims: ANA },
      answered(400, 'InvalidAgentRequest', 'path: must be percent-encoded'),
    ],
    [
      'a route the API does not have',
      { method: 'GET', path: '/calls', claims: ANA },
      answered(404, 'NotFoundError'),
    ],
    [
      'an outcome that is not JSON',
      { method: 'POST', path: '/tasks/task-u1/outcome', claims: ANA, body: '{nope' },
      answered(400, 'InvalidAgentRequest', 'body: must be JSON'),
    ],
    [
      'an outcome without a body',
      { method: 'POST', path: '/tasks/task-u1/outcome', claims: ANA },
      answered(400, 'InvalidAgentRequest', 'body: must be JSON'),
    ],
    [
      'an outcome as an array',
      { method: 'POST', path: '/tasks/task-u1/outcome', claims: ANA, body: '[{"disposition":"busy"}]' },
      answered(400, 'InvalidAgentRequest', '(root): '),
    ],
    [
      'an unknown disposition',
      { method: 'POST', path: '/tasks/task-u1/outcome', claims: ANA, body: '{"disposition":"hung-up"}' },
      answered(400, 'InvalidAgentRequest', 'disposition: '),
    ],
    [
      'not interested without a reason',
      {
        method: 'POST',
        path: '/tasks/task-u1/outcome',
        claims: ANA,
        body: '{"disposition":"reached-not-interested"}',
      },
      answered(400, 'InvalidAgentRequest', 'reason: reached-not-interested needs a reason'),
    ],
    [
      'a reason on another disposition',
      {
        method: 'POST',
        path: '/tasks/task-u1/outcome',
        claims: ANA,
        body: '{"disposition":"busy","reason":"rate-too-high"}',
      },
      answered(400, 'InvalidAgentRequest', 'reason: only reached-not-interested takes a reason'),
    ],
    [
      'a callback time in the past',
      {
        method: 'POST',
        path: '/tasks/task-u1/outcome',
        claims: ANA,
        body: '{"disposition":"callback-requested","callbackAt":"2026-11-23T15:00:00Z"}',
      },
      answered(400, 'InvalidAgentRequest', 'callbackAt: must be in the future'),
    ],
    [
      'a note longer than 1000 characters',
      {
        method: 'POST',
        path: '/tasks/task-u1/outcome',
        claims: ANA,
        body: JSON.stringify({ disposition: 'busy', note: 'x'.repeat(1001) }),
      },
      answered(400, 'InvalidAgentRequest', 'note: '),
    ],
    [
      'an outcome carrying a phone',
      {
        method: 'POST',
        path: '/tasks/task-u1/outcome',
        claims: ANA,
        body: '{"disposition":"busy","phone":"+525512345678"}',
      },
      answered(400, 'InvalidAgentRequest', 'phone: unknown field'),
    ],
    [
      'an outcome on an unknown task',
      { method: 'POST', path: '/tasks/task-nobody/outcome', claims: ANA, body: '{"disposition":"busy"}' },
      answered(404, 'TaskNotFound'),
    ],
    [
      'an outcome on a task never taken',
      { method: 'POST', path: '/tasks/task-u2/outcome', claims: ANA, body: '{"disposition":"busy"}' },
      answered(409, 'LeaseNotHeld'),
    ],
    [
      'an outcome on a task another agent holds',
      { method: 'POST', path: '/tasks/task-beto/outcome', claims: ANA, body: '{"disposition":"no-answer"}' },
      answered(409, 'LeaseNotHeld'),
    ],
    [
      'an outcome on a closed task',
      { method: 'POST', path: '/tasks/task-done/outcome', claims: ANA, body: '{"disposition":"busy"}' },
      answered(409, 'TaskClosed'),
    ],
  ]),
  ...casesOf('tracked link', [
    ['garbage', { token: () => 'hello' }, answered(400, 'InvalidLinkToken')],
    [
      'forged with a key we do not have',
      { token: () => trackedLink(OTHER_KEYS) },
      answered(400, 'InvalidLinkToken'),
    ],
    [
      'tampered: one character of the payload changed',
      { token: (keys) => withOneCharChanged(trackedLink(keys), 20) },
      answered(400, 'InvalidLinkToken'),
    ],
    [
      'tampered, by a link checker’s HEAD',
      { token: (keys) => withOneCharChanged(trackedLink(keys), 20), method: 'HEAD' },
      answered(400, 'InvalidLinkToken'),
    ],
    ['truncated', { token: (keys) => trackedLink(keys).slice(0, -4) }, answered(400, 'InvalidLinkToken')],
    [
      'under a key id we never had',
      { token: (keys) => `k7${trackedLink(keys).slice('local'.length)}` },
      answered(400, 'InvalidLinkToken'),
    ],
    [
      'an unsubscribe token instead',
      { token: (keys) => unsubscribeToken(keys) },
      answered(400, 'InvalidLinkToken'),
    ],
    [
      'expired',
      { token: (keys) => trackedLink(keys, { sentAt: '2026-10-01T17:00:00.000Z' }) },
      answered(410, 'LinkExpired'),
    ],
    [
      'to a destination off the allowlist',
      { token: (keys) => trackedLink(keys, { destination: 'casino' }) },
      answered(404, 'LinkDestinationGone'),
    ],
    [
      'mangled on its way: percent-escapes that do not decode',
      { token: (keys) => `${trackedLink(keys)}%E0%A4%A` },
      answered(400, 'InvalidLinkToken'),
    ],
  ]),
  ...casesOf('unsubscribe link', [
    ['garbage', { token: () => 'hello', method: 'POST' }, answered(400, 'InvalidLinkToken')],
    [
      'forged for a known user with a key we do not have',
      { token: () => unsubscribeToken(OTHER_KEYS), method: 'POST' },
      answered(400, 'InvalidLinkToken'),
    ],
    [
      'another user with the first user’s signature',
      {
        token: (keys) => {
          const [keyId, , campaign, signature] = unsubscribeToken(keys).split('.');
          return `${keyId}.${Buffer.from('u-2').toString('base64url')}.${campaign}.${signature}`;
        },
        method: 'POST',
      },
      answered(400, 'InvalidLinkToken'),
    ],
    [
      'one character of the signature changed',
      {
        token: (keys) => withOneCharChanged(unsubscribeToken(keys), unsubscribeToken(keys).length - 5),
        method: 'POST',
      },
      answered(400, 'InvalidLinkToken'),
    ],
    [
      'cut before the signature',
      { token: (keys) => unsubscribeToken(keys).split('.').slice(0, 3).join('.'), method: 'POST' },
      answered(400, 'InvalidLinkToken'),
    ],
    [
      'an extra segment',
      { token: (keys) => `${unsubscribeToken(keys)}.x`, method: 'POST' },
      answered(400, 'InvalidLinkToken'),
    ],
    [
      'a tracked link’s token instead',
      { token: (keys) => trackedLink(keys), method: 'POST' },
      answered(400, 'InvalidLinkToken'),
    ],
    [
      'an unknown key id, fetched by a scanner’s GET',
      { token: (keys) => `k9${unsubscribeToken(keys).slice('local'.length)}`, method: 'GET' },
      answered(400, 'InvalidLinkToken'),
    ],
    [
      'mangled on its way: percent-escapes that do not decode',
      { token: (keys) => `${unsubscribeToken(keys)}%E0%A4%A`, method: 'POST' },
      answered(400, 'InvalidLinkToken'),
    ],
  ]),
  ...casesOf('campaign definition', [
    [
      'an id that is not kebab-case',
      campaignWith({ id: 'Registered_No_Visit' }),
      refused('InvalidCampaign', 'id: must be kebab-case'),
    ],
    [
      'a field it does not know',
      campaignWith({ holdout: 5 }),
      refused('InvalidCampaign', 'holdout: unknown field'),
    ],
    ['a goal that does not exist', campaignWith({ goal: 'signup' }), refused('InvalidCampaign', 'goal: ')],
    [
      'a dormancy model that does not exist',
      campaignWith({ audience: { dormancyModel: 'sleeping' } }),
      refused('InvalidCampaign', 'audience.dormancyModel: '),
    ],
    ['no time zone', campaignWith({ timeZones: [] }), refused('InvalidCampaign', 'timeZones: ')],
    [
      'a time zone given twice',
      campaignWith({ timeZones: [TIME_ZONE, TIME_ZONE] }),
      refused('InvalidCampaign', 'timeZones: must not repeat a time zone'),
    ],
    [
      'a time zone that does not exist',
      campaignWith({ timeZones: ['Mars/Olympus'] }),
      refused('InvalidCampaign', 'timeZones.0: must be an IANA time zone'),
    ],
    [
      'a send window that ends before it starts',
      campaignWith({ sendWindows: [{ start: '19:00', end: '11:00' }] }),
      refused('InvalidCampaign', 'sendWindows.0: start must be before end'),
    ],
    [
      'a send window at 25:00',
      campaignWith({ sendWindows: [{ start: '11:00', end: '25:00' }] }),
      refused('InvalidCampaign', 'sendWindows.0.end: must be a local time as HH:MM'),
    ],
    ['no steps', campaignWith({ steps: [] }), refused('InvalidCampaign', 'steps: ')],
    [
      'two channel steps without a wait',
      withStep(1, smsStep('Log in now')),
      refused('InvalidCampaign', 'steps.1: two channel steps need a wait between them'),
    ],
    [
      'a wait first',
      campaignWith({ steps: [{ type: 'wait', minDays: 1 }, ...registeredNoVisit.steps] }),
      refused('InvalidCampaign', 'steps.0: a wait must follow a channel step'),
    ],
    [
      'a ladder that ends with a wait',
      campaignWith({ steps: [...registeredNoVisit.steps, { type: 'wait', minDays: 1 }] }),
      refused('InvalidCampaign', 'steps: must end with a channel step'),
    ],
    [
      'a channel twice in the ladder',
      withStep(4, smsStep('Log in now')),
      refused('InvalidCampaign', 'steps: each channel may appear once in the ladder'),
    ],
    [
      'a template without its en fallback',
      withStep(2, { type: 'channel', channel: 'sms', template: { es: { body: 'Entra' } } }),
      refused('InvalidCampaign', 'steps.2.template: must have an "en" entry'),
    ],
    [
      'a push title over 60 characters',
      withStep(0, {
        type: 'channel',
        channel: 'push',
        template: { en: { title: 'x'.repeat(61), body: 'Log in' } },
      }),
      refused('InvalidCampaign', 'steps.0.template.en.title: '),
    ],
    [
      '{offer} in copy of a step with no offer',
      withStep(2, smsStep('Your {offer} is waiting')),
      refused('InvalidCampaign', 'steps.2.template: uses {offer} but the step has no offer'),
    ],
    [
      'a single variant',
      withStep(2, {
        ...smsStep('Log in'),
        variants: [{ id: 'a', weight: 1, template: { en: { body: 'Hi' } } }],
      }),
      refused('InvalidCampaign', 'steps.2.variants: '),
    ],
    [
      'two variants of one id',
      withStep(2, {
        ...smsStep('Log in'),
        variants: ['Hi', 'Hello'].map((body) => ({ id: 'a', weight: 1, template: { en: { body } } })),
      }),
      refused('InvalidCampaign', 'steps.2.variants: must not repeat a variant id'),
    ],
    [
      'a call step without its queue',
      withStep(6, { type: 'channel', channel: 'call', template: { en: { script: 'Call' } } }),
      refused('InvalidCampaign', 'steps.6.queue: '),
    ],
    [
      'a wait of 0 days',
      withStep(1, { type: 'wait', minDays: 0 }),
      refused('InvalidCampaign', 'steps.1.minDays: '),
    ],
    [
      'a holdout over half the cohort',
      campaignWith({ holdoutPercent: 60 }),
      refused('InvalidCampaign', 'holdoutPercent: '),
    ],
    ['batches of 0 users', campaignWith({ batchSize: 0 }), refused('InvalidCampaign', 'batchSize: ')],
    [
      'a send window inside quiet hours',
      campaignWith({ sendWindows: [{ start: '21:30', end: '22:30' }] }),
      refused('CampaignInQuietHours'),
    ],
    [
      'a link to a destination off the allowlist',
      withStep(2, smsStep('See {link:casino} now')),
      refused('LinkDestinationUnknown', 'steps.2.template.en.body: {link:casino}'),
    ],
    [
      'a raw URL in copy',
      withStep(2, smsStep('See https://evil.example/x now')),
      refused(
        'UntrackedLinkInCopy',
        'steps.2.template.en.body: links in copy must be {link:<destination>} placeholders',
      ),
    ],
  ]),
  ...casesOf('npm start flags', [
    ['--days 0', ['--days', '0'], refused('UsageError', '--days must be a positive whole number, not "0"')],
    [
      '--days two',
      ['--days', 'two'],
      refused('UsageError', '--days must be a positive whole number, not "two"'),
    ],
    ['--days 1.5', ['--days', '1.5'], refused('UsageError', '--days must be a positive whole number')],
    [
      '--days without its value',
      ['--days'],
      refused('UsageError', "Option '--days <value>' argument missing"),
    ],
    ['--seed abc', ['--seed', 'abc'], refused('UsageError', '--seed must be a whole number, not "abc"')],
    ['--seed 1.5', ['--seed', '1.5'], refused('UsageError', '--seed must be a whole number')],
    ['an empty --seed', ['--seed', ''], refused('UsageError', '--seed must be a whole number, not ""')],
    [
      '--date 2026-02-30',
      ['--date', '2026-02-30'],
      refused('UsageError', '--date must be a real date as YYYY-MM-DD, not "2026-02-30"'),
    ],
    [
      '--date 22/11/2026',
      ['--date', '22/11/2026'],
      refused('UsageError', '--date must be a real date as YYYY-MM-DD'),
    ],
    ['an option it does not know', ['--colour', 'red'], refused('UsageError', "Unknown option '--colour'")],
    ['a stray argument', ['3'], refused('UsageError', "Unexpected argument '3'")],
    [
      '--population naming no file',
      ['--population', missingFile],
      refused('UsageError', `--population ${missingFile}: there is no such file`),
    ],
    [
      '--events naming no file',
      ['--events', missingFile],
      refused('UsageError', `--events ${missingFile}: there is no such file`),
    ],
    [
      '--events naming a directory',
      ['--events', outDirectory],
      refused('UsageError', `--events ${outDirectory}: there is no such file`),
    ],
    ['--out naming a file', ['--out', aFile], refused('UsageError', `--out ${aFile}: a file is in the way`)],
  ]),
  ...casesOf('npm run report flags', [
    ['no source', [], refused('ReportUsageError', 'Give either --out DIR or --stack NAME')],
    [
      'two sources',
      ['--out', playDirectory, '--stack', 'Rekindle'],
      refused('ReportUsageError', 'Give either --out DIR or --stack NAME'),
    ],
    [
      'a from date that is no date',
      ['--out', playDirectory, '--from', '2026-13-01'],
      refused('ReportUsageError', '--from must be a date as YYYY-MM-DD'),
    ],
    [
      'a to date in another notation',
      ['--stack', 'Rekindle', '--to', '22.11.2026'],
      refused('ReportUsageError', '--to must be a date as YYYY-MM-DD'),
    ],
    [
      'a range backwards',
      ['--out', playDirectory, '--from', '2026-11-23', '--to', '2026-11-22'],
      refused('ReportUsageError', '--from is after --to'),
    ],
    [
      'a run and a range',
      ['--out', playDirectory, '--run', RUN_ID, '--from', '2026-11-22'],
      refused('ReportUsageError', 'Give --run or a date range, not both'),
    ],
    [
      'a stray argument',
      ['--out', playDirectory, 'extra'],
      refused('ReportUsageError', 'Unexpected arguments: extra'),
    ],
    [
      'an option it does not know',
      ['--out', playDirectory, '--format', 'pdf'],
      refused('ReportUsageError', "Unknown option '--format'"),
    ],
    [
      '--prices naming no file',
      ['--out', playDirectory, '--prices', missingFile],
      refused('ReportUsageError', `Cannot read ${missingFile}`),
    ],
    [
      '--prices that are not JSON',
      ['--out', playDirectory, '--prices', fileWith('prices.txt', 'sms=0.03')],
      refused('ReportUsageError', 'is not JSON'),
    ],
    [
      'a negative price',
      ['--out', playDirectory, '--prices', fileWith('negative.json', '{"email":-1}')],
      refused('ReportUsageError', 'email'),
    ],
    [
      'a directory without a play’s output',
      ['--out', emptyDirectory],
      refused('ReportUsageError', `Cannot read ${path.join(emptyDirectory, 'runs.json')}`),
    ],
    [
      'a run the directory does not hold',
      ['--out', playDirectory, '--run', 'nope'],
      refused('ReportUsageError', `No run nope in ${playDirectory}`),
    ],
    [
      '--html into a directory that is not there',
      ['--out', playDirectory, '--html', path.join(missingFile, 'report.html')],
      refused('ReportUsageError', `--html ${path.join(missingFile, 'report.html')}: there is no directory`),
    ],
  ]),
  ...casesOf('npm run ops flags', [
    ['no command', [], refused('OpsUsageError', 'Usage: npm run ops')],
    ['an unknown command', ['halt', CAMPAIGN], refused('OpsUsageError', 'Unknown command "halt"')],
    [
      'pause without a target',
      ['pause'],
      refused('OpsUsageError', 'pause needs a campaign id or --all, not both'),
    ],
    [
      'pause of a campaign and --all',
      ['pause', CAMPAIGN, '--all'],
      refused('OpsUsageError', 'pause needs a campaign id or --all, not both'),
    ],
    [
      'resume with a reason',
      ['resume', CAMPAIGN, '--reason', 'why'],
      refused('OpsUsageError', '--reason goes with pause'),
    ],
    ['stop without a run', ['stop'], refused('OpsUsageError', 'stop needs exactly one run id')],
    [
      'stop with a reason',
      ['stop', RUN_ID, '--reason', 'why'],
      refused('OpsUsageError', '--reason goes with pause'),
    ],
    ['status of a campaign', ['status', CAMPAIGN], refused('OpsUsageError', 'status takes no target')],
    ['a stray argument', ['pause', CAMPAIGN, 'now'], refused('OpsUsageError', 'Unexpected arguments: now')],
    [
      'an option it does not know',
      ['pause', CAMPAIGN, '--colour', 'red'],
      refused('OpsUsageError', "Unknown option '--colour'"),
    ],
    [
      '--reason without its value',
      ['pause', '--all', '--reason'],
      refused('OpsUsageError', "Option '--reason <value>' argument missing"),
    ],
    ['an empty reason', ['pause', CAMPAIGN, '--reason', ''], refused('InvalidOperatorAction', 'reason: ')],
    [
      'a pause of a campaign the stack does not run',
      ['pause', 'no-such-campaign'],
      refused('UnknownCampaign', 'No campaign no-such-campaign in this stack'),
    ],
    [
      'a stop of a run that never started',
      ['stop', 'no-such-run'],
      refused('RunNotOpen', 'Run no-such-run never started'),
    ],
  ]),
];

let rekindle: LocalRekindle;
let dynamoDb: DynamoDBClient;
let signingKeys: LinkSigningKeys;
const cloudFormation = mockClient(CloudFormationClient);
const sts = mockClient(STSClient);

/** An agent's call task of the seeded world. */
/** A call task of `userId` with no earlier touches. */
const callTask = (taskId: string, userId: string, overrides: Partial<CallTask> = {}): CallTask =>
  aCallTask(taskId, { userId, lastTouches: [], ...overrides });

beforeAll(async () => {
  rekindle = await LocalRekindle.start({ clockStart: RUN_START, campaigns: campaignsWithoutHoldout });
  dynamoDb = new DynamoDBClient({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB });
  // Bad input about real people: two users, their call tasks (one held by Ana, one by Beto, one closed), the
  // day's scheduled run and a list launch, both started.
  await rekindle.importUsers([aUser('u-1'), aUser('u-2', { contact: { phone: '+525511110002' } })]);
  const { putCallTask } = await import('../functions/data/call-tasks');
  const lease = (agent: string) => ({
    leasedBy: agent,
    leaseUntil: new Date(MORNING.getTime() + 5 * 60_000).toISOString(),
  });
  for (const task of [
    callTask('task-u1', 'u-1', lease('agent-ana')),
    callTask('task-u2', 'u-2'),
    callTask('task-beto', 'u-2', lease('agent-beto')),
    callTask('task-done', 'u-1', { ...lease('agent-ana'), status: 'closed' }),
  ]) {
    await putCallTask(task);
  }
  const campaign = validateCampaign(
    campaignsWithoutHoldout.find((one) => one.id === CAMPAIGN) as CampaignInput,
  );
  for (const input of [{}, { userIds: LIST_USERS }]) {
    await rekindle.invoke('prepare-run', { input, campaign, executionName: 'first-start' });
  }
  // A file staged for an import, uploaded with an as-of time that is none.
  const { s3Client } = await import('../functions/clients/s3');
  const { importBucketName } = await import('../functions/imports/import-files');
  await s3Client.send(
    new PutObjectCommand({
      Bucket: importBucketName(),
      Key: BADLY_STAMPED_FILE,
      Body: `${JSON.stringify(aUser('u-1'))}\n`,
      Metadata: { 'as-of': 'yesterday' },
    }),
  );
  const { linkSigningKeys } = await import('../functions/links/signing-keys');
  signingKeys = await linkSigningKeys();
  // The deployed stack the ops CLI reads is played by the local tables; only its outputs and the caller are mocked.
  cloudFormation.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'Rekindle',
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: new Date('2026-11-01T00:00:00Z'),
        Outputs: [
          { OutputKey: 'ControlsTable', OutputValue: rekindle.tableNamed('Controls') },
          { OutputKey: 'RunsTable', OutputValue: rekindle.tableNamed('Runs') },
          { OutputKey: 'Campaigns', OutputValue: rekindle.campaignIds.join(',') },
        ],
      },
    ],
  });
  sts.on(GetCallerIdentityCommand).resolves({ Arn: OPERATOR });
});

afterAll(async () => {
  dynamoDb?.destroy();
  await rekindle?.stop();
  rmSync(outDirectory, { recursive: true, force: true });
});

/** Every item of every table of the template, each table's items in one order. */
const snapshot = async () => {
  const { TableNames = [] } = await dynamoDb.send(new ListTablesCommand({}));
  const tables = await Promise.all(
    TableNames.map(async (table) => {
      const items: string[] = [];
      for await (const page of paginateScan(
        { client: dynamoDb },
        { TableName: table, ConsistentRead: true },
      )) {
        for (const item of page.Items ?? []) items.push(JSON.stringify(unmarshall(item)));
      }
      return [table, items.sort().map((item) => JSON.parse(item))] as const;
    }),
  );
  return Object.fromEntries(tables);
};

/** What an entry point that throws answered: the error, or `accepted` with what it returned. */
const refusalOf = async (act: () => unknown): Promise<Answer> => {
  try {
    const result = await act();
    return { name: 'accepted', message: JSON.stringify(result)?.slice(0, 500) ?? '' };
  } catch (error) {
    return error instanceof Error
      ? { name: error.name, message: error.message }
      : { name: 'thrown', message: String(error) };
  }
};

/** What a run's execution failed with. */
const executionRefusal = (result: { status: string; error?: { name: string; message: string } }): Answer =>
  result.error ?? { name: result.status, message: '' };

/** The error a link endpoint's page stands for: the person sees a page, never the error's name. */
const linkPages = new Map([
  [invalidLinkPage, 'InvalidLinkToken'],
  [expiredLinkPage, 'LinkExpired'],
  [unknownDestinationPage, 'LinkDestinationGone'],
]);
const pageAnswer = (response: unknown): Answer => {
  const { statusCode, body = '' } = response as { statusCode: number; body?: string };
  return { status: statusCode, name: linkPages.get(body) ?? 'another page', message: body };
};

/** An HTTP API request for another path, exactly as the client sent it (percent-escapes and all). */
const atPath = <R extends { rawPath: string; requestContext: { http: { path: string } } }>(
  request: R,
  rawPath: string,
): R => ({
  ...request,
  rawPath,
  requestContext: { ...request.requestContext, http: { ...request.requestContext.http, path: rawPath } },
  pathParameters: { token: rawPath.split('/').pop() },
});

let populationFiles = 0;

/** Each entry point, driven as AWS (or the command line) drives it. */
const drivers: { [E in EntryPoint]: (input: Inputs[E]) => Promise<Answer> } = {
  'console input': async (input) => executionRefusal(await rekindle.runCampaign(CAMPAIGN, input)),
  'app event': (event) => refusalOf(() => rekindle.invoke('record-app-event', event)),
  'profile event': (event) => refusalOf(() => rekindle.invoke('record-app-event', event)),
  'consent event': (event) => refusalOf(() => rekindle.invoke('record-app-event', event)),
  'delivery event': (event) => refusalOf(() => rekindle.invoke('record-delivery-event', event)),
  'email feedback': (event) => refusalOf(() => rekindle.invoke('record-email-feedback', event)),
  'inbound SMS': (event) => refusalOf(() => rekindle.invoke('record-inbound-sms', event)),
  'import input': async (input) =>
    executionRefusal(await rekindle.runStateMachine(USER_IMPORT_STATE_MACHINE, input)),
  // npm start -- --population FILE: the file through the user import; its bad lines are what npm start shows.
  'population line': (text) =>
    refusalOf(async () => {
      populationFiles += 1;
      const file = path.join(outDirectory, `population-${populationFiles}.jsonl`);
      writeFileSync(file, `${text}\n`);
      const imported = await importPopulationFile(rekindle, file);
      const [bad] = imported.badLines > 0 ? await readImportReport(imported) : [];
      if (bad) throw populationLineError(bad);
      return imported;
    }),
  // npm start -- --events FILE: checked against the campaigns that exist, before anything runs.
  'events file': (text) => refusalOf(() => parseEventsFile(text, rekindle.campaignIds)),
  'agent API': async ({ method, path: requestPath, claims, body }) => {
    rekindle.clock.reset(MORNING);
    const response = (await rekindle.invoke(
      'agent-api',
      agentApiRequest(method, requestPath, claims, body),
    )) as {
      statusCode: number;
      body?: string;
    };
    const answer = JSON.parse(response.body || '{}') as { error?: string; message?: string };
    return { status: response.statusCode, name: answer.error ?? 'no error', message: answer.message ?? '' };
  },
  'tracked link': async ({ token, method }) => {
    const request = linkRequest({
      type: 'link-request',
      occurredAt: RUN_START.toISOString(),
      url: 'https://links.example/l/token',
      userAgent: PHONE_BROWSER,
      ...(method ? { method } : {}),
    });
    return pageAnswer(await rekindle.invoke('follow-link', atPath(request, `/l/${token(signingKeys)}`)));
  },
  'unsubscribe link': async ({ token, method }) => {
    const post = oneClickUnsubscribe('https://links.example/unsubscribe/token', RUN_START.toISOString());
    const request =
      method === 'POST'
        ? post
        : {
            ...post,
            routeKey: 'GET /unsubscribe/{token}',
            requestContext: {
              ...post.requestContext,
              routeKey: 'GET /unsubscribe/{token}',
              http: { ...post.requestContext.http, method: 'GET' },
            },
            body: undefined,
          };
    return pageAnswer(
      await rekindle.invoke('unsubscribe', atPath(request, `/unsubscribe/${token(signingKeys)}`)),
    );
  },
  // cdk synth: the app checks every definition before it builds a stack.
  'campaign definition': (definition) =>
    refusalOf(() => createRekindleApp({ campaigns: [definition as CampaignInput], skipBundling: true })),
  'npm start flags': (argv) => refusalOf(() => parseDemoArgs(argv)),
  'npm run report flags': (argv) => refusalOf(() => runReport(argv, () => {})),
  'npm run ops flags': (argv) => refusalOf(() => runOps(argv, () => {})),
};

const answerTo = <E extends EntryPoint>(one: Case<E>): Promise<Answer> => drivers[one.entry](one.input);

describe('malformed input, at every entry point', () => {
  it('is catalogued: at least 110 cases, over every entry point', () => {
    const entries = new Set(cases.map((one) => one.entry));
    expect(cases.length).toBeGreaterThanOrEqual(110);
    expect([...entries].sort()).toEqual(Object.keys(drivers).sort());
  });

  it.each(cases)('$entry: $description → $refusal.name, nothing written', async (one) => {
    // Prepare
    rekindle.clock.reset(RUN_START);
    const before = await snapshot();

    // Act
    const answer = await answerTo(one);

    // Assess
    const { message = '', ...named } = one.refusal;
    expect(answer).toMatchObject({ ...named, message: expect.stringContaining(message) });
    expect(await snapshot()).toEqual(before);
    expect(await rekindle.sandboxMessages()).toEqual([]);
  });
});
