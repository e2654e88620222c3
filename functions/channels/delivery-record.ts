import { recordDelivery } from '../data/deliveries';
import { parseTouchId } from '../data/keys';
import type { DeliveryEvent, DeliveryKind } from './delivery-events';

export interface DeliveryEventResult {
  messageId: string;
  channel: DeliveryEvent['channel'];
  kind: DeliveryKind;
  /** `unchanged`: already known as early or earlier (a redelivery); `untagged`: not a Rekindle message. */
  result: 'recorded' | 'unchanged' | 'untagged';
  runId?: string;
  touch?: number;
  userId?: string;
}

/** Joins a provider event to the touch its message belongs to, and records it on the message's record. */
export const recordDeliveryEvent = async (event: DeliveryEvent): Promise<DeliveryEventResult> => {
  const base = { messageId: event.messageId, channel: event.channel, kind: event.kind };
  const touch = event.correlation ? parseTouchId(event.correlation.touchId) : undefined;
  if (!event.correlation || !touch) return { ...base, result: 'untagged' };
  const changed = await recordDelivery(event, {
    ...event.correlation,
    runId: touch.runId,
    touch: touch.touch,
  });
  return {
    ...base,
    result: changed ? 'recorded' : 'unchanged',
    runId: touch.runId,
    touch: touch.touch,
    userId: event.correlation.userId,
  };
};
