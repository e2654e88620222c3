import { GetCommand, PutCommand, paginateQuery, paginateScan, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BatchClosing, Run, RunSummary, SelectionReport, TouchOutcome } from '../campaign/run';
import { documentClient } from '../clients/dynamodb';
import { requireEnv } from '../shared/config';
import { RunAlreadyStarted } from '../shared/errors';
import { batchKey } from './keys';
import { putIfAbsent } from './put-if-absent';

const runsTable = requireEnv('RUNS_TABLE');

// One partition per run: the run record, one outcome per (touch, batch) and one closing per batch, each
// written idempotently by the worker that owns it, so a retried batch never counts twice.
const RUN_RECORD = 'run';
/** The run record carries `openRun` from its start to its summary: the sparse index of open runs. */
export const OPEN_RUNS_INDEX = 'openRuns';
const OPEN = 'open';
const outcomeRecord = (touch: number, batch: number) => `outcome#t${touch}#${batchKey(batch)}`;
const closingRecord = (batch: number) => `closing#${batchKey(batch)}`;

/**
 * Claims the run id; a second start of the same run (a schedule that fired twice, an operator's second launch)
 * fails here, before anyone is enrolled. The execution that holds the claim may claim again: its PrepareRun
 * tried again after a crash, or its redrive. It gets the run as first claimed (the same start).
 */
export const claimRun = async (run: Run, executionName: string): Promise<Run> => {
  const claimed = await putIfAbsent(
    runsTable,
    {
      runId: run.runId,
      record: RUN_RECORD,
      campaignId: run.campaign.id,
      runDate: run.runDate,
      timeZone: run.timeZone,
      startedAt: run.startedAt,
      dryRun: run.dryRun,
      executionName,
      status: 'running',
      openRun: OPEN,
    },
    'runId',
  );
  if (claimed) return run;
  const { Item: held } = await documentClient.send(
    new GetCommand({
      TableName: runsTable,
      Key: { runId: run.runId, record: RUN_RECORD },
      ConsistentRead: true,
    }),
  );
  if (held?.executionName !== executionName) throw new RunAlreadyStarted(run.runId);
  return { ...run, startedAt: String(held.startedAt) };
};

export const recordSelection = async (runId: string, selection: SelectionReport): Promise<void> => {
  await documentClient.send(
    new UpdateCommand({
      TableName: runsTable,
      Key: { runId, record: RUN_RECORD },
      UpdateExpression: 'SET selection = :selection',
      ExpressionAttributeValues: { ':selection': selection },
    }),
  );
};

export const putTouchOutcome = async (runId: string, outcome: TouchOutcome): Promise<void> => {
  await documentClient.send(
    new PutCommand({
      TableName: runsTable,
      Item: { runId, record: outcomeRecord(outcome.touch, outcome.batch), ...outcome },
    }),
  );
};

/** What the last pass of touch `touch` reported for one batch, if any pass did. */
export const getTouchOutcome = async (
  runId: string,
  touch: number,
  batch: number,
): Promise<TouchOutcome | undefined> => {
  const result = await documentClient.send(
    new GetCommand({
      TableName: runsTable,
      Key: { runId, record: outcomeRecord(touch, batch) },
      ConsistentRead: true,
    }),
  );
  if (!result.Item) return undefined;
  const { runId: _runId, record: _record, ...outcome } = result.Item;
  return outcome as TouchOutcome;
};

export const putBatchClosing = async (runId: string, closing: BatchClosing): Promise<void> => {
  await documentClient.send(
    new PutCommand({
      TableName: runsTable,
      Item: { runId, record: closingRecord(closing.batch), ...closing },
    }),
  );
};

const queryRecords = async <T>(runId: string, prefix: string): Promise<T[]> => {
  const records: T[] = [];
  const pages = paginateQuery(
    { client: documentClient },
    {
      TableName: runsTable,
      KeyConditionExpression: 'runId = :runId AND begins_with(#record, :prefix)',
      ExpressionAttributeNames: { '#record': 'record' },
      ExpressionAttributeValues: { ':runId': runId, ':prefix': prefix },
      ConsistentRead: true,
    },
  );
  for await (const page of pages) {
    for (const { runId: _runId, record: _record, ...item } of page.Items ?? []) records.push(item as T);
  }
  return records;
};

export const queryTouchOutcomes = (runId: string, touch?: number) =>
  queryRecords<TouchOutcome>(runId, touch === undefined ? 'outcome#' : `outcome#t${touch}#`);

export const queryBatchClosings = (runId: string) => queryRecords<BatchClosing>(runId, 'closing#');

export const getSelection = async (runId: string): Promise<SelectionReport> => {
  const result = await documentClient.send(
    new GetCommand({ TableName: runsTable, Key: { runId, record: RUN_RECORD }, ConsistentRead: true }),
  );
  const selection = result.Item?.selection as SelectionReport | undefined;
  if (!selection) throw new Error(`Run ${runId} has no selection`);
  return selection;
};

/** Closes the run record; it leaves the open-runs index. */
export const completeRun = async (
  runId: string,
  summary: RunSummary,
  completedAt: string,
  status: 'completed' | 'stopped',
): Promise<void> => {
  await documentClient.send(
    new UpdateCommand({
      TableName: runsTable,
      Key: { runId, record: RUN_RECORD },
      UpdateExpression:
        'SET #status = :status, summary = :summary, completedAt = :completedAt REMOVE openRun',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': status, ':summary': summary, ':completedAt': completedAt },
    }),
  );
};

/** The run record without its summary, or undefined for a run that never started. */
export interface RunRecord {
  runId: string;
  campaignId: string;
  runDate: string;
  timeZone: string;
  startedAt: string;
  dryRun: boolean;
  status: 'running' | 'completed' | 'stopped';
  completedAt?: string;
}

export const getRunRecord = async (runId: string): Promise<RunRecord | undefined> => {
  const result = await documentClient.send(
    new GetCommand({
      TableName: runsTable,
      Key: { runId, record: RUN_RECORD },
      // Everything but the summary, which may be large; timeZone and status are reserved words.
      ProjectionExpression: 'runId, campaignId, runDate, #timeZone, startedAt, dryRun, #status, completedAt',
      ExpressionAttributeNames: { '#timeZone': 'timeZone', '#status': 'status' },
      ConsistentRead: true,
    }),
  );
  return result.Item as RunRecord | undefined;
};

/** Every run still open (started, not yet summarised), oldest first, from the sparse `openRuns` index. */
export const queryOpenRuns = async (): Promise<RunRecord[]> => {
  const runs: RunRecord[] = [];
  const pages = paginateQuery(
    { client: documentClient },
    {
      TableName: runsTable,
      IndexName: OPEN_RUNS_INDEX,
      KeyConditionExpression: 'openRun = :open',
      ExpressionAttributeValues: { ':open': OPEN },
    },
  );
  for await (const page of pages) runs.push(...((page.Items ?? []) as RunRecord[]));
  return runs;
};

/** A run record as the report reads it: with its summary once the run closed. */
export type ReportedRunRecord = RunRecord & { summary?: RunSummary };

/**
 * Every run whose run date lies in [from, to] (YYYY-MM-DD), oldest first: a filtered scan of the run
 * records, what a weekly report can afford (one item per run, a few outcome items per batch beside them).
 */
export const scanRunsBetween = async (from: string, to: string): Promise<ReportedRunRecord[]> => {
  const runs: ReportedRunRecord[] = [];
  const pages = paginateScan(
    { client: documentClient },
    {
      TableName: runsTable,
      FilterExpression: '#record = :run AND runDate BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#record': 'record' },
      ExpressionAttributeValues: { ':run': RUN_RECORD, ':from': from, ':to': to },
    },
  );
  for await (const page of pages) runs.push(...((page.Items ?? []) as ReportedRunRecord[]));
  return runs.sort((a, b) => a.runDate.localeCompare(b.runDate) || a.runId.localeCompare(b.runId));
};

/** One run's record with its summary, or undefined for a run that never started. */
export const getReportedRun = async (runId: string): Promise<ReportedRunRecord | undefined> => {
  const result = await documentClient.send(
    new GetCommand({ TableName: runsTable, Key: { runId, record: RUN_RECORD }, ConsistentRead: true }),
  );
  return result.Item as ReportedRunRecord | undefined;
};
