import type { EnrollmentBatch, TerminalState } from '../functions/campaign/enrollment';
import type { RunSummary } from '../functions/campaign/run';
import type { TouchChunk } from '../functions/campaign/touch';
import type { CallTask } from '../functions/channels/call-task-queue';
import type { SandboxMessage } from '../functions/channels/channel';
import { isTransientError } from '../statemachines/retries';
import type { RunResult } from './runtime';

/** What the chaos run's checks read: the executions' results and the tables they left, apart from the code. */
export interface ChaosRecords {
  results: readonly Pick<RunResult, 'campaignId' | 'status' | 'output' | 'error' | 'failedState'>[];
  /** The Runs table's run records (`record: 'run'`). */
  runRecords: readonly { runId: string; status: string; summary?: RunSummary }[];
  enrollments: readonly (EnrollmentBatch & { terminal?: Record<string, TerminalState> })[];
  touchChunks: readonly TouchChunk[];
  /** The sandbox outbox: what the providers took, one row per message. */
  messages: readonly Pick<SandboxMessage, 'messageId' | 'runId' | 'touch' | 'userId' | 'channel'>[];
  callTasks: readonly Pick<CallTask, 'taskId' | 'runId'>[];
  /** How many times the providers took each `runId|touch|userId`, counted as they took it (not deduplicated). */
  acceptances: ReadonlyMap<string, number>;
  /** Contacts that broke a guardrail or a withdrawn consent, as local/guardrail-check.ts counted them. */
  guardrailViolations: number;
}

export interface ChaosCheck {
  /** (run, touch, user) sent more than once. */
  duplicateSends: number;
  guardrailViolations: number;
  /** Enrolled members of a run that ended with no terminal state, or exited with no reason. */
  membersWithoutTerminalState: number;
  /** Runs neither closed with a summary, nor failed visibly and redrivable, nor refused as a second start. */
  runsUnaccounted: number;
  /** Runs that failed after their retries and can be redriven (not unaccounted: visible, resumable). */
  runsFailedRedrivable: number;
  /** Numbers of a summary that the records do not bear out. */
  summaryMismatches: number;
  /**
   * Messages the providers took that have no recorded send: a crash after the provider call (reported
   * `already-claimed`) or a provider timeout (reported `send-failed`). Never sent again.
   */
  sendsInDoubt: number;
  /** What each check looked at. */
  checked: { runs: number; members: number; sends: number; touches: number };
  /** The first problems found, in words. */
  problems: string[];
}

const ALREADY_STARTED = /^Run (\S+) has already started/;

const countBy = <T>(items: Iterable<T>, key: (item: T) => string | undefined) => {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const name = key(item);
    if (name !== undefined) counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
};

const sameCounts = (a: Partial<Record<string, number>>, b: Partial<Record<string, number>>) =>
  [...new Set([...Object.keys(a), ...Object.keys(b)])].every((key) => (a[key] ?? 0) === (b[key] ?? 0));

/**
 * Every check of the chaos run, recomputed from the records: nothing sent twice, no guardrail broken, every
 * member ended with a reason, every run accounted for, and each summary borne out by the records it summarises.
 */
export const checkChaos = (records: ChaosRecords): ChaosCheck => {
  const problems: string[] = [];
  const problem = (text: string) => {
    if (problems.length < 20) problems.push(text);
  };

  if (records.guardrailViolations > 0)
    problem(`${records.guardrailViolations} contacts broke a guardrail or consent`);
  const duplicates = [...records.acceptances].filter(([, times]) => times > 1);
  for (const [key, times] of duplicates) problem(`sent ${times} times: ${key}`);

  // Runs: each execution closed with its summary, failed visibly and redrivable, or a refused second start.
  const records_ = new Map(records.runRecords.map((run) => [run.runId, run]));
  const summarised = new Set<string>();
  let runsUnaccounted = 0;
  let runsFailedRedrivable = 0;
  const redrivable = new Set<string>();
  for (const result of records.results) {
    if (result.status === 'SUCCEEDED' && result.output) {
      const record = records_.get(result.output.runId);
      if (record && record.status !== 'running' && record.summary) summarised.add(result.output.runId);
      else {
        runsUnaccounted += 1;
        problem(`succeeded but not closed with a summary: ${result.output.runId}`);
      }
      continue;
    }
    const startedAlready = ALREADY_STARTED.exec(result.error?.message ?? '')?.[1];
    if (result.error?.name === 'RunAlreadyStarted' && startedAlready && records_.has(startedAlready))
      continue;
    // Failed after its retries on something passing (an outage): visible, and a redrive resumes it. A failure
    // of the code itself (a TypeError) is not something a redrive mends.
    if (result.status === 'FAILED' && result.failedState && isTransientError(result.error)) {
      runsFailedRedrivable += 1;
      const runId = (result.failedState.input as { run?: { runId?: string } } | undefined)?.run?.runId;
      if (runId) redrivable.add(runId);
      continue;
    }
    runsUnaccounted += 1;
    problem(`${result.campaignId}: ${result.status} with ${result.error?.name ?? 'no summary'}`);
  }
  for (const record of records.runRecords) {
    if (!summarised.has(record.runId) && !redrivable.has(record.runId)) {
      runsUnaccounted += 1;
      problem(`run record ${record.runId} is ${record.status} and no execution accounts for it`);
    }
  }

  // Members: a terminal state each, and a reason for each exit.
  let membersWithoutTerminalState = 0;
  let members = 0;
  for (const batch of records.enrollments) {
    // A run that failed visibly is closed by its redrive; until then its members are still in it.
    if (redrivable.has(batch.runId)) continue;
    for (const userId of batch.members) {
      members += 1;
      const state = batch.terminal?.[userId];
      if (state === undefined || (state.status === 'exited' && !state.reason)) {
        membersWithoutTerminalState += 1;
        problem(`no terminal state: ${userId} in ${batch.runId} batch ${batch.batch}`);
      }
    }
  }

  // Summaries against the records: the cohort, how members ended, and each touch's sends.
  let summaryMismatches = 0;
  let sendsInDoubt = 0;
  let sends = 0;
  let touches = 0;
  const mismatch = (runId: string, what: string) => {
    summaryMismatches += 1;
    problem(`${runId}: the summary's ${what} disagrees with the records`);
  };
  const delivered = new Set([
    ...records.messages.map((message) => message.messageId),
    ...records.callTasks.map((task) => task.taskId),
  ]);
  for (const runId of summarised) {
    const summary = records_.get(runId)?.summary as RunSummary;
    const batches = records.enrollments.filter((batch) => batch.runId === runId);
    const states = batches.flatMap((batch) => Object.values(batch.terminal ?? {}));
    if (summary.cohortSize !== batches.reduce((sum, batch) => sum + batch.members.length, 0))
      mismatch(runId, 'cohort size');
    if (summary.selection && summary.selection.batchCount !== batches.length) mismatch(runId, 'batch count');
    const byStatus = countBy(states, (state) => state.status);
    if (
      summary.totalConverted !== (byStatus.converted ?? 0) ||
      summary.completed !== (byStatus.completed ?? 0) ||
      summary.holdout.size !== (byStatus.holdout ?? 0) ||
      !sameCounts(
        summary.exited,
        countBy(states, (state) => (state.status === 'exited' ? state.reason : undefined)),
      )
    )
      mismatch(runId, 'endings');
    for (const touch of summary.touches) {
      touches += 1;
      const chunks = records.touchChunks.filter(
        (chunk) => chunk.runId === runId && chunk.touch === touch.touch,
      );
      const recorded = chunks.flatMap((chunk) =>
        Object.values(chunk.results ?? {}).flatMap((result) => ('sentAt' in result ? [result] : [])),
      );
      sends += recorded.length;
      if (
        !sameCounts(
          touch.sent,
          countBy(recorded, (result) => result.channel),
        )
      )
        mismatch(runId, `touch ${touch.touch} sends`);
      const missing = recorded.filter((result) => !delivered.has(result.messageId));
      if (missing.length > 0)
        mismatch(runId, `touch ${touch.touch}: ${missing.length} recorded sends no provider took`);
      const recordedIds = new Set(recorded.map((result) => result.messageId));
      const inDoubt = records.messages.filter(
        (message) =>
          message.runId === runId && message.touch === touch.touch && !recordedIds.has(message.messageId),
      ).length;
      sendsInDoubt += inDoubt;
      // A crash between the provider and the record leaves its chunk `already-claimed`; a provider that took the
      // message and timed out is a `send-failed`. Both are reported, and neither is sent again.
      if (inDoubt > (touch.skipped['already-claimed'] ?? 0) + (touch.skipped['send-failed'] ?? 0))
        mismatch(runId, `touch ${touch.touch}: ${inDoubt} sends without a result, not reported unsent`);
    }
  }

  return {
    duplicateSends: duplicates.length,
    guardrailViolations: records.guardrailViolations,
    membersWithoutTerminalState,
    runsUnaccounted,
    runsFailedRedrivable,
    summaryMismatches,
    sendsInDoubt,
    checked: { runs: records.results.length, members, sends, touches },
    problems,
  };
};
