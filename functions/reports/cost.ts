import { z } from 'zod';
import type { Channel } from '../campaign/definition';
import type { RunSummary } from '../campaign/run';
import type { RunCost } from './report-data';

/**
 * What one message (a call task for `call`) and one enrolled user's orchestration cost, in US dollars. The
 * defaults are list prices in us-east-1 as of 2026-12: Pinpoint push $1.00 per million; SES $0.10 per 1,000
 * emails; End User Messaging SMS to Mexico, one part from a long code, $0.0226 (AWS fee plus carrier fee);
 * a call task as a 3-minute Amazon Connect outbound call to Mexico, $0.018 per minute of service plus $0.032
 * per minute of telephony; orchestration at the cost benchmark's $4.63 per 1M enrolled users (Step
 * Functions, Lambda, DynamoDB; README "Cost"). Prices differ by destination, origination and contract: give
 * your own with `npm run report -- --prices FILE`.
 */
export const listPricesSchema = z.strictObject({
  push: z.number().min(0),
  sms: z.number().min(0),
  email: z.number().min(0),
  call: z.number().min(0),
  orchestrationPerEnrolledUser: z.number().min(0),
});
export type ListPrices = z.infer<typeof listPricesSchema>;

export const defaultListPrices: ListPrices = {
  push: 1.0 / 1_000_000,
  sms: 0.0226,
  email: 0.1 / 1_000,
  call: 3 * (0.018 + 0.032),
  orchestrationPerEnrolledUser: 4.63 / 1_000_000,
};

/** Rounded at the 10th decimal: sums of tiny prices print without floating-point noise. */
const roundUsd = (usd: number) => Math.round(usd * 1e10) / 1e10;

/** The run's cost at these prices: what it sent by channel, its orchestration, and per treated conversion. */
export const costOfRun = (summary: RunSummary, prices: ListPrices): RunCost => {
  const byChannel: RunCost['byChannel'] = {};
  for (const touch of summary.touches) {
    for (const [channel, count] of Object.entries(touch.sent) as [Channel, number][]) {
      const sum = byChannel[channel] ?? { messages: 0, usd: 0 };
      byChannel[channel] = { messages: sum.messages + count, usd: sum.usd + count * prices[channel] };
    }
  }
  for (const sum of Object.values(byChannel)) sum.usd = roundUsd(sum.usd);
  const orchestrationUsd = roundUsd(summary.cohortSize * prices.orchestrationPerEnrolledUser);
  const totalUsd = roundUsd(Object.values(byChannel).reduce((sum, { usd }) => sum + usd, orchestrationUsd));
  return {
    byChannel,
    orchestrationUsd,
    totalUsd,
    perConversionUsd: summary.totalConverted > 0 ? roundUsd(totalUsd / summary.totalConverted) : null,
  };
};
