import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas';
import { emailFeedbackSchema, InvalidEmailFeedback } from '../channels/email-feedback';
import { type EmailFeedbackResult, recordEmailFeedback } from '../channels/email-feedback-consent';
import { describeFirstIssue } from '../shared/errors';
import { lambdaHandler } from '../shared/lambda';
import { logger, metrics } from '../shared/powertools';

/** SES bounces and complaints from the configuration set, delivered by the default bus. */
export const handler = lambdaHandler(async (event: unknown): Promise<EmailFeedbackResult> => {
  const envelope = EventBridgeSchema.safeParse(event);
  if (!envelope.success) throw new InvalidEmailFeedback(`envelope ${describeFirstIssue(envelope.error)}`);
  const detail = emailFeedbackSchema.safeParse(envelope.data.detail);
  if (!detail.success) throw new InvalidEmailFeedback(`detail.${describeFirstIssue(detail.error)}`);
  const result = await recordEmailFeedback(detail.data);
  // Ids only: the event also carries the recipient's address, which stays out of the logs.
  logger.info('Email feedback', { ...result });
  metrics.addDimensions({ eventType: result.eventType, result: result.result });
  metrics.addMetric('EmailFeedback', 'Count', 1);
  return result;
});
