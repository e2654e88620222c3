import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../clients/dynamodb';

/**
 * Writes the item only if no item with its key exists yet: the conditional write that makes claims
 * (runs, touch chunks, call tasks) happen once. False when the key was already taken.
 */
export const putIfAbsent = async (
  tableName: string,
  item: object,
  partitionKey: string,
): Promise<boolean> => {
  try {
    await documentClient.send(
      new PutCommand({
        TableName: tableName,
        Item: item as Record<string, unknown>,
        ConditionExpression: 'attribute_not_exists(#key)',
        ExpressionAttributeNames: { '#key': partitionKey },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};
