import { type Audience, selectAudience } from '../campaign/audience';
import type { Run } from '../campaign/run';
import { now } from '../shared/clock';
import { lambdaHandler } from '../shared/lambda';
import { logger, metrics } from '../shared/powertools';

export const handler = lambdaHandler(async ({ run }: { run: Run }): Promise<Audience> => {
  const audience = await selectAudience(run, now());
  logger.info('Audience enrolled', { runId: run.runId, cohortSize: audience.cohortSize });
  metrics.addDimension('campaign', run.campaign.id);
  metrics.addMetric('UsersEnrolled', 'Count', audience.cohortSize);
  return audience;
});
