import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas';
import { describeFirstIssue, InvalidAppEvent } from '../shared/errors';
import { lambdaHandler } from '../shared/lambda';
import { logger, metrics } from '../shared/powertools';
import { type AppEventResult, appEventSchema, recordAppEvent } from '../users/app-event';

/** App events (logins, clicks, applications, drawdowns) from the app-events EventBridge bus. */
export const handler = lambdaHandler(async (event: unknown): Promise<{ result: AppEventResult }> => {
  const envelope = EventBridgeSchema.safeParse(event);
  if (!envelope.success) throw new InvalidAppEvent(`envelope ${describeFirstIssue(envelope.error)}`);
  const detail = appEventSchema.safeParse(envelope.data.detail);
  if (!detail.success) throw new InvalidAppEvent(describeFirstIssue(detail.error));
  const result = await recordAppEvent(detail.data);
  logger.info('App event', { type: detail.data.type, userId: detail.data.userId, result });
  metrics.addDimensions({ type: detail.data.type, result });
  metrics.addMetric('AppEvents', 'Count', 1);
  return { result };
});
