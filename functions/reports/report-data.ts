import type { Channel } from '../campaign/definition';
import type { FunnelRow, VariantComparison } from '../campaign/funnel';
import type { RunSummary } from '../campaign/run';

/** What a run cost at list prices: messages by channel and the orchestration around them, in US dollars. */
export interface RunCost {
  /** Messages (call tasks for `call`) and their cost, per channel the run used. */
  byChannel: Partial<Record<Channel, { messages: number; usd: number }>>;
  /** Step Functions, Lambda and DynamoDB for the run, estimated from its size. */
  orchestrationUsd: number;
  totalUsd: number;
  /** Total over the run's treated conversions; null when nobody converted. */
  perConversionUsd: number | null;
}

/** One run as a report shows it. */
export interface ReportRun {
  summary: RunSummary;
  /** Per touch × channel × variant × offer (functions/campaign/funnel.ts). */
  funnel: FunnelRow[];
  variants: VariantComparison[];
  cost: RunCost;
  /** The run's conversion window is still open at `ReportData.generatedAt`: its numbers will still move. */
  interim: boolean;
  /** Members whose links scanners and previews fetched (recorded apart, never a person's click), per channel. */
  scannerClicks: Partial<Record<Channel, number>>;
}

/** What `npm run report` reads (a deployed stack or a local run's output directory) and renders. */
export interface ReportData {
  /** Where the runs were read from, e.g. "stack Rekindle (us-east-1)" or "local output /tmp/run". */
  source: string;
  generatedAt: string;
  /** The run dates asked for, inclusive. */
  from: string;
  to: string;
  runs: ReportRun[];
}
