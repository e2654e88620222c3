import { describe, expect, it } from 'vitest';
import { type DeliveryKind, deliveryStatusOf } from '../functions/channels/delivery-events';
import { jsonFixture } from './support/fixtures';
import { useLocalRekindle } from './support/local-rekindle';

const local = useLocalRekindle();
const fixture = jsonFixture;

const send = fixture('eventbridge-ses-send.json');
const delivery = fixture('eventbridge-ses-delivery.json');
const delay = fixture('eventbridge-ses-delivery-delay.json');
const open = fixture('eventbridge-ses-open.json');
const click = fixture('eventbridge-ses-click.json');
const reject = fixture('eventbridge-ses-reject.json');
const smsDelivered = fixture('eventbridge-sms-voice-text-delivered.json');
const smsUnreachable = fixture('eventbridge-sms-voice-text-carrier-unreachable.json');
/** The bounce and complaint fixtures, sent as the same Rekindle email as the others (its tags name the touch). */
const ofTheSameEmail = (event: { detail: Record<string, unknown> }) => ({
  ...event,
  detail: { ...event.detail, mail: delivery.detail.mail },
});
const permanentBounce = fixture('eventbridge-ses-bounce-permanent.json');
const bounce = ofTheSameEmail(permanentBounce);
const complaint = ofTheSameEmail(fixture('eventbridge-ses-complaint.json'));

const EMAIL_TOUCH = 'registered-no-visit#2026-11-23#America/Mexico_City#000001|t3#c0001';
const RUN_ID = 'registered-no-visit#2026-11-23#America/Mexico_City';

const record = (event: unknown) => local.rekindle.invoke('record-delivery-event', event);
const deliveries = async () =>
  Object.fromEntries(
    (await local.rekindle.scanTable('Deliveries')).map((item) => [String(item.messageId), item]),
  );

/** A copy of `event` with `change` applied to its detail. */
const withDetail = (event: { detail: Record<string, unknown> }, change: Record<string, unknown>) => ({
  ...event,
  detail: { ...event.detail, ...change },
});
const openAt = (timestamp: string) => withDetail(open, { open: { ...open.detail.open, timestamp } });

describe('SES delivery and engagement events', () => {
  it('land on the message’s delivery record, joined to its touch by the tags the email carried', async () => {
    // Act: every kind SES publishes for one email.
    const results = [];
    for (const event of [send, delivery, delay, bounce, complaint, open, click, reject])
      results.push(await record(event));

    // Assess
    expect(results.map((result) => (result as { result: string }).result)).toEqual(Array(8).fill('recorded'));
    expect(results[5]).toEqual({
      messageId: '0100019a-ses-msg-7',
      channel: 'email',
      kind: 'opened',
      result: 'recorded',
      runId: RUN_ID,
      touch: 3,
      userId: 'u-1',
    });
    expect(await deliveries()).toEqual({
      '0100019a-ses-msg-7': {
        messageId: '0100019a-ses-msg-7',
        channel: 'email',
        userId: 'u-1',
        touchId: EMAIL_TOUCH,
        runId: RUN_ID,
        touch: 3,
        campaignId: 'registered-no-visit',
        variant: 'default',
        sentAt: '2026-11-24T01:00:00.000Z',
        deliveredAt: '2026-11-24T01:00:02.100Z',
        delayedAt: '2026-11-24T01:00:30.000Z',
        delayedDetail: 'MailboxFull',
        bouncedAt: '2026-11-23T18:00:02.500Z',
        bouncedDetail: 'Permanent',
        complainedAt: expect.any(String),
        openedAt: '2026-11-24T03:15:00.000Z',
        clickedAt: '2026-11-24T03:16:10.000Z',
        rejectedAt: '2026-11-24T01:00:00.000Z',
        rejectedDetail: 'Bad content',
        expiresAt: expect.any(Number),
      },
    });
  });

  it('change nothing twice: a redelivered event, or a later one of the same kind, leaves the record as it was', async () => {
    // Prepare
    await record(open);
    const before = await deliveries();

    // Act
    const again = await record(open);
    const later = await record(openAt('2026-11-25T09:00:00.000Z'));

    // Assess
    expect(again).toMatchObject({ result: 'unchanged' });
    expect(later).toMatchObject({ result: 'unchanged' });
    expect(await deliveries()).toEqual(before);
  });

  it('land in any order: an earlier event of a kind that arrives late moves it back, others stay', async () => {
    // Act: the open arrives first, then the delivery before it, then an earlier open.
    await record(openAt('2026-11-24T05:00:00.000Z'));
    await record(delivery);
    const earlier = await record(open);

    // Assess
    expect(earlier).toMatchObject({ result: 'recorded' });
    const item = (await deliveries())['0100019a-ses-msg-7'];
    expect(item).toMatchObject({
      deliveredAt: '2026-11-24T01:00:02.100Z',
      openedAt: '2026-11-24T03:15:00.000Z',
    });
  });

  it('compare moments whatever their spelling: SES stamps some without milliseconds', async () => {
    // Act: an open stamped at a whole second arrives after one 100 ms later in the same second.
    await record(openAt('2026-11-24T03:15:00.100Z'));
    const earlier = await record(openAt('2026-11-24T03:15:00Z'));

    // Assess
    expect(earlier).toMatchObject({ result: 'recorded' });
    expect((await deliveries())['0100019a-ses-msg-7']?.openedAt).toBe('2026-11-24T03:15:00.000Z');
  });

  it('of a message Rekindle did not tag change nothing', async () => {
    // Act: the same email without the touch tag (sent by something else through the configuration set).
    const { touch: _touch, ...tags } = delivery.detail.mail.tags;
    const untagged = withDetail(delivery, { mail: { ...delivery.detail.mail, tags } });

    // Assess
    expect(await record(untagged)).toMatchObject({ result: 'untagged', kind: 'delivered' });
    expect(await deliveries()).toEqual({});
  });
});

describe('End User Messaging SMS delivery events', () => {
  it('record a delivery at the carrier’s time and a carrier’s failure with its status, per message', async () => {
    // Act
    await record(smsDelivered);
    const failed = withDetail(smsUnreachable, { messageId: '862a8790-60c0-4430-9b2b-658bd0000002' });
    await record(failed);

    // Assess
    const items = await deliveries();
    expect(items['862a8790-60c0-4430-9b2b-658bd0000001']).toMatchObject({
      channel: 'sms',
      userId: 'u-1',
      runId: RUN_ID,
      touch: 2,
      campaignId: 'registered-no-visit',
      deliveredAt: '2026-11-23T17:00:09.000Z',
    });
    expect(items['862a8790-60c0-4430-9b2b-658bd0000002']).toMatchObject({
      failedAt: '2026-11-23T17:00:12.000Z',
      failedDetail: 'TEXT_CARRIER_UNREACHABLE',
    });
  });

  it.each([
    ['TEXT_QUEUED', false, 'sentAt'],
    ['TEXT_SUCCESSFUL', false, 'sentAt'],
    ['TEXT_SUCCESSFUL', true, 'deliveredAt'],
    ['TEXT_UNKNOWN', true, 'unknownAt'],
    ['TEXT_TTL_EXPIRED', true, 'failedAt'],
  ])('read %s (final: %s) as %s', async (eventType, isFinal, field) => {
    // Act
    await record(withDetail(smsDelivered, { eventType, isFinal }));

    // Assess
    const item = (await deliveries())['862a8790-60c0-4430-9b2b-658bd0000001'];
    const moments = Object.keys(item ?? {}).filter((key) => key.endsWith('At') && key !== 'expiresAt');
    expect(moments).toEqual([field]);
  });
});

describe('a message’s delivery status', () => {
  it.each([
    [{}, 'sent'],
    [{ sent: 't' }, 'sent'],
    [{ opened: 't' }, 'delivered'],
    [{ bounced: 't' }, 'failed'],
    [{ bounced: 't', delivered: 't' }, 'delivered'],
    [{ failed: 't' }, 'failed'],
    [{ unknown: 't' }, 'unknown'],
  ] as [Partial<Record<DeliveryKind, string>>, string][])(
    'of %j is %s, whatever order its events came in',
    (seen, status) => {
      expect(deliveryStatusOf(seen)).toBe(status);
    },
  );
});

describe('a malformed delivery event', () => {
  const { mail } = delivery.detail;
  it.each([
    ['not an EventBridge event', { detail: delivery.detail }, 'envelope '],
    [
      'from another source',
      { ...delivery, source: 'aws.sns' },
      'source and detail-type: not a delivery event (aws.sns, Email Delivered)',
    ],
    [
      'an SES detail-type Rekindle does not read',
      { ...delivery, 'detail-type': 'Email Rendering Failed' },
      'not a delivery event',
    ],
    [
      'an SES event of an unknown type',
      withDetail(delivery, { eventType: 'Subscription' }),
      'detail.eventType: ',
    ],
    [
      'an SES event without its message id',
      withDetail(delivery, { mail: { ...mail, messageId: '' } }),
      'detail.mail.messageId: ',
    ],
    [
      'a delivery without its time',
      withDetail(delivery, { delivery: { recipients: [] } }),
      'detail.delivery.timestamp: ',
    ],
    [
      'a delivery at a time that is not ISO 8601',
      withDetail(delivery, { delivery: { timestamp: 'yesterday' } }),
      'detail.delivery.timestamp: must be an ISO 8601 timestamp',
    ],
    [
      'a touch tag that is not one base64url id',
      withDetail(delivery, { mail: { ...mail, tags: { ...mail.tags, touch: ['a/b', 'c'] } } }),
      'detail.mail.tags.touch: must be one base64url id',
    ],
    [
      'a bounce of an unknown type',
      withDetail(bounce, { bounce: { ...permanentBounce.detail.bounce, bounceType: 'Soft' } }),
      'detail.bounce.bounceType: ',
    ],
    [
      'an SMS event of a type that is not TEXT_',
      withDetail(smsDelivered, { eventType: 'VOICE_ANSWERED' }),
      'detail.eventType: must be an End User Messaging TEXT_ event type',
    ],
    [
      'an SMS event with its time as text',
      withDetail(smsDelivered, { eventTimestamp: '2026-11-23T17:00:09Z' }),
      'detail.eventTimestamp: ',
    ],
    ['an SMS event without isFinal', withDetail(smsDelivered, { isFinal: undefined }), 'detail.isFinal: '],
    [
      'an SMS event whose context is not text',
      withDetail(smsDelivered, { context: { touchId: 7 } }),
      'detail.context.touchId: ',
    ],
    ['an SES event without its mail', withDetail(send, { mail: undefined }), 'detail.mail: '],
    ['an open without its time', withDetail(open, { open: {} }), 'detail.open.timestamp: '],
    [
      'a click at a time that is not ISO 8601',
      withDetail(click, { click: { timestamp: '24/11/2026 03:16' } }),
      'detail.click.timestamp: must be an ISO 8601 timestamp',
    ],
    [
      'a delivery delay without its type',
      withDetail(delay, { deliveryDelay: { timestamp: '2026-11-24T01:00:30.000Z' } }),
      'detail.deliveryDelay.delayType: ',
    ],
    ['a reject without its reason', withDetail(reject, { reject: {} }), 'detail.reject.reason: '],
    [
      'a complaint without its time',
      withDetail(complaint, { complaint: {} }),
      'detail.complaint.timestamp: ',
    ],
    [
      'an SMS event without its message id',
      withDetail(smsDelivered, { messageId: '' }),
      'detail.messageId: ',
    ],
    [
      'an SMS event at a negative time',
      withDetail(smsDelivered, { eventTimestamp: -5 }),
      'detail.eventTimestamp: ',
    ],
    ['an SMS event whose isFinal is text', withDetail(smsDelivered, { isFinal: 'true' }), 'detail.isFinal: '],
  ])('(%s) is refused with InvalidDeliveryEvent and writes nothing', async (_case, event, message) => {
    // Act
    const recording = record(event);

    // Assess
    await expect(recording).rejects.toMatchObject({
      name: 'InvalidDeliveryEvent',
      message: expect.stringContaining(message),
    });
    expect(await deliveries()).toEqual({});
  });
});
