import type { Channel } from '../campaign/definition';
import type { FunnelRow, VariantComparison } from '../campaign/funnel';
import type { RunSummary } from '../campaign/run';
import { costOfRun, type ListPrices } from './cost';
import type { ReportData, ReportRun } from './report-data';

/** What a source hands the report for one run, before prices are applied. */
export interface RunForReport {
  summary: RunSummary;
  funnel: FunnelRow[];
  variants: VariantComparison[];
  interim: boolean;
}

/** The report of these runs: each with its cost at `prices` and its scanner fetches by channel. */
export const assembleReport = (
  runs: readonly RunForReport[],
  options: { source: string; generatedAt: Date; from: string; to: string; prices: ListPrices },
): ReportData => ({
  source: options.source,
  generatedAt: options.generatedAt.toISOString(),
  from: options.from,
  to: options.to,
  runs: runs.map((run): ReportRun => {
    const scannerClicks: Partial<Record<Channel, number>> = {};
    for (const row of run.funnel) {
      if (row.scanned > 0) scannerClicks[row.channel] = (scannerClicks[row.channel] ?? 0) + row.scanned;
    }
    return { ...run, cost: costOfRun(run.summary, options.prices), scannerClicks };
  }),
});
