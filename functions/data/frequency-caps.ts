import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../clients/dynamodb';
import type { ContactRecord } from '../guardrails/frequency-caps';
import { requireEnv } from '../shared/config';

const frequencyCapsTable = requireEnv('FREQUENCY_CAPS_TABLE');

/** One item per person: their recent contacts over every campaign, and a version for conditional writes. */
export interface ContactHistory {
  userId: string;
  contacts: ContactRecord[];
  version: number;
}

export const getContactHistory = async (userId: string, consistent: boolean): Promise<ContactHistory> => {
  const result = await documentClient.send(
    new GetCommand({ TableName: frequencyCapsTable, Key: { userId }, ConsistentRead: consistent }),
  );
  return (result.Item as ContactHistory | undefined) ?? { userId, contacts: [], version: 0 };
};

/**
 * Writes the person's contacts only if nobody else wrote since `expectedVersion` was read: two sends that
 * race for the last slot of a cap cannot both win. False when another write came first. The item expires
 * (TTL) a week after its last contact.
 */
export const putContactHistory = async (
  history: ContactHistory,
  expectedVersion: number,
): Promise<boolean> => {
  const last = history.contacts.reduce((latest, contact) => Math.max(latest, Date.parse(contact.at)), 0);
  try {
    await documentClient.send(
      new PutCommand({
        TableName: frequencyCapsTable,
        Item: {
          ...history,
          version: expectedVersion + 1,
          expiresAt: Math.floor(last / 1000) + 8 * 24 * 3600,
        },
        ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(userId)' : 'version = :expected',
        ...(expectedVersion === 0 ? {} : { ExpressionAttributeValues: { ':expected': expectedVersion } }),
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};
