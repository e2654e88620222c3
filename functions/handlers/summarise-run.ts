import type { Run, RunSummary } from '../campaign/run';
import { summariseRun } from '../campaign/summary';
import { now } from '../shared/clock';
import { lambdaHandler } from '../shared/lambda';
import { logger, metrics } from '../shared/powertools';

export const handler = lambdaHandler(async ({ run }: { run: Run }): Promise<RunSummary> => {
  const summary = await summariseRun(run, now());
  logger.info('Run summarised', { ...summary });
  metrics.addDimension('campaign', run.campaign.id);
  metrics.addMetric('UsersConverted', 'Count', summary.totalConverted);
  metrics.addMetric('HoldoutConverted', 'Count', summary.holdout.converted);
  return summary;
});
