import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas';
import { z } from 'zod';
import { describeFirstIssue, RekindleError } from '../shared/errors';
import { instant } from '../shared/schemas';
import { decodeTagId, USER_TAG } from './ses-email';

/** An SES bounce or complaint event whose detail does not match what SES sends; nothing was written. */
export class InvalidEmailFeedback extends RekindleError {
  constructor(message: string) {
    super('InvalidEmailFeedback', message);
  }
}

/** SES's detail-types on the default bus for the events that say something about consent. */
export const emailFeedbackDetailTypes = ['Email Bounced', 'Email Complaint Received'];

const mailSchema = z.object({
  messageId: z.string().min(1),
  /** The addresses the email went to: feedback about one address never lands on a newer one. */
  destination: z.array(z.string()).optional(),
  /** Tag name → values; ours carry base64url ids, SES adds `ses:*` tags of its own. */
  tags: z.record(z.string(), z.array(z.string())),
});

/** The `detail` of "Email Bounced" and "Email Complaint Received" events on the default bus. */
export const emailFeedbackSchema = z.discriminatedUnion('eventType', [
  z.object({
    eventType: z.literal('Bounce'),
    mail: mailSchema,
    bounce: z.object({
      bounceType: z.enum(['Permanent', 'Transient', 'Undetermined']),
      bounceSubType: z.string(),
      timestamp: instant,
    }),
  }),
  z.object({
    eventType: z.literal('Complaint'),
    mail: mailSchema,
    complaint: z.object({ timestamp: instant }),
  }),
]);
export type EmailFeedback = z.infer<typeof emailFeedbackSchema>;

/**
 * Reads a bounce or complaint as the default bus delivers it; a malformed one is an InvalidEmailFeedback
 * naming the field. Pure: the handler, and the local events file's check before anything runs, read it alike.
 */
export const parseEmailFeedback = (event: unknown): EmailFeedback => {
  const envelope = EventBridgeSchema.safeParse(event);
  if (!envelope.success) throw new InvalidEmailFeedback(`envelope ${describeFirstIssue(envelope.error)}`);
  const detail = emailFeedbackSchema.safeParse(envelope.data.detail);
  if (!detail.success) throw new InvalidEmailFeedback(`detail.${describeFirstIssue(detail.error)}`);
  return detail.data;
};

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The recipient, from the `user` tag the sender set; undefined for mail sent without it. */
export const taggedUserId = (feedback: EmailFeedback): string | undefined => {
  const values = feedback.mail.tags[USER_TAG];
  if (values === undefined) return undefined;
  const [value] = values;
  if (value === undefined || !BASE64URL.test(value)) {
    throw new InvalidEmailFeedback(`mail.tags.${USER_TAG}: must be one base64url user id`);
  }
  return decodeTagId(value);
};
