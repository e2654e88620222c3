import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DeliveryCorrelation, DeliveryEvent } from '../channels/delivery-events';
import { documentClient } from '../clients/dynamodb';
import { requireEnv } from '../shared/config';
import { getAll } from './batch';

const deliveriesTable = requireEnv('DELIVERIES_TABLE');

/** Kept for half a year of weekly reviews, then DynamoDB deletes it (TTL). */
const KEPT_SECONDS = 183 * 24 * 60 * 60;

/**
 * Records one provider event on its message's delivery record (one item per message id, joined to its touch
 * by the ids the message carried): each kind of event keeps the earliest moment it happened, so a
 * redelivered event, or a later one of the same kind, changes nothing, and events of different kinds land
 * in any order. False when nothing changed.
 */
export const recordDelivery = async (
  event: DeliveryEvent,
  correlation: DeliveryCorrelation & { runId: string; touch: number },
): Promise<boolean> => {
  // Every attribute by placeholder: several (touch, channel) are DynamoDB reserved words.
  const names: Record<string, string> = { '#at': `${event.kind}At`, '#expiresAt': 'expiresAt' };
  const values: Record<string, unknown> = {
    ':at': event.at,
    ':expiresAt': Math.floor(Date.parse(event.at) / 1000) + KEPT_SECONDS,
  };
  const sets = ['#at = :at', '#expiresAt = if_not_exists(#expiresAt, :expiresAt)'];
  const fields = {
    channel: event.channel,
    userId: correlation.userId,
    touchId: correlation.touchId,
    runId: correlation.runId,
    touch: correlation.touch,
    campaignId: correlation.campaignId,
    variant: correlation.variant,
    [`${event.kind}Detail`]: event.detail,
  };
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    names[`#${name}`] = name;
    values[`:${name}`] = value;
    sets.push(`#${name} = :${name}`);
  }
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: deliveriesTable,
        Key: { messageId: event.messageId },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: 'attribute_not_exists(#at) OR #at > :at',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};

/** The delivery records of these message ids (those a provider reported on), by message id. */
export const getDeliveryRecords = async (
  messageIds: readonly string[],
): Promise<Map<string, Record<string, unknown>>> => {
  const items = await getAll<Record<string, unknown>>(
    deliveriesTable,
    [...new Set(messageIds)].map((messageId) => ({ messageId })),
  );
  return new Map(items.map((item) => [String(item.messageId), item]));
};
