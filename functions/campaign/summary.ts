import { addCallTallies } from '../agents/call-tally';
import { getRunControl, removeStopRequest } from '../data/controls';
import { completeRun, getSelection, queryBatchClosings, queryTouchOutcomes } from '../data/runs';
import { heldMilliseconds, type RunControl } from '../operations/controls';
import { ladderOf } from './definition';
import { type Lift, liftOf } from './lift';
import type { Run, RunBrakesSummary, RunSummary, TouchSummary } from './run';

const add = <K extends string>(into: Partial<Record<K, number>>, from: Partial<Record<K, number>>) => {
  for (const [key, count] of Object.entries(from) as [K, number][]) into[key] = (into[key] ?? 0) + count;
};

const liftField = (lift: Lift | undefined) => (lift ? { lift } : {});

const rate = (part: number, whole: number) => (whole === 0 ? null : part / whole);

const minutes = (milliseconds: number) => Math.round(milliseconds / 60_000);

/** How long pauses held each touch back, and the stop request, from the run's controls. */
const brakesSummary = (control: RunControl, now: Date): RunBrakesSummary => {
  const holds = Object.entries(control.holds)
    .map(([touch, hold]) => ({
      touch: Number(touch),
      since: hold.since,
      ...(hold.until ? { until: hold.until } : {}),
      ...(hold.ending ? { ending: hold.ending } : {}),
      minutes: minutes(heldMilliseconds(hold, now)),
    }))
    .sort((a, b) => a.touch - b.touch);
  return {
    heldMinutes: holds.reduce((sum, hold) => sum + hold.minutes, 0),
    holds,
    ...(control.stopRequestedAt ? { stoppedAt: control.stopRequestedAt } : {}),
    ...(control.stoppedBy ? { stoppedBy: control.stoppedBy } : {}),
  };
};

/**
 * The run's summary as its records stand at `now`, writing nothing: the final one once every batch closed,
 * an interim one (what the report shows for a run still open) before.
 */
export const tallyRun = async (run: Run, now: Date): Promise<{ summary: RunSummary; stopped: boolean }> => {
  const [selection, outcomes, closings, control] = await Promise.all([
    getSelection(run.runId),
    queryTouchOutcomes(run.runId),
    queryBatchClosings(run.runId),
    getRunControl(run.runId),
  ]);
  const brakes = brakesSummary(control, now);
  const convertedAfter: Record<string, number> = {};
  for (const closing of closings) add(convertedAfter, closing.convertedAfterTouch);

  const touches = ladderOf(run.campaign).map((_, index): TouchSummary => {
    const touch = index + 1;
    const carry = control.carries[String(touch)];
    const summary: TouchSummary = {
      touch,
      sent: {},
      skipped: {},
      optedOut: {},
      converted: convertedAfter[touch] ?? 0,
      heldMinutes: brakes.holds.find((hold) => hold.touch === touch)?.minutes ?? 0,
      windows: carry?.windows ?? 1,
      carriedOver: (carry?.carried ?? []).reduce((sum, count) => sum + count, 0),
      throttleRetries: 0,
    };
    for (const outcome of outcomes.filter((candidate) => candidate.touch === touch)) {
      add(summary.sent, outcome.sent);
      add(summary.skipped, outcome.skipped);
      // Outcomes of runs that started before opt-outs (or pacing) were counted have none.
      add(summary.optedOut, outcome.optedOut ?? {});
      summary.throttleRetries += outcome.throttleRetries ?? 0;
      if (outcome.firstSentAt && !(summary.firstSentAt && summary.firstSentAt <= outcome.firstSentAt))
        summary.firstSentAt = outcome.firstSentAt;
      if (outcome.lastSentAt && !(summary.lastSentAt && summary.lastSentAt >= outcome.lastSentAt))
        summary.lastSentAt = outcome.lastSentAt;
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
    ...liftField(liftOf({ converted, size: selection.enrolled - holdout.size }, holdout)),
    brakes,
  };
  const calls = addCallTallies(closings.map((closing) => closing.calls));
  if (calls) summary.calls = calls;
  return { summary, stopped: control.stopRequestedAt !== undefined };
};

/** The run's funnel, from the per-batch outcomes and closings; written to the run record. */
export const summariseRun = async (run: Run, now: Date): Promise<RunSummary> => {
  const { summary, stopped } = await tallyRun(run, now);
  await completeRun(run.runId, summary, now.toISOString(), stopped ? 'stopped' : 'completed');
  if (stopped) await removeStopRequest(run.runId);
  return summary;
};
