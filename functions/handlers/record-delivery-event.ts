import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas';
import {
  type DeliveryEvent,
  deliveryEventFromSes,
  deliveryEventFromSms,
  InvalidDeliveryEvent,
  SMS_DETAIL_TYPE,
  sesDetailTypes,
  sesEventSchema,
  smsEventSchema,
} from '../channels/delivery-events';
import { type DeliveryEventResult, recordDeliveryEvent } from '../channels/delivery-record';
import { describeFirstIssue } from '../shared/errors';
import { lambdaHandler } from '../shared/lambda';
import { logger, metrics } from '../shared/powertools';

/** Reads a delivery or engagement event from SES or End User Messaging, as the default bus delivers it. */
const deliveryEventOf = (event: unknown): DeliveryEvent => {
  const envelope = EventBridgeSchema.safeParse(event);
  if (!envelope.success) throw new InvalidDeliveryEvent(`envelope ${describeFirstIssue(envelope.error)}`);
  const { source, 'detail-type': detailType, detail } = envelope.data;
  if (source === 'aws.ses' && sesDetailTypes.includes(detailType)) {
    const parsed = sesEventSchema.safeParse(detail);
    if (!parsed.success) throw new InvalidDeliveryEvent(`detail.${describeFirstIssue(parsed.error)}`);
    return deliveryEventFromSes(parsed.data);
  }
  if (source === 'aws.sms-voice' && detailType === SMS_DETAIL_TYPE) {
    const parsed = smsEventSchema.safeParse(detail);
    if (!parsed.success) throw new InvalidDeliveryEvent(`detail.${describeFirstIssue(parsed.error)}`);
    return deliveryEventFromSms(parsed.data);
  }
  throw new InvalidDeliveryEvent(`source and detail-type: not a delivery event (${source}, ${detailType})`);
};

/** SES configuration-set events and End User Messaging SMS delivery events, joined to their touch. */
export const handler = lambdaHandler(async (event: unknown): Promise<DeliveryEventResult> => {
  const result = await recordDeliveryEvent(deliveryEventOf(event));
  // Ids only: the events also carry the recipient's address, which stays out of the logs.
  logger.info('Delivery event', { ...result });
  metrics.addDimensions({ channel: result.channel, kind: result.kind, result: result.result });
  metrics.addMetric('DeliveryEvents', 'Count', 1);
  return result;
});
