import type { Campaign } from '../campaign/definition';
import { prepareRun, type Run } from '../campaign/run';
import { claimRun } from '../data/runs';
import { now } from '../shared/clock';
import { lambdaHandler } from '../shared/lambda';
import { logger, metrics } from '../shared/powertools';

/** First state of every run: the state machine passes the execution input and its campaign definition. */
interface PrepareRunEvent {
  input: unknown;
  campaign: Campaign;
  executionName: string;
}

export const handler = lambdaHandler(async (event: PrepareRunEvent): Promise<{ run: Run }> => {
  const run = await claimRun(
    prepareRun(event.input, event.campaign, now(), event.executionName),
    event.executionName,
  );
  logger.info('Run started', { runId: run.runId, dryRun: run.dryRun });
  metrics.addDimension('campaign', run.campaign.id);
  metrics.addMetric('RunsStarted', 'Count', 1);
  return { run };
});
