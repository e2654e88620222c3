import { type EnrolledCohort, selectAudience } from '../campaign/audience';
import type { Run } from '../campaign/run';
import { now } from '../shared/clock';
import { lambdaHandler } from '../shared/lambda';
import { logger, metrics } from '../shared/powertools';

export const handler = lambdaHandler(async ({ run }: { run: Run }): Promise<EnrolledCohort> => {
  const cohort = await selectAudience(run, now());
  logger.info('Audience enrolled', {
    runId: run.runId,
    cohortSize: cohort.cohortSize,
    messaged: cohort.messaged,
  });
  metrics.addDimension('campaign', run.campaign.id);
  metrics.addMetric('UsersEnrolled', 'Count', cohort.cohortSize);
  return cohort;
});
