import { SnsSchema } from '@aws-lambda-powertools/parser/schemas';
import { InvalidInboundSms, inboundSmsSchema, type KeywordClass } from '../channels/inbound-sms';
import { type InboundSmsResult, recordInboundSms } from '../channels/inbound-sms-consent';
import { describeFirstIssue } from '../shared/errors';
import { lambdaHandler } from '../shared/lambda';
import { logger, metrics } from '../shared/powertools';

/** One metric per kind of reply (a dimension could not differ between the records of one delivery). */
const REPLY_METRIC: Record<KeywordClass, string> = {
  'opt-out': 'SmsOptOutReplies',
  'opt-in': 'SmsOptInReplies',
  other: 'SmsOtherReplies',
};

const parseMessage = (message: string, field: string) => {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    throw new InvalidInboundSms(`${field}: must be a JSON inbound SMS`);
  }
  const sms = inboundSmsSchema.safeParse(json);
  if (!sms.success) throw new InvalidInboundSms(`${field}.${describeFirstIssue(sms.error)}`);
  return sms.data;
};

/** Two-way SMS replies from the inbound topic. Every record is checked before any is recorded. */
export const handler = lambdaHandler(async (event: unknown): Promise<InboundSmsResult[]> => {
  const envelope = SnsSchema.safeParse(event);
  if (!envelope.success) throw new InvalidInboundSms(describeFirstIssue(envelope.error));
  const replies = envelope.data.Records.map(({ Sns }, index) => ({
    sms: parseMessage(Sns.Message, `Records.${index}.Sns.Message`),
    receivedAt: Sns.Timestamp,
  }));
  const results: InboundSmsResult[] = [];
  for (const { sms, receivedAt } of replies) {
    const result = await recordInboundSms(sms, receivedAt);
    // Ids and the keyword class only: the phone number and the reply's text are personal data.
    logger.info('Inbound SMS', { ...result });
    metrics.addMetric(REPLY_METRIC[result.keyword], 'Count', 1);
    results.push(result);
  }
  return results;
});
