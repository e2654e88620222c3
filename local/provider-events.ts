import { createHash } from 'node:crypto';
import type { Goal } from '../functions/campaign/definition';
import { deliveryStatusOf, SMS_DETAIL_TYPE, seenKindsOf } from '../functions/channels/delivery-events';
import { encodeTagId } from '../functions/channels/ses-email';
import { STACK_NAME } from '../infra/rekindle-app';
import type { InboundEvent } from './inbound-events';
import { randomStream } from './random';
import type { Delivery, Enrollee, SimulatedEvent, SimulatedUsers } from './user-simulator';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
/** The configuration set the stack names (infra/rekindle-stack.ts): SES tags every event with it. */
const CONFIGURATION_SET = `${STACK_NAME}-email-events`;
const ORIGINATION_NUMBER = '+12065550100';

/** What the providers report: SES events and End User Messaging SMS events, as events-file lines. */
type ProviderEvent = Extract<InboundEvent, { type: 'ses-event' | 'sms-event' }>;

/**
 * How often a message does not reach its person, and how often an email is opened: plausible for a lender's
 * dormant users (old addresses bounce, some numbers are gone or blocked by their carrier).
 */
export const providerRates = {
  email: { permanentBounce: 0.02, transientBounce: 0.01, reject: 0.002, open: 0.22, meanMinutesToOpen: 240 },
  sms: { carrierUnreachable: 0.03, blocked: 0.015, unknown: 0.005 },
};

/** What became of one email or SMS, drawn from its own seeded stream: the same seed, the same outcome. */
type Outcome =
  | { kind: 'delivered'; after: number; openedAfter?: number }
  | { kind: 'permanent-bounce'; after: number }
  | { kind: 'transient-bounce'; after: number }
  | { kind: 'rejected' }
  | { kind: 'undelivered'; status: 'TEXT_CARRIER_UNREACHABLE' | 'TEXT_BLOCKED'; after: number }
  | { kind: 'unknown' };

const outcomeOf = (seed: number, delivery: Delivery): Outcome => {
  const random = randomStream(seed, `provider|${delivery.messageId}`);
  const draw = random.fraction();
  if (delivery.channel === 'email') {
    const rates = providerRates.email;
    if (draw < rates.reject) return { kind: 'rejected' };
    if (draw < rates.reject + rates.permanentBounce)
      return { kind: 'permanent-bounce', after: random.integer(1, 5) * SECOND };
    if (draw < rates.reject + rates.permanentBounce + rates.transientBounce)
      return { kind: 'transient-bounce', after: random.integer(30, 240) * MINUTE };
    const after = random.integer(1, 8) * SECOND;
    return random.chance(rates.open)
      ? {
          kind: 'delivered',
          after,
          openedAfter: after + random.exponential(rates.meanMinutesToOpen) * MINUTE,
        }
      : { kind: 'delivered', after };
  }
  const rates = providerRates.sms;
  if (draw < rates.unknown) return { kind: 'unknown' };
  if (draw < rates.unknown + rates.blocked)
    return { kind: 'undelivered', status: 'TEXT_BLOCKED', after: random.integer(2, 20) * SECOND };
  if (draw < rates.unknown + rates.blocked + rates.carrierUnreachable)
    return {
      kind: 'undelivered',
      status: 'TEXT_CARRIER_UNREACHABLE',
      after: random.integer(10, 600) * SECOND,
    };
  return { kind: 'delivered', after: random.integer(2, 15) * SECOND };
};

const eventId = (...parts: string[]) => {
  const hex = createHash('sha256').update(parts.join('\n')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
};

/** The EventBridge envelope the default bus wraps a provider's event in (its id stable per message and kind). */
const envelope = <Source extends 'aws.ses' | 'aws.sms-voice'>(
  delivery: Delivery,
  source: Source,
  detailType: string,
  eventType: string,
  occurredAt: string,
) => ({
  version: '0',
  id: eventId(delivery.messageId, eventType),
  'detail-type': detailType,
  source,
  account: ACCOUNT,
  time: occurredAt.replace(/\.\d{3}Z$/, 'Z'),
  region: REGION,
  resources: [],
});

const at = (delivery: Delivery, after: number) => new Date(Date.parse(delivery.sentAt) + after).toISOString();

/** An SES configuration-set event of `delivery`, exactly as the default bus delivers it. */
const sesEvent = (
  delivery: Delivery,
  detailType: string,
  eventType: string,
  occurredAt: string,
  extra: Record<string, unknown>,
): ProviderEvent => ({
  type: 'ses-event',
  occurredAt,
  event: {
    ...envelope(delivery, 'aws.ses', detailType, eventType, occurredAt),
    detail: {
      eventType,
      mail: {
        timestamp: delivery.sentAt,
        source: 'Rekindle <hola@mail.rekindle.example>',
        messageId: delivery.messageId,
        destination: delivery.email ? [delivery.email] : [],
        tags: {
          'ses:configuration-set': [CONFIGURATION_SET],
          user: [encodeTagId(delivery.userId)],
          touch: [encodeTagId(delivery.touchId)],
          campaign: [delivery.campaignId],
          ...(delivery.variant ? { variant: [delivery.variant] } : {}),
        },
      },
      ...extra,
    },
  },
});

const emailEvents = (delivery: Delivery, outcome: Outcome): ProviderEvent[] => {
  const sent = sesEvent(delivery, 'Email Sent', 'Send', delivery.sentAt, { send: {} });
  const recipients = delivery.email ? [delivery.email] : [];
  const bounce = (bounceType: 'Permanent' | 'Transient', occurredAt: string) =>
    sesEvent(delivery, 'Email Bounced', 'Bounce', occurredAt, {
      bounce: {
        bounceType,
        bounceSubType: bounceType === 'Permanent' ? 'General' : 'MailboxFull',
        bouncedRecipients: recipients.map((emailAddress) => ({ emailAddress })),
        timestamp: occurredAt,
      },
    });
  switch (outcome.kind) {
    case 'rejected':
      return [
        sesEvent(delivery, 'Email Rejected', 'Reject', delivery.sentAt, {
          reject: { reason: 'Bad content' },
        }),
      ];
    case 'permanent-bounce':
      return [sent, bounce('Permanent', at(delivery, outcome.after))];
    case 'transient-bounce': {
      const delayedAt = at(delivery, 10 * MINUTE);
      return [
        sent,
        sesEvent(delivery, 'Email Delivery Delayed', 'DeliveryDelay', delayedAt, {
          deliveryDelay: { timestamp: delayedAt, delayType: 'MailboxFull' },
        }),
        bounce('Transient', at(delivery, outcome.after)),
      ];
    }
    case 'delivered': {
      const deliveredAt = at(delivery, outcome.after);
      const events = [
        sent,
        sesEvent(delivery, 'Email Delivered', 'Delivery', deliveredAt, {
          delivery: { timestamp: deliveredAt, recipients },
        }),
      ];
      if (outcome.openedAfter !== undefined) {
        const openedAt = at(delivery, outcome.openedAfter);
        events.push(
          sesEvent(delivery, 'Email Opened', 'Open', openedAt, {
            open: { timestamp: openedAt, userAgent: 'Mozilla/5.0', ipAddress: '198.51.100.77' },
          }),
        );
      }
      return events;
    }
    default:
      return [];
  }
};

/** An End User Messaging SMS delivery event of `delivery`, exactly as the default bus delivers it. */
const smsEvent = (
  delivery: Delivery,
  eventType: string,
  messageStatus: string,
  occurredAt: string,
): ProviderEvent => ({
  type: 'sms-event',
  occurredAt,
  event: {
    ...envelope(delivery, 'aws.sms-voice', SMS_DETAIL_TYPE, eventType, occurredAt),
    detail: {
      eventType,
      eventVersion: '1.0',
      eventTimestamp: Date.parse(occurredAt),
      isFinal: true,
      originationPhoneNumber: ORIGINATION_NUMBER,
      destinationPhoneNumber: delivery.phone ?? '',
      messageId: delivery.messageId,
      messageRequestTimestamp: Date.parse(delivery.sentAt),
      messageEncoding: 'GSM',
      messageType: 'PROMOTIONAL',
      messageStatus,
      // What the SMS sender puts in Context (functions/channels/end-user-messaging-sms.ts).
      context: {
        userId: delivery.userId,
        touchId: delivery.touchId,
        campaignId: delivery.campaignId,
        ...(delivery.variant ? { variant: delivery.variant } : {}),
      },
      totalMessageParts: 1,
    },
  },
});

const smsEvents = (delivery: Delivery, outcome: Outcome): ProviderEvent[] => {
  switch (outcome.kind) {
    case 'delivered':
      return [smsEvent(delivery, 'TEXT_DELIVERED', 'DELIVERED', at(delivery, outcome.after))];
    case 'undelivered':
      return [
        smsEvent(delivery, outcome.status, outcome.status.replace('TEXT_', ''), at(delivery, outcome.after)),
      ];
    case 'unknown':
      // No carrier answered: End User Messaging gives up after 72 hours.
      return [smsEvent(delivery, 'TEXT_UNKNOWN', 'UNKNOWN', at(delivery, 72 * HOUR))];
    default:
      return [];
  }
};

/**
 * The sandbox providers' side of the world: each email and SMS is delivered or not, drawn per message, and
 * SES and End User Messaging report it with their own event shapes and plausible delays (an email's send,
 * delivery, delay, bounce, reject and opens; an SMS's delivery receipt or the carrier's failure). People
 * (`people`) react only to what reached them; push and call tasks always do.
 */
export class SimulatedProviders implements SimulatedUsers {
  private readonly seen = new Set<string>();
  private queue: SimulatedEvent[] = [];

  constructor(
    private readonly seed: number,
    private readonly people: SimulatedUsers,
  ) {}

  observeEnrollees(enrollees: readonly Enrollee[], goalOf: (campaignId: string) => Goal): void {
    this.people.observeEnrollees(enrollees, goalOf);
  }

  observe(deliveries: readonly Delivery[], goalOf: (campaignId: string) => Goal): void {
    const reached: Delivery[] = [];
    for (const delivery of deliveries) {
      if (delivery.channel !== 'email' && delivery.channel !== 'sms') {
        reached.push(delivery);
        continue;
      }
      const outcome = outcomeOf(this.seed, delivery);
      if (outcome.kind === 'delivered') reached.push(delivery);
      if (this.seen.has(delivery.messageId)) continue;
      this.seen.add(delivery.messageId);
      this.queue.push(
        ...(delivery.channel === 'email' ? emailEvents(delivery, outcome) : smsEvents(delivery, outcome)),
      );
    }
    this.people.observe(reached, goalOf);
  }

  takeEventsUpTo(time: Date): SimulatedEvent[] {
    const due = this.queue.filter((event) => Date.parse(event.occurredAt) <= time.getTime());
    this.queue = this.queue.filter((event) => Date.parse(event.occurredAt) > time.getTime());
    return [...due, ...this.people.takeEventsUpTo(time)].sort((a, b) =>
      a.occurredAt.localeCompare(b.occurredAt),
    );
  }
}

/**
 * One line: per channel, the delivery records by status (what the providers reported, in any order) and the
 * emails opened.
 */
export const formatDeliveries = (records: readonly Record<string, unknown>[]): string => {
  const parts = (['email', 'sms'] as const).map((channel) => {
    const ofChannel = records.filter((record) => record.channel === channel);
    const counts: Record<string, number> = {};
    for (const record of ofChannel) {
      const seen = seenKindsOf(record);
      const status = deliveryStatusOf(seen);
      counts[status] = (counts[status] ?? 0) + 1;
      if (seen.opened) counts.opened = (counts.opened ?? 0) + 1;
    }
    const shown = Object.entries(counts)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([status, count]) => `${status} ${count}`)
      .join(', ');
    return `${channel} ${ofChannel.length}${shown ? ` (${shown})` : ''}`;
  });
  return `deliveries reported: ${parts.join(' · ')}`;
};
