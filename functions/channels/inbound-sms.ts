import { z } from 'zod';
import { RekindleError } from '../shared/errors';
import { phoneNumber } from '../users/user';

/** An SNS delivery that is not an End User Messaging inbound SMS; nothing was written. */
export class InvalidInboundSms extends RekindleError {
  constructor(message: string) {
    super('InvalidInboundSms', message);
  }
}

/**
 * An SMS reply as End User Messaging two-way SMS publishes it to the topic (the SNS message body).
 * `messageKeyword` is a placeholder in practice (`KEYWORD_<account>`), so the body is what we read.
 */
export const inboundSmsSchema = z.object({
  originationNumber: phoneNumber,
  destinationNumber: z.string().min(1),
  messageKeyword: z.string().optional(),
  messageBody: z.string(),
  inboundMessageId: z.string().min(1),
  previousPublishedMessageId: z.string().optional(),
});
export type InboundSms = z.infer<typeof inboundSmsSchema>;

/**
 * End User Messaging's default opt-out keywords, plus Spanish ones our users send (add them to the number
 * as OPT_OUT keywords too, so the provider's own list agrees). With AWS-managed opt-outs the provider
 * answers STOP itself and may not publish it to the topic at all; then the send-time
 * `ConflictException` (DESTINATION_PHONE_NUMBER_OPTED_OUT) is what turns SMS off, and this is the
 * path for custom keywords and self-managed opt-outs.
 */
const OPT_OUT_KEYWORDS = new Set([
  'ARRET',
  'CANCEL',
  'END',
  'OPT-OUT',
  'OPTOUT',
  'QUIT',
  'REMOVE',
  'STOP',
  'STOPALL',
  'TD',
  'UNSUBSCRIBE',
  'BAJA',
  'ALTO',
  'PARAR',
  'CANCELAR',
  'DETENER',
]);
const OPT_IN_KEYWORDS = new Set(['START', 'UNSTOP', 'ALTA']);

export type KeywordClass = 'opt-out' | 'opt-in' | 'other';

/** The first word of the reply, upper-cased, without accents or surrounding punctuation ("Stop." is STOP). */
export const classifyReply = (body: string): KeywordClass => {
  const [first = ''] = body.trim().split(/\s+/);
  const word = first
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toUpperCase()
    .replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
  if (OPT_OUT_KEYWORDS.has(word)) return 'opt-out';
  if (OPT_IN_KEYWORDS.has(word)) return 'opt-in';
  return 'other';
};
