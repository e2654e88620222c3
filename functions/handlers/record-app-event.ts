import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas';
import { describeFirstIssue, InvalidAppEvent } from '../shared/errors';
import { lambdaHandler } from '../shared/lambda';
import { logger, metrics } from '../shared/powertools';
import { appEventSchema } from '../users/app-event';
import { type AppEventResult, recordAppEvent } from '../users/record-app-event';

/** Events on the app-events bus: lifecycle moments, clicks, profiles and consents. */
export const handler = lambdaHandler(async (event: unknown): Promise<AppEventResult> => {
  const envelope = EventBridgeSchema.safeParse(event);
  if (!envelope.success) throw new InvalidAppEvent(`envelope ${describeFirstIssue(envelope.error)}`);
  const detail = appEventSchema.safeParse(envelope.data.detail);
  if (!detail.success) throw new InvalidAppEvent(describeFirstIssue(detail.error));
  const recorded = await recordAppEvent(detail.data, envelope.data.id);
  // Field names only: values may be contact data.
  logger.info('App event', {
    type: detail.data.type,
    userId: detail.data.userId,
    result: recorded.result,
    changed: recorded.changed,
  });
  metrics.addDimensions({ type: detail.data.type, result: recorded.result });
  metrics.addMetric('AppEvents', 'Count', 1);
  return recorded;
});
