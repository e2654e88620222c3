import { activeAfterTouch } from '../campaign/progress';
import type { Run } from '../campaign/run';
import { lambdaHandler } from '../shared/lambda';

/** After a touch: how many members are still active, so the run can end early when nobody is left. */
export const handler = lambdaHandler(
  async ({ run, touch }: { run: Run; touch: number }): Promise<{ active: number }> => ({
    active: await activeAfterTouch(run.runId, touch),
  }),
  { publishesMetrics: false },
);
