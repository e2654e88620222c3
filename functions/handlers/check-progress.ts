import { type Progress, progressAfterTouch } from '../campaign/progress';
import type { Run } from '../campaign/run';
import { lambdaHandler } from '../shared/lambda';

/** After a touch: members still active and held by a pause, and whether the run was stopped. */
export const handler = lambdaHandler(
  async ({ run, touch }: { run: Run; touch: number }): Promise<Progress> => progressAfterTouch(run, touch),
  { publishesMetrics: false },
);
