import type { FunnelRow } from '../functions/campaign/funnel';
import type { Lift } from '../functions/campaign/lift';
import type { ReportData, ReportRun } from '../functions/reports/report-data';
import { formatRun, formatVariantComparisons } from '../local/report';

const percent = (part: number, whole: number | null) =>
  whole === null || whole === 0 ? '' : ` ${((100 * part) / whole).toFixed(1)}%`;
const signed = (value: number) => `${value >= 0 ? '+' : ''}${value}`;
const liftText = (lift: Lift) =>
  `${signed(lift.points)} pts (95% CI ${signed(lift.low)} to ${signed(lift.high)})${lift.tooSmallToTell ? ' · too small to tell' : ''}`;
const usd = (amount: number) => `$${amount < 1 ? amount.toFixed(4) : amount.toFixed(2)}`;

const COLUMNS = [
  'touch',
  'channel',
  'variant',
  'offer',
  'sent',
  'delivered',
  'failed',
  'opened',
  'clicked',
  'scanners',
  'called',
  'reached',
  'logged in',
  'applied',
  'drew down',
];

/** A cell: the count with its rate of sent (of delivered for opens), or "–" where the channel cannot know. */
const cells = (row: FunnelRow): string[] => [
  String(row.touch),
  row.channel,
  row.variant,
  row.offer ?? '–',
  String(row.sent),
  row.delivered === null ? '–' : `${row.delivered}${percent(row.delivered, row.sent)}`,
  row.failed === null ? '–' : String(row.failed),
  row.opened === null ? '–' : `${row.opened}${percent(row.opened, row.delivered)}`,
  row.channel === 'call' ? '–' : `${row.clicked}${percent(row.clicked, row.sent)}`,
  row.channel === 'call' ? '–' : String(row.scanned),
  row.attempted === null ? '–' : `${row.attempted}${percent(row.attempted, row.sent)}`,
  row.reached === null ? '–' : `${row.reached}${percent(row.reached, row.sent)}`,
  `${row.loggedIn}${percent(row.loggedIn, row.sent)}`,
  `${row.applied}${percent(row.applied, row.sent)}`,
  `${row.drewDown}${percent(row.drewDown, row.sent)}`,
];

/** Rows as an aligned text table. */
const table = (rows: readonly string[][]): string[] => {
  const widths = COLUMNS.map((column, index) =>
    Math.max(column.length, ...rows.map((row) => (row[index] ?? '').length)),
  );
  const line = (row: readonly string[]) =>
    row
      .map((cell, index) => cell.padEnd(widths[index] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(COLUMNS), ...rows.map(line)];
};

/** One run: its summary block, its funnel table, its cost, and INTERIM while its window is open. */
export const formatReportRun = (run: ReportRun): string => {
  const { summary, cost } = run;
  const block = formatRun({
    campaignId: summary.campaignId,
    status: 'SUCCEEDED',
    output: summary,
  });
  const [head = '', ...rest] = block.split('\n');
  const byChannel = Object.entries(cost.byChannel)
    .map(([channel, { messages, usd: amount }]) => `${channel} ${messages} ${usd(amount)}`)
    .join(', ');
  return [
    run.interim ? `${head} · INTERIM: conversion window still open, numbers will move` : head,
    ...rest,
    ...table(run.funnel.map(cells)).map((line) => `  ${line}`),
    `  cost ${usd(cost.totalUsd)} (${byChannel}; orchestration ${usd(cost.orchestrationUsd)}) · ` +
      (cost.perConversionUsd === null ? 'no conversions' : `${usd(cost.perConversionUsd)} per conversion`),
    ...(summary.lift ? [`  holdout lift ${liftText(summary.lift)}`] : []),
    ...formatVariantComparisons([{ campaignId: summary.campaignId, variants: run.variants }]).map(
      (line) => `  ${line}`,
    ),
  ].join('\n');
};

/** The whole report as text: where it was read from, then every run. */
export const formatReport = (data: ReportData): string =>
  [
    `Rekindle report · ${data.source} · run dates ${data.from} to ${data.to} · ${data.runs.length} runs`,
    ...data.runs.map(formatReportRun),
  ].join('\n\n');
