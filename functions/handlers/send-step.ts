import type { Run, StepOutcome } from '../campaign/run';
import { sendStepToBatch } from '../campaign/send-step';
import { channelSendersFromEnvironment } from '../channels/senders';
import { now } from '../shared/clock';
import { lambdaHandler } from '../shared/lambda';
import { logger, metrics } from '../shared/powertools';

const senders = await channelSendersFromEnvironment();

/** One Distributed Map child: one step of the run for one batch of enrollments. */
interface SendStepEvent {
  run: Run;
  step: string;
  batch: number;
}

export const handler = lambdaHandler(async (event: SendStepEvent): Promise<StepOutcome> => {
  const outcome = await sendStepToBatch(event.run, event.step, event.batch, senders, now());
  logger.info('Batch sent', { runId: event.run.runId, ...outcome });
  metrics.addDimensions({ campaign: event.run.campaign.id, channel: outcome.channel });
  metrics.addMetric('MessagesSent', 'Count', outcome.sent);
  return outcome;
});
