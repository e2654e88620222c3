import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas';
import { z } from 'zod';
import { assertUnreachable, describeFirstIssue, RekindleError } from '../shared/errors';
import { instant } from '../shared/schemas';
import { decodeTagId } from './ses-email';

/** A delivery or engagement event whose shape is not what SES or End User Messaging sends; nothing was written. */
export class InvalidDeliveryEvent extends RekindleError {
  constructor(message: string) {
    super('InvalidDeliveryEvent', message);
  }
}

/**
 * What a provider said happened to one message, in Rekindle's words. `failed` is the provider giving up
 * (an SMS a carrier could not deliver, an email SES rejected); `unknown` is End User Messaging's final word
 * when no carrier answered within 72 hours.
 */
export const deliveryKinds = [
  'sent',
  'delivered',
  'delayed',
  'bounced',
  'complained',
  'opened',
  'clicked',
  'rejected',
  'failed',
  'unknown',
] as const;
export type DeliveryKind = (typeof deliveryKinds)[number];

/** The touch a message belongs to, as its tags (email) or context (SMS) name it. */
export interface DeliveryCorrelation {
  userId: string;
  touchId: string;
  campaignId?: string;
  variant?: string;
}

/** One provider event, normalised: which message, what happened, when, and to which touch it belongs. */
export interface DeliveryEvent {
  messageId: string;
  channel: 'email' | 'sms';
  kind: DeliveryKind;
  /** When it happened, as the provider stamps it. */
  at: string;
  /** The provider's own word for it: bounce type, delay type, reject reason, SMS status. */
  detail?: string;
  /** Undefined for a message Rekindle did not tag (sent by something else through the same identity). */
  correlation?: DeliveryCorrelation;
}

// ---- SES configuration-set events, as the default bus delivers them ----

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const tagValues = z.array(z.string());
const sesMail = z.object({
  timestamp: instant,
  messageId: z.string().min(1),
  tags: z.record(z.string(), tagValues),
});
const stamped = z.object({ timestamp: instant });

/** The `detail` of the SES events Rekindle listens to; fields it does not read are left unchecked. */
export const sesEventSchema = z.discriminatedUnion('eventType', [
  z.object({ eventType: z.literal('Send'), mail: sesMail }),
  z.object({ eventType: z.literal('Delivery'), mail: sesMail, delivery: stamped }),
  z.object({
    eventType: z.literal('DeliveryDelay'),
    mail: sesMail,
    deliveryDelay: stamped.extend({ delayType: z.string().min(1) }),
  }),
  z.object({
    eventType: z.literal('Bounce'),
    mail: sesMail,
    bounce: stamped.extend({ bounceType: z.enum(['Permanent', 'Transient', 'Undetermined']) }),
  }),
  z.object({ eventType: z.literal('Complaint'), mail: sesMail, complaint: stamped }),
  z.object({ eventType: z.literal('Open'), mail: sesMail, open: stamped }),
  z.object({ eventType: z.literal('Click'), mail: sesMail, click: stamped }),
  z.object({
    eventType: z.literal('Reject'),
    mail: sesMail,
    reject: z.object({ reason: z.string().min(1) }),
  }),
]);
type SesEvent = z.infer<typeof sesEventSchema>;

/** SES's detail-types on the default bus for the events above. */
export const sesDetailTypes = [
  'Email Sent',
  'Email Delivered',
  'Email Delivery Delayed',
  'Email Bounced',
  'Email Complaint Received',
  'Email Opened',
  'Email Clicked',
  'Email Rejected',
];

/** One base64url id from a tag Rekindle set; a tag that is there but not one such id is malformed. */
const taggedId = (tags: Record<string, string[]>, name: string): string | undefined => {
  const values = tags[name];
  if (values === undefined) return undefined;
  const [value] = values;
  if (values.length !== 1 || value === undefined || !BASE64URL.test(value)) {
    throw new InvalidDeliveryEvent(`detail.mail.tags.${name}: must be one base64url id`);
  }
  return decodeTagId(value);
};

const plainTag = (tags: Record<string, string[]>, name: string) => tags[name]?.[0];

/** One spelling of a moment (SES stamps some with milliseconds, some without), so moments compare as text. */
const isoOf = (moment: string) => new Date(moment).toISOString();

export const deliveryEventFromSes = (event: SesEvent): DeliveryEvent => {
  const { tags } = event.mail;
  const userId = taggedId(tags, 'user');
  const touchId = taggedId(tags, 'touch');
  const correlation =
    userId !== undefined && touchId !== undefined
      ? {
          userId,
          touchId,
          ...(plainTag(tags, 'campaign') ? { campaignId: plainTag(tags, 'campaign') } : {}),
          ...(plainTag(tags, 'variant') ? { variant: plainTag(tags, 'variant') } : {}),
        }
      : undefined;
  const base = { messageId: event.mail.messageId, channel: 'email' as const, correlation };
  switch (event.eventType) {
    case 'Send':
      return { ...base, kind: 'sent', at: isoOf(event.mail.timestamp) };
    case 'Delivery':
      return { ...base, kind: 'delivered', at: isoOf(event.delivery.timestamp) };
    case 'DeliveryDelay':
      return {
        ...base,
        kind: 'delayed',
        at: isoOf(event.deliveryDelay.timestamp),
        detail: event.deliveryDelay.delayType,
      };
    case 'Bounce':
      return { ...base, kind: 'bounced', at: isoOf(event.bounce.timestamp), detail: event.bounce.bounceType };
    case 'Complaint':
      return { ...base, kind: 'complained', at: isoOf(event.complaint.timestamp) };
    case 'Open':
      return { ...base, kind: 'opened', at: isoOf(event.open.timestamp) };
    case 'Click':
      return { ...base, kind: 'clicked', at: isoOf(event.click.timestamp) };
    case 'Reject':
      // SES stamps a reject with the mail only: it never left.
      return { ...base, kind: 'rejected', at: isoOf(event.mail.timestamp), detail: event.reject.reason };
    default:
      return assertUnreachable(event);
  }
};

// ---- End User Messaging SMS delivery events ("Text Message Delivery Status Updated") ----

export const SMS_DETAIL_TYPE = 'Text Message Delivery Status Updated';

export const smsEventSchema = z.object({
  eventType: z
    .string()
    .regex(/^TEXT_[A-Z_]+$/, { message: 'must be an End User Messaging TEXT_ event type' }),
  eventTimestamp: z.number().int().positive(),
  isFinal: z.boolean(),
  messageId: z.string().min(1),
  messageStatus: z.string().min(1),
  /** What the sender put in `Context` (functions/channels/end-user-messaging-sms.ts). */
  context: z.record(z.string(), z.string()).optional(),
});
type SmsEvent = z.infer<typeof smsEventSchema>;

/** Statuses on the way: nothing has happened to the message yet that the funnel counts. */
const SMS_IN_FLIGHT = new Set(['TEXT_QUEUED', 'TEXT_PENDING']);
/** Accepted by the carrier: final where the carrier sends no handset receipt, so it then counts as delivered. */
const SMS_ACCEPTED = 'TEXT_SUCCESSFUL';

export const deliveryEventFromSms = (event: SmsEvent): DeliveryEvent => {
  const { context } = event;
  const correlation =
    context?.userId && context.touchId
      ? {
          userId: context.userId,
          touchId: context.touchId,
          ...(context.campaignId ? { campaignId: context.campaignId } : {}),
          ...(context.variant ? { variant: context.variant } : {}),
        }
      : undefined;
  const at = new Date(event.eventTimestamp).toISOString();
  const base = { messageId: event.messageId, channel: 'sms' as const, correlation, at };
  const kind: DeliveryKind =
    event.eventType === 'TEXT_DELIVERED' || (event.eventType === SMS_ACCEPTED && event.isFinal)
      ? 'delivered'
      : event.eventType === SMS_ACCEPTED || SMS_IN_FLIGHT.has(event.eventType)
        ? 'sent'
        : event.eventType === 'TEXT_UNKNOWN'
          ? 'unknown'
          : 'failed';
  return { ...base, kind, ...(kind === 'failed' || kind === 'unknown' ? { detail: event.eventType } : {}) };
};

/**
 * Reads a delivery or engagement event from SES or End User Messaging, as the default bus delivers it; a
 * malformed one is an InvalidDeliveryEvent naming the field. Pure: the handler, and the local events file's
 * check before anything runs, read events the same way.
 */
export const parseDeliveryEvent = (event: unknown): DeliveryEvent => {
  const envelope = EventBridgeSchema.safeParse(event);
  if (!envelope.success) throw new InvalidDeliveryEvent(`envelope ${describeFirstIssue(envelope.error)}`);
  const { source, 'detail-type': detailType, detail } = envelope.data;
  if (source === 'aws.ses' && sesDetailTypes.includes(detailType)) {
    const parsed = sesEventSchema.safeParse(detail);
    if (!parsed.success) throw new InvalidDeliveryEvent(`detail.${describeFirstIssue(parsed.error)}`);
    return deliveryEventFromSes(parsed.data);
  }
  if (source === 'aws.sms-voice' && detailType === SMS_DETAIL_TYPE) {
    const parsed = smsEventSchema.safeParse(detail);
    if (!parsed.success) throw new InvalidDeliveryEvent(`detail.${describeFirstIssue(parsed.error)}`);
    return deliveryEventFromSms(parsed.data);
  }
  throw new InvalidDeliveryEvent(`source and detail-type: not a delivery event (${source}, ${detailType})`);
};

/**
 * Where a message stands, whatever order its events came in: an open or a click implies it arrived; a
 * bounce, a reject or a carrier's failure means it did not (an SES soft bounce after a delivery delay still
 * counts as not delivered until a delivery says otherwise).
 */
export type DeliveryStatus = 'sent' | 'delivered' | 'failed' | 'unknown';

/** The kinds of event a stored delivery record has seen (its `<kind>At` attributes), with their moments. */
export const seenKindsOf = (record: Record<string, unknown>): Partial<Record<DeliveryKind, string>> =>
  Object.fromEntries(
    deliveryKinds.flatMap((kind) => (record[`${kind}At`] ? [[kind, String(record[`${kind}At`])]] : [])),
  );

export const deliveryStatusOf = (seen: Partial<Record<DeliveryKind, string>>): DeliveryStatus => {
  if (seen.delivered || seen.opened || seen.clicked || seen.complained) return 'delivered';
  if (seen.bounced || seen.rejected || seen.failed) return 'failed';
  if (seen.unknown) return 'unknown';
  return 'sent';
};
