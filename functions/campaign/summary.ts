import pLimit from 'p-limit';
import { closeEnrollment, queryBatch } from '../data/enrollments';
import { completeRun, queryStepOutcomes } from '../data/runs';
import { getUsers } from '../data/users';
import { conversionOf, type Enrollment, NO_TOUCH } from './enrollment';
import type { Run, RunSummary, SkipReason, StepSummary } from './run';

const BATCH_CONCURRENCY = 4;

/**
 * Closes the run: every enrollment still active ends converted (if the goal event came in after the last
 * touch) or completed, and the funnel per step is written to the run record and returned.
 */
export const summariseRun = async (run: Run, batchCount: number, now: Date): Promise<RunSummary> => {
  const closedAt = now.toISOString();
  const limit = pLimit(BATCH_CONCURRENCY);
  const batches = Array.from({ length: batchCount }, (_, index) => index + 1);
  const closedBatches = await Promise.all(
    batches.map((batch) => limit(() => closeBatch(run, batch, closedAt))),
  );
  const enrollments = closedBatches.flat();

  const outcomes = await queryStepOutcomes(run.runId);
  const convertedAfter = (step: string) =>
    enrollments.filter(
      (enrollment) => enrollment.status === 'converted' && enrollment.convertedAfterStep === step,
    ).length;
  const steps = run.campaign.steps.map((step): StepSummary => {
    const ofStep = outcomes.filter((outcome) => outcome.step === step.name);
    const skipped: Partial<Record<SkipReason, number>> = {};
    for (const outcome of ofStep) {
      for (const [reason, count] of Object.entries(outcome.skipped) as [SkipReason, number][]) {
        skipped[reason] = (skipped[reason] ?? 0) + count;
      }
    }
    return {
      step: step.name,
      channel: step.channel,
      sent: ofStep.reduce((sum, outcome) => sum + outcome.sent, 0),
      skipped,
      converted: convertedAfter(step.name),
    };
  });
  const totalConverted = enrollments.filter((enrollment) => enrollment.status === 'converted').length;
  const summary: RunSummary = {
    runId: run.runId,
    campaignId: run.campaign.id,
    runDate: run.runDate,
    timeZone: run.timeZone,
    goal: run.campaign.goal,
    cohortSize: enrollments.length,
    steps,
    convertedBeforeFirstTouch: convertedAfter(NO_TOUCH),
    totalConverted,
    completed: enrollments.filter((enrollment) => enrollment.status === 'completed').length,
  };
  await completeRun(run.runId, summary, closedAt);
  return summary;
};

const closeBatch = async (run: Run, batch: number, closedAt: string): Promise<Enrollment[]> => {
  const enrollments = await queryBatch(run.runId, batch);
  const active = enrollments.filter((enrollment) => enrollment.status === 'active');
  const users = await getUsers(active.map((enrollment) => enrollment.userId));
  return Promise.all(
    enrollments.map(async (enrollment): Promise<Enrollment> => {
      if (enrollment.status !== 'active') return enrollment;
      const user = users.get(enrollment.userId);
      const conversion = user ? conversionOf(enrollment, user, run.campaign.goal) : undefined;
      const closing = conversion
        ? { status: 'converted' as const, ...conversion, closedAt }
        : { status: 'completed' as const, closedAt };
      await closeEnrollment(enrollment, closing);
      return { ...enrollment, ...closing };
    }),
  );
};
