import { createHash } from 'node:crypto';
import { z } from 'zod';
import { outcomeSchema } from '../functions/agents/dispositions';
import { parseDeliveryEvent } from '../functions/channels/delivery-events';
import { emailFeedbackDetailTypes, parseEmailFeedback } from '../functions/channels/email-feedback';
import { inboundSmsSchema } from '../functions/channels/inbound-sms';
import { checkOperatorTarget, operatorActionFields } from '../functions/operations/operator-action';
import { describeFirstIssue, RekindleError } from '../functions/shared/errors';
import { instant } from '../functions/shared/schemas';
import { appEventSchema, appEventTypes } from '../functions/users/app-event';
import { userId } from '../functions/users/profile';

/**
 * What the local runtime can feed Rekindle at a virtual time, in the shapes AWS delivers them:
 * - the app-events bus detail as the app publishes it (lifecycle, profile, consent), wrapped in the
 *   EventBridge envelope the rule delivers;
 * - `sms-inbound`: End User Messaging's two-way SMS message, wrapped in the SNS record the topic delivers;
 * - `ses-event`: an SES configuration-set event exactly as it arrives on the default bus;
 * - `sms-event`: an End User Messaging SMS delivery event ("Text Message Delivery Status Updated") exactly as
 *   it arrives on the default bus;
 * - `push-result`: from then on, Pinpoint answers a push to this device token with this result (how a dead
 *   token is discovered: at the next send);
 * - `unsubscribe`: the one-click POST a mail client makes to an email's List-Unsubscribe link, given as
 *   the link itself (`url`) or as the latest email sent to `userId`;
 * - `link-request`: a request for a tracked link (a URL of a message in messages.jsonl), as the HTTP API hands
 *   it to Lambda: `GET` by default or `HEAD`, with the `userAgent` and `headers` a phone, a mail scanner or a
 *   link-preview bot would send;
 * - `agent-call`: an agent of the call center takes the next task of `queue` through the agent API and records
 *   `outcome` on it (both requests as the HTTP API hands them over, with the agent's token claims);
 * - `operator`: what an operator does with the ops CLI (`pause` / `resume` a campaign or `all`, `stop` a
 *   run), carried out by the same code the CLI runs.
 */
const feedbackSchemas = {
  'sms-inbound': z.strictObject({
    type: z.literal('sms-inbound'),
    occurredAt: instant,
    message: inboundSmsSchema,
  }),
  'ses-event': z.strictObject({
    type: z.literal('ses-event'),
    occurredAt: instant,
    event: z.looseObject({
      source: z.literal('aws.ses'),
      'detail-type': z.string().min(1),
      detail: z.looseObject({ eventType: z.string().min(1) }),
    }),
  }),
  'sms-event': z.strictObject({
    type: z.literal('sms-event'),
    occurredAt: instant,
    event: z.looseObject({
      source: z.literal('aws.sms-voice'),
      'detail-type': z.string().min(1),
      detail: z.looseObject({ eventType: z.string().min(1) }),
    }),
  }),
  'push-result': z.strictObject({
    type: z.literal('push-result'),
    occurredAt: instant,
    token: z.string().min(1),
    result: z.strictObject({
      DeliveryStatus: z.enum([
        'SUCCESSFUL',
        'THROTTLED',
        'TEMPORARY_FAILURE',
        'PERMANENT_FAILURE',
        'UNKNOWN_FAILURE',
        'OPT_OUT',
        'DUPLICATE',
      ]),
      StatusCode: z.number().int(),
      StatusMessage: z.string().optional(),
      MessageId: z.string().optional(),
      UpdatedToken: z.string().optional(),
    }),
  }),
  unsubscribe: z
    .strictObject({
      type: z.literal('unsubscribe'),
      occurredAt: instant,
      userId: userId.optional(),
      url: z.url().optional(),
    })
    .refine((event) => (event.userId === undefined) !== (event.url === undefined), {
      message: 'give either userId (the latest email sent to them) or url',
      path: ['userId'],
    }),
  'agent-call': z.strictObject({
    type: z.literal('agent-call'),
    occurredAt: instant,
    queue: z.string().regex(/^[a-z0-9-]{1,40}$/),
    agent: z.string().min(1).max(60),
    outcome: outcomeSchema,
  }),
  'link-request': z.strictObject({
    type: z.literal('link-request'),
    occurredAt: instant,
    url: z.url(),
    method: z.enum(['GET', 'HEAD']).optional(),
    userAgent: z.string().max(1000).optional(),
    headers: z
      .record(
        z.string().regex(/^[a-z0-9-]+$/, { message: 'must be a lower-case header name' }),
        z.string().max(2000),
      )
      .optional(),
  }),
  operator: z
    .strictObject({ type: z.literal('operator'), occurredAt: instant, ...operatorActionFields })
    .superRefine(checkOperatorTarget),
} as const;

export const inboundEventSchema = z.union([appEventSchema, ...Object.values(feedbackSchemas)]);
export type InboundEvent = z.infer<typeof inboundEventSchema>;

/**
 * A provider event is checked here as its handlers will read it (each bus rule's handler, see inbound-feed.ts):
 * a line they would refuse stops the file now, not the play half-way.
 */
const providerEventProblem = (event: InboundEvent): string | undefined => {
  if (event.type !== 'ses-event' && event.type !== 'sms-event') return undefined;
  try {
    parseDeliveryEvent(event.event);
    if (event.type === 'ses-event' && emailFeedbackDetailTypes.includes(event.event['detail-type'])) {
      parseEmailFeedback(event.event);
    }
    return undefined;
  } catch (error) {
    if (error instanceof RekindleError) return `field event: ${error.message}`;
    throw error;
  }
};

/** A line of an events file that is not valid JSON or not a known event; nothing runs. */
export class EventsLineInvalid extends RekindleError {
  constructor(line: number, problem: string) {
    super('EventsLineInvalid', `Events line ${line}: ${problem}`);
  }
}

/**
 * Reads an events file (JSON Lines). Every line is checked before anything runs; a bad one stops
 * everything with its line number and field. A line's type picks its shape: the union's own message for a
 * wrong shape names the most likely field.
 */
export const parseEventsFile = (
  text: string,
  /** The campaigns that exist: an operator line naming another is refused here, before anything runs. */
  campaignIds?: readonly string[],
): InboundEvent[] => {
  const events: InboundEvent[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new EventsLineInvalid(line, 'not valid JSON');
    }
    const type = String((json as { type?: unknown } | null)?.type);
    // The line's type picks its schema, so the error names the field of that shape.
    const schema = (appEventTypes as readonly string[]).includes(type)
      ? appEventSchema
      : feedbackSchemas[type as keyof typeof feedbackSchemas];
    if (schema === undefined) throw new EventsLineInvalid(line, `field type: unknown event type "${type}"`);
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new EventsLineInvalid(line, `field ${describeFirstIssue(parsed.error)}`);
    const event = parsed.data;
    const problem = providerEventProblem(event);
    if (problem !== undefined) throw new EventsLineInvalid(line, problem);
    if (
      event.type === 'operator' &&
      event.campaignId &&
      campaignIds &&
      !campaignIds.includes(event.campaignId)
    ) {
      throw new EventsLineInvalid(
        line,
        `field campaignId: no campaign ${event.campaignId} (${campaignIds.join(', ')})`,
      );
    }
    events.push(event);
  });
  return events;
};

/** A stable id for an event: a redelivery of the same event (same content) has the same id. */
export const eventIdOf = (event: unknown): string =>
  createHash('sha256').update(JSON.stringify(event)).digest('hex').slice(0, 32);
