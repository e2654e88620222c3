import { readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Campaign } from '../functions/campaign/definition';
import type { FunnelRow, VariantComparison } from '../functions/campaign/funnel';
import type { RunSummary } from '../functions/campaign/run';
import { assembleReport, type RunForReport } from '../functions/reports/assemble';
import { defaultListPrices, type ListPrices, listPricesSchema } from '../functions/reports/cost';
import { renderHtmlReport } from '../functions/reports/html-report';
import type { ReportData } from '../functions/reports/report-data';
import { describeFirstIssue } from '../functions/shared/errors';
import { parseCommandLine } from '../ops/command-line';
import { StackOutputMissing, stackOutputs } from '../ops/stack-outputs';
import { campaignDefinitions, validateCampaign } from '../statemachines/campaigns';
import { formatReport } from './text';

const USAGE = `Usage: npm run report -- (--out DIR | --stack NAME) [--run RUN_ID | --from DATE --to DATE] [options]

  --out DIR        read a local run's output directory (npm start -- --out DIR)
  --stack NAME     read a deployed stack's tables (named in its outputs); AWS credentials as for the AWS CLI
  --region REGION  the stack's region (default: your AWS configuration's)
  --run RUN_ID     one run
  --from, --to     run dates YYYY-MM-DD, inclusive (default: every run of the directory; a stack's last 7 days)
  --html FILE      where the HTML report goes (default: report.html in DIR, or ./rekindle-report.html)
  --prices FILE    JSON list prices overriding the defaults (functions/reports/cost.ts), e.g. {"sms":0.0311}

Prints the funnel tables and writes one self-contained HTML file.`;

/** A command line the report cannot act on, or input it cannot read; nothing is written. */
export class ReportUsageError extends Error {
  override name = 'ReportUsageError';
}

const runDate = z.iso.date();

export interface ReportArguments {
  source: { out: string } | { stack: string; region?: string };
  which: { runId: string } | { from?: string; to?: string };
  html: string;
  prices: ListPrices;
}

/** Turns the command line into what to read and where to write, without reading any run. */
export const parseReportArguments = (argv: readonly string[]): ReportArguments => {
  const { values, positionals } = parseCommandLine(
    {
      args: [...argv],
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        stack: { type: 'string' },
        region: { type: 'string' },
        run: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        html: { type: 'string' },
        prices: { type: 'string' },
        help: { type: 'boolean' },
      },
    },
    ReportUsageError,
  );
  if (values.help) throw new ReportUsageError(USAGE);
  if (positionals.length > 0)
    throw new ReportUsageError(`Unexpected arguments: ${positionals.join(' ')}\n\n${USAGE}`);
  if ((values.out === undefined) === (values.stack === undefined)) {
    throw new ReportUsageError(`Give either --out DIR or --stack NAME\n\n${USAGE}`);
  }
  if (values.run !== undefined && (values.from !== undefined || values.to !== undefined)) {
    throw new ReportUsageError('Give --run or a date range, not both');
  }
  for (const flag of ['from', 'to'] as const) {
    if (values[flag] !== undefined && !runDate.safeParse(values[flag]).success) {
      throw new ReportUsageError(`--${flag} must be a date as YYYY-MM-DD, not "${values[flag]}"`);
    }
  }
  if (values.from && values.to && values.from > values.to) throw new ReportUsageError('--from is after --to');
  let prices = defaultListPrices;
  if (values.prices !== undefined) {
    const parsed = listPricesSchema.partial().safeParse(readJson(values.prices));
    if (!parsed.success)
      throw new ReportUsageError(`--prices ${values.prices}: ${describeFirstIssue(parsed.error)}`);
    prices = { ...defaultListPrices, ...parsed.data };
  }
  // The page is written last: a directory that is not there is refused before any run is read.
  if (
    values.html !== undefined &&
    !statSync(path.dirname(values.html), { throwIfNoEntry: false })?.isDirectory()
  ) {
    throw new ReportUsageError(`--html ${values.html}: there is no directory ${path.dirname(values.html)}`);
  }
  return {
    source:
      values.out !== undefined ? { out: values.out } : { stack: values.stack ?? '', region: values.region },
    which: values.run !== undefined ? { runId: values.run } : { from: values.from, to: values.to },
    html:
      values.html ??
      (values.out !== undefined ? path.join(values.out, 'report.html') : 'rekindle-report.html'),
    prices,
  };
};

const readJson = (file: string): unknown => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ReportUsageError(`Cannot read ${file}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ReportUsageError(`${file} is not JSON`);
  }
};

/** The runs of a local output directory: runs.json and funnel.json, as `npm start -- --out DIR` wrote them. */
export const runsFromOutputDirectory = (directory: string): RunForReport[] => {
  const summaries = readJson(path.join(directory, 'runs.json')) as RunSummary[];
  const funnels = readJson(path.join(directory, 'funnel.json')) as {
    runId: string;
    rows: FunnelRow[];
    variants: VariantComparison[];
  }[];
  if (!Array.isArray(summaries) || !Array.isArray(funnels)) {
    throw new ReportUsageError(
      `${directory} does not hold a run's output (runs.json and funnel.json arrays)`,
    );
  }
  return runsForReport(summaries, funnels);
};

/**
 * A local play's runs for the report, from its summaries (a failed run has none and is left out) and funnels.
 * npm start plays every run to its close: none is interim.
 */
export const runsForReport = (
  summaries: readonly (RunSummary | { campaignId: string; error?: unknown })[],
  funnels: readonly { runId: string; rows: FunnelRow[]; variants: VariantComparison[] }[],
): RunForReport[] => {
  const byRun = new Map(funnels.map((funnel) => [funnel.runId, funnel]));
  return summaries.flatMap((summary) =>
    !('runId' in summary)
      ? []
      : [
          {
            summary,
            funnel: byRun.get(summary.runId)?.rows ?? [],
            variants: byRun.get(summary.runId)?.variants ?? [],
            interim: false,
          },
        ],
  );
};

/** The runs of a deployed stack: its outputs name the tables, read with the same code as the local runtime. */
const runsFromStack = async (
  source: { stack: string; region?: string },
  which: { runId: string } | { from: string; to: string },
  now: Date,
): Promise<RunForReport[]> => {
  const need = await stackOutputs(source.stack, source.region).catch((error: unknown) => {
    if (error instanceof StackOutputMissing) throw new ReportUsageError(error.message);
    throw error;
  });
  // The data modules read their table names when first imported, as in a Lambda function.
  Object.assign(process.env, {
    RUNS_TABLE: need('RunsTable'),
    CONTROLS_TABLE: need('ControlsTable'),
    ENROLLMENTS_TABLE: need('EnrollmentsTable'),
    TOUCHES_TABLE: need('TouchesTable'),
    DELIVERIES_TABLE: need('DeliveriesTable'),
    CLICKS_TABLE: need('ClicksTable'),
    USERS_TABLE: need('UsersTable'),
    CALL_TASKS_TABLE: need('CallTasksTable'),
  });
  if (source.region) process.env.AWS_REGION = source.region;
  return readRunsFromTables(which, now);
};

/** Runs read from the tables the environment names (a deployed stack's, or the local runtime's). */
export const readRunsFromTables = async (
  which: { runId: string } | { from: string; to: string },
  now: Date,
): Promise<RunForReport[]> => {
  const { readRuns } = await import('../functions/reports/read-runs');
  const campaigns = new Map<string, Campaign>(
    campaignDefinitions.map(validateCampaign).map((campaign) => [campaign.id, campaign]),
  );
  return readRuns(which, campaigns, now);
};

/** What `npm start -- --out DIR` adds to its output: report.html of the runs it played, at default prices. */
export const writeLocalReport = (directory: string, runs: readonly RunForReport[]): void => {
  const dates = runs.map((run) => run.summary.runDate).sort();
  const data = assembleReport(runs, {
    source: `local play ${directory}`,
    generatedAt: new Date(),
    from: dates[0] ?? '',
    to: dates.at(-1) ?? '',
    prices: defaultListPrices,
  });
  writeFileSync(path.join(directory, 'report.html'), renderHtmlReport(data));
};

/** Reads the runs asked for, prints their funnel tables and writes the HTML report. */
export const runReport = async (
  argv: readonly string[],
  print: (line: string) => void = console.log,
  now = new Date(),
): Promise<ReportData> => {
  const args = parseReportArguments(argv);
  let runs: RunForReport[];
  let range: { from: string; to: string };
  let source: string;
  if ('out' in args.source) {
    const all = runsFromOutputDirectory(args.source.out);
    const dates = all.map((run) => run.summary.runDate).sort();
    const { which } = args;
    runs = all.filter((run) =>
      'runId' in which
        ? run.summary.runId === which.runId
        : (which.from === undefined || run.summary.runDate >= which.from) &&
          (which.to === undefined || run.summary.runDate <= which.to),
    );
    if ('runId' in which && runs.length === 0)
      throw new ReportUsageError(`No run ${which.runId} in ${args.source.out}`);
    range =
      'runId' in which
        ? { from: runs[0]?.summary.runDate ?? '', to: runs[0]?.summary.runDate ?? '' }
        : { from: which.from ?? dates[0] ?? '', to: which.to ?? dates.at(-1) ?? '' };
    source = `local output ${args.source.out}`;
  } else {
    const today = DateTime.fromJSDate(now).toUTC();
    const { which } = args;
    const asked =
      'runId' in which
        ? which
        : {
            from: which.from ?? today.minus({ days: 6 }).toFormat('yyyy-MM-dd'),
            to: which.to ?? today.toFormat('yyyy-MM-dd'),
          };
    runs = await runsFromStack(args.source, asked, now);
    range =
      'runId' in asked ? { from: runs[0]?.summary.runDate ?? '', to: runs[0]?.summary.runDate ?? '' } : asked;
    source = `stack ${args.source.stack}${args.source.region ? ` (${args.source.region})` : ''}`;
  }
  const data = assembleReport(runs, { source, generatedAt: now, ...range, prices: args.prices });
  print(formatReport(data));
  writeFileSync(args.html, renderHtmlReport(data));
  print(`\nWrote ${args.html}`);
  return data;
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runReport(process.argv.slice(2)).catch((error: unknown) => {
    console.error(
      error instanceof ReportUsageError
        ? error.message
        : error instanceof Error
          ? `${error.name}: ${error.message}`
          : String(error),
    );
    process.exitCode = 1;
  });
}
