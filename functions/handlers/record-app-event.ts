import { EventBridgeEnvelope } from '@aws-lambda-powertools/parser/envelopes';
import { describeFirstIssue, InvalidAppEvent } from '../shared/errors';
import { lambdaHandler } from '../shared/lambda';
import { logger, metrics } from '../shared/powertools';
import { type AppEventResult, appEventSchema, recordAppEvent } from '../users/app-event';

/** App events (logins, clicks, applications, drawdowns) from the app-events EventBridge bus. */
export const handler = lambdaHandler(async (event: unknown): Promise<{ result: AppEventResult }> => {
  const parsed = EventBridgeEnvelope.safeParse(event, appEventSchema);
  if (!parsed.success) {
    const issue = 'issues' in parsed.error ? describeFirstIssue(parsed.error as never) : parsed.error.message;
    throw new InvalidAppEvent(issue);
  }
  const result = await recordAppEvent(parsed.data);
  logger.info('App event', { type: parsed.data.type, userId: parsed.data.userId, result });
  metrics.addDimensions({ type: parsed.data.type, result });
  metrics.addMetric('AppEvents', 'Count', 1);
  return { result };
});
