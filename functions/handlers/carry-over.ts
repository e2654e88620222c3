import { type CarryDecision, carryOver } from '../campaign/carry-over';
import type { Progress } from '../campaign/progress';
import type { Run } from '../campaign/run';
import { now } from '../shared/clock';
import { lambdaHandler } from '../shared/lambda';
import { logger } from '../shared/powertools';

/** A touch the providers' rates left members of: say when and how the run goes on with them. */
export const handler = lambdaHandler(
  async ({
    run,
    touch,
    progress,
  }: {
    run: Run;
    touch: number;
    progress: Progress;
  }): Promise<CarryDecision> => {
    const decision = await carryOver(run, touch, progress, now());
    if (decision.state !== 'continue')
      logger.info('Touch carried over', { runId: run.runId, touch, pending: progress.pending, ...decision });
    return decision;
  },
  { publishesMetrics: false },
);
