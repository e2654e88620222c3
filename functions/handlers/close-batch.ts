import { closeBatch } from '../campaign/closing';
import type { BatchClosing, Run } from '../campaign/run';
import { now } from '../shared/clock';
import { lambdaHandler } from '../shared/lambda';
import { logger } from '../shared/powertools';

/** One Distributed Map child of the closing: every member of one batch gets its terminal state. */
export const handler = lambdaHandler(
  async ({ run, batch }: { run: Run; batch: number }): Promise<BatchClosing> => {
    const closing = await closeBatch(run, batch, now());
    logger.info('Batch closed', { runId: run.runId, ...closing });
    return closing;
  },
  { publishesMetrics: false },
);
