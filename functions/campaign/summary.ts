import { completeRun, getSelection, queryBatchClosings, queryTouchOutcomes } from '../data/runs';
import { ladderOf } from './definition';
import type { Run, RunSummary, TouchSummary } from './run';

const add = <K extends string>(into: Partial<Record<K, number>>, from: Partial<Record<K, number>>) => {
  for (const [key, count] of Object.entries(from) as [K, number][]) into[key] = (into[key] ?? 0) + count;
};

const rate = (part: number, whole: number) => (whole === 0 ? null : part / whole);

/** The run's funnel, from the per-batch outcomes and closings; written to the run record. */
export const summariseRun = async (run: Run, now: Date): Promise<RunSummary> => {
  const [selection, outcomes, closings] = await Promise.all([
    getSelection(run.runId),
    queryTouchOutcomes(run.runId),
    queryBatchClosings(run.runId),
  ]);
  const convertedAfter: Record<string, number> = {};
  for (const closing of closings) add(convertedAfter, closing.convertedAfterTouch);

  const touches = ladderOf(run.campaign).map((_, index): TouchSummary => {
    const touch = index + 1;
    const summary: TouchSummary = {
      touch,
      sent: {},
      skipped: {},
      optedOut: {},
      converted: convertedAfter[touch] ?? 0,
    };
    for (const outcome of outcomes.filter((candidate) => candidate.touch === touch)) {
      add(summary.sent, outcome.sent);
      add(summary.skipped, outcome.skipped);
      // Outcomes of runs that started before opt-outs were counted have none.
      add(summary.optedOut, outcome.optedOut ?? {});
    }
    return summary;
  });
  const total = (pick: (closing: (typeof closings)[number]) => number) =>
    closings.reduce((sum, closing) => sum + pick(closing), 0);
  const exited = {};
  for (const closing of closings) add(exited, closing.exited);
  const converted = total((closing) => closing.converted);
  const holdout = {
    size: total((closing) => closing.holdout),
    converted: total((closing) => closing.holdoutConverted),
  };
  const messagedRate = rate(converted, selection.enrolled - holdout.size);
  const holdoutRate = rate(holdout.converted, holdout.size);
  const summary: RunSummary = {
    runId: run.runId,
    campaignId: run.campaign.id,
    runDate: run.runDate,
    timeZone: run.timeZone,
    goal: run.campaign.goal,
    dryRun: run.dryRun,
    selection,
    cohortSize: selection.enrolled,
    touches,
    convertedBeforeFirstTouch: convertedAfter[0] ?? 0,
    totalConverted: converted,
    completed: total((closing) => closing.completed),
    exited,
    holdout,
    liftPoints:
      messagedRate === null || holdoutRate === null
        ? null
        : Math.round((messagedRate - holdoutRate) * 1000) / 10,
  };
  await completeRun(run.runId, summary, now.toISOString());
  return summary;
};
