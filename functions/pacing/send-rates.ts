import { z } from 'zod';
import { withOverrides } from '../guardrails/configuration';

/**
 * How many messages per second each provider takes, stack-wide: the physical limit of a touch. SMS is the
 * rate of the stack's one origination identity (a number, or a pool: the sum of its numbers' throughput);
 * email is the SES account's maximum send rate; push is what Pinpoint and the platforms accept.
 */
export const sendRatesSchema = z.strictObject({
  push: z.number().min(1).max(20_000),
  sms: z.number().min(1).max(3_000),
  email: z.number().min(1).max(10_000),
});
export type SendRates = z.infer<typeof sendRatesSchema>;

/**
 * Conservative starting points: a 10DLC or toll-free number is far below 100 SMS/s (a short code reaches
 * it), a new SES production account starts at 14 emails/s, Pinpoint takes push in the thousands per second.
 */
export const defaultSendRates: SendRates = { push: 1_000, sms: 20, email: 14 };

/** The defaults with the rates a configuration overrides (CDK context `sendRates`, JSON or an object). */
export const sendRatesFrom = (override: unknown): SendRates =>
  withOverrides('sendRates', sendRatesSchema, defaultSendRates, override, '{"sms":100}');

/**
 * How long a send step may keep sending: every slot it reserves ends by then. An Express child may run 5
 * minutes, the send function's timeout is 4.5 (infra/functions.ts): the rest covers recording results.
 */
export const SEND_BUDGET_MS = 210_000;

/**
 * Sends one batch worker keeps up with: 8 in flight (campaign/send-touch.ts) at about 80 ms a provider call.
 * Each touch's Distributed Map runs as many workers as its channel's rate needs, and at least two; a touch
 * whose channel no provider paces (a call queues tasks) runs as many as the fastest provider needs.
 */
export const WORKER_SENDS_PER_SECOND = 100;
export const MIN_BATCH_WORKERS = 2;
export const MAX_BATCH_WORKERS = 40;

export const batchWorkersFor = (rates: SendRates, channel?: string): number => {
  const rate =
    channel !== undefined && channel in rates
      ? rates[channel as keyof SendRates]
      : Math.max(...Object.values(rates));
  return Math.min(MAX_BATCH_WORKERS, Math.max(MIN_BATCH_WORKERS, Math.ceil(rate / WORKER_SENDS_PER_SECOND)));
};
