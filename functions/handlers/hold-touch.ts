import { type HoldDecision, holdTouch } from '../campaign/hold';
import type { Run } from '../campaign/run';
import { now } from '../shared/clock';
import { requireEnv } from '../shared/config';
import { lambdaHandler } from '../shared/lambda';
import { logger } from '../shared/powertools';

const limitHours = Number(requireEnv('PAUSE_LIMIT_HOURS'));

/** A touch that a pause held back: look at the brakes again, and say where the run goes next. */
export const handler = lambdaHandler(
  async ({ run, touch }: { run: Run; touch: number }): Promise<HoldDecision> => {
    const decision = await holdTouch(run, touch, now(), limitHours);
    if (decision.state !== 'held')
      logger.info('Hold ended', { runId: run.runId, touch, state: decision.state });
    return decision;
  },
  { publishesMetrics: false },
);
