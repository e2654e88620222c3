import { applyUserUpdate } from '../users/user-update';
import { type EmailFeedback, taggedUserId } from './email-feedback';

export interface EmailFeedbackResult {
  messageId: string;
  eventType: EmailFeedback['eventType'];
  /** `email-off`: consent withdrawn now; `unchanged`: already off (or a redelivery). */
  result: 'email-off' | 'unchanged' | 'ignored' | 'unknown-user';
  reason?: 'transient-bounce' | 'undetermined-bounce' | 'no-user-tag' | 'user-not-found' | 'address-replaced';
  userId?: string;
}

/**
 * A permanent bounce (the address does not exist) or a complaint (the person marked us as spam) turns
 * email off; a transient or undetermined bounce says nothing lasting about the address, so it changes
 * nothing. The SES message id and event type make a redelivered event the same statement.
 */
export const recordEmailFeedback = async (feedback: EmailFeedback): Promise<EmailFeedbackResult> => {
  const base = { messageId: feedback.mail.messageId, eventType: feedback.eventType };
  const userId = taggedUserId(feedback);
  if (feedback.eventType === 'Bounce' && feedback.bounce.bounceType !== 'Permanent') {
    const reason = feedback.bounce.bounceType === 'Transient' ? 'transient-bounce' : 'undetermined-bounce';
    return { ...base, result: 'ignored', reason, userId };
  }
  if (userId === undefined) return { ...base, result: 'unknown-user', reason: 'no-user-tag' };
  const { source, occurredAt } =
    feedback.eventType === 'Bounce'
      ? { source: 'ses-bounce', occurredAt: feedback.bounce.timestamp }
      : { source: 'ses-complaint', occurredAt: feedback.complaint.timestamp };
  const { outcome } = await applyUserUpdate({
    userId,
    occurredAt,
    source,
    eventId: `${feedback.mail.messageId}#${feedback.eventType}`,
    fields: { consents: { email: false } },
    ifMissing: 'ignore',
    // A bounce of an address the user has since replaced says nothing about the new one.
    appliesTo: (user) =>
      feedback.mail.destination === undefined ||
      feedback.mail.destination.some(
        (address) => address.toLowerCase() === user.contact.email?.toLowerCase(),
      ),
  });
  if (outcome === 'unknown-user')
    return { ...base, result: 'unknown-user', reason: 'user-not-found', userId };
  if (outcome === 'not-applicable') return { ...base, result: 'ignored', reason: 'address-replaced', userId };
  return { ...base, result: outcome === 'updated' ? 'email-off' : 'unchanged', userId };
};
