import { parseDeliveryEvent } from '../channels/delivery-events';
import { type DeliveryEventResult, recordDeliveryEvent } from '../channels/delivery-record';
import { lambdaHandler } from '../shared/lambda';
import { logger, metrics } from '../shared/powertools';

/** SES configuration-set events and End User Messaging SMS delivery events, joined to their touch. */
export const handler = lambdaHandler(async (event: unknown): Promise<DeliveryEventResult> => {
  const result = await recordDeliveryEvent(parseDeliveryEvent(event));
  // Ids only: the events also carry the recipient's address, which stays out of the logs.
  logger.info('Delivery event', { ...result });
  metrics.addDimensions({ channel: result.channel, kind: result.kind, result: result.result });
  metrics.addMetric('DeliveryEvents', 'Count', 1);
  return result;
});
