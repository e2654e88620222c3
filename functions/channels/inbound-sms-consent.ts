import { queryUserIdsByPhone } from '../data/users';
import type { UserRecord } from '../users/user';
import { applyUserUpdate } from '../users/user-update';
import { classifyReply, type InboundSms, type KeywordClass } from './inbound-sms';

export interface InboundSmsResult {
  inboundMessageId: string;
  keyword: KeywordClass;
  /** Why nothing was written: a reply that is no keyword (HELP, chat), or a number no user has. */
  ignored?: 'not-a-keyword' | 'unknown-phone';
  usersFound: number;
  /** Users whose SMS consent this reply changed (none on a redelivery). */
  usersChanged: string[];
}

export const SMS_KEYWORD_SOURCE = 'sms-keyword';

const turnedOffBySms = (user: UserRecord) =>
  user.consentSources.sms === SMS_KEYWORD_SOURCE || user.consentSources.sms === 'sms-opt-out-list';

/**
 * A keyword reply speaks for the phone, so it changes SMS consent for everyone with that number (a family
 * may share one). The provider's inbound message id makes a redelivery the same statement.
 */
export const recordInboundSms = async (sms: InboundSms, receivedAt: string): Promise<InboundSmsResult> => {
  const keyword = classifyReply(sms.messageBody);
  const base = { inboundMessageId: sms.inboundMessageId, keyword };
  if (keyword === 'other') return { ...base, ignored: 'not-a-keyword', usersFound: 0, usersChanged: [] };
  const userIds = await queryUserIdsByPhone(sms.originationNumber);
  if (userIds.length === 0) return { ...base, ignored: 'unknown-phone', usersFound: 0, usersChanged: [] };
  const usersChanged: string[] = [];
  for (const userId of userIds) {
    const { changed } = await applyUserUpdate({
      userId,
      occurredAt: receivedAt,
      source: SMS_KEYWORD_SOURCE,
      eventId: sms.inboundMessageId,
      fields: { consents: { sms: keyword === 'opt-in' } },
      ifMissing: 'ignore',
      // START undoes an opt-out made by SMS; it does not grant what the person never agreed to elsewhere.
      ...(keyword === 'opt-in' ? { appliesTo: turnedOffBySms } : {}),
    });
    if (changed.length > 0) usersChanged.push(userId);
  }
  return { ...base, usersFound: userIds.length, usersChanged };
};
