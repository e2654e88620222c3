import type { Campaign } from '../campaign/definition';
import { compareVariants, type FunnelRow, funnelOf, type VariantComparison } from '../campaign/funnel';
import type { Run, RunSummary } from '../campaign/run';
import { tallyRun } from '../campaign/summary';
import { seenKindsOf } from '../channels/delivery-events';
import { getCallTasks } from '../data/call-tasks';
import { queryTouchClicks } from '../data/clicks';
import { getDeliveryRecords } from '../data/deliveries';
import { queryEnrollmentBatches } from '../data/enrollments';
import { getReportedRun, type ReportedRunRecord, scanRunsBetween } from '../data/runs';
import { queryTouchChunks } from '../data/touches';
import { getUsers } from '../data/users';
import { runCodeOf } from '../links/tracked-link';
import { RekindleError } from '../shared/errors';

/** A report asked for a run the tables do not have, or for a campaign this checkout does not define. */
export class RunNotFound extends RekindleError {
  constructor(what: string) {
    super('RunNotFound', what);
  }
}

/**
 * One run's funnel, counted from the records it left in the tables: its enrollment batches and touch chunks,
 * the delivery records of its messages, its tracked links' clicks and its members as they stand now.
 */
export const readRunFunnel = async (
  runId: string,
  campaign: Pick<Campaign, 'steps'>,
): Promise<{ rows: FunnelRow[]; variants: VariantComparison[] }> => {
  const batches = await queryEnrollmentBatches(runId);
  const chunks = (await Promise.all(batches.map((batch) => queryTouchChunks(runId, batch.batch)))).flat();
  const sent = chunks.flatMap((chunk) =>
    Object.values(chunk.results ?? {}).flatMap((result) => ('messageId' in result ? [result] : [])),
  );
  const messageIds = sent.filter((result) => result.channel !== 'call').map((result) => result.messageId);
  const taskIds = sent.filter((result) => result.channel === 'call').map((result) => result.messageId);
  const touches = [...new Set(chunks.map((chunk) => chunk.touch))];
  const runCode = runCodeOf(runId);
  const [records, callTasks, clicks, users] = await Promise.all([
    getDeliveryRecords(messageIds),
    getCallTasks(taskIds),
    Promise.all(touches.map(async (touch) => [touch, await queryTouchClicks(runCode, touch)] as const)),
    getUsers(batches.flatMap((batch) => batch.members)),
  ]);
  const deliveries = new Map([...records].map(([messageId, record]) => [messageId, seenKindsOf(record)]));
  const lifecycles = new Map([...users].map(([userId, user]) => [userId, user.lifecycle]));
  const rows = funnelOf({ campaign, chunks, deliveries, clicks: new Map(clicks), callTasks, lifecycles });
  return { rows, variants: compareVariants(rows) };
};

/** A run as read for a report: its summary (interim while the run is open), funnel and variants. */
export interface ReadRun {
  summary: RunSummary;
  funnel: FunnelRow[];
  variants: VariantComparison[];
  interim: boolean;
}

/**
 * The runs asked for, each with its funnel: one run by id, or every run of the run dates [from, to]. A run
 * still open (its conversion window not over) is tallied from its records as they stand at `now`, and is
 * interim. Campaign definitions come from this checkout: the ones that were deployed.
 */
export const readRuns = async (
  which: { runId: string } | { from: string; to: string },
  campaigns: ReadonlyMap<string, Campaign>,
  now: Date,
): Promise<ReadRun[]> => {
  let records: ReportedRunRecord[];
  if ('runId' in which) {
    const record = await getReportedRun(which.runId);
    if (record === undefined) throw new RunNotFound(`No run ${which.runId} in the runs table`);
    records = [record];
  } else {
    records = await scanRunsBetween(which.from, which.to);
  }
  const runs: ReadRun[] = [];
  for (const record of records) {
    const campaign = campaigns.get(record.campaignId);
    if (campaign === undefined) {
      throw new RunNotFound(
        `Run ${record.runId} is of campaign ${record.campaignId}, which this checkout does not define`,
      );
    }
    const run: Run = {
      runId: record.runId,
      campaign,
      runDate: record.runDate,
      timeZone: record.timeZone,
      startedAt: record.startedAt,
      dryRun: record.dryRun,
    };
    const interim = record.summary === undefined;
    const summary = record.summary ?? (await tallyRun(run, now)).summary;
    const { rows, variants } = await readRunFunnel(record.runId, campaign);
    runs.push({ summary, funnel: rows, variants, interim });
  }
  return runs;
};
