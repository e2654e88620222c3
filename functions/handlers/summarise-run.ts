import type { Run, RunSummary } from '../campaign/run';
import { summariseRun } from '../campaign/summary';
import { now } from '../shared/clock';
import { lambdaHandler } from '../shared/lambda';
import { logger, metrics } from '../shared/powertools';

export const handler = lambdaHandler(async ({ run }: { run: Run }): Promise<RunSummary> => {
  const summarisedAt = now();
  const summary = await summariseRun(run, summarisedAt);
  logger.info('Run summarised', { ...summary });
  metrics.addDimension('campaign', run.campaign.id);
  metrics.addMetric('UsersConverted', 'Count', summary.totalConverted);
  metrics.addMetric('HoldoutConverted', 'Count', summary.holdout.converted);
  // From the run's start to its summary; a dry run waits for nothing, so its duration says nothing.
  if (!run.dryRun) {
    metrics.addMetric('RunDuration', 'Seconds', (summarisedAt.getTime() - Date.parse(run.startedAt)) / 1000);
  }
  return summary;
});
