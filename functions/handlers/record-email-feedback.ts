import { parseEmailFeedback } from '../channels/email-feedback';
import { type EmailFeedbackResult, recordEmailFeedback } from '../channels/email-feedback-consent';
import { lambdaHandler } from '../shared/lambda';
import { logger, metrics } from '../shared/powertools';

/** SES bounces and complaints from the configuration set, delivered by the default bus. */
export const handler = lambdaHandler(async (event: unknown): Promise<EmailFeedbackResult> => {
  const result = await recordEmailFeedback(parseEmailFeedback(event));
  // Ids only: the event also carries the recipient's address, which stays out of the logs.
  logger.info('Email feedback', { ...result });
  metrics.addDimensions({ eventType: result.eventType, result: result.result });
  metrics.addMetric('EmailFeedback', 'Count', 1);
  return result;
});
