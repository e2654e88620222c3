import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Touch } from '../campaign/touch';
import { documentClient } from '../clients/dynamodb';
import { requireEnv } from '../shared/config';

const touchesTable = requireEnv('TOUCHES_TABLE');

/**
 * Claims the touch before the provider is called. Only the first claim for (user, run, step) wins, so
 * a retried batch never sends twice; a claim left without a result is reported, not re-sent.
 */
export const claimTouch = async (touch: Touch): Promise<boolean> => {
  try {
    await documentClient.send(
      new PutCommand({
        TableName: touchesTable,
        Item: touch,
        ConditionExpression: 'attribute_not_exists(userId)',
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};

export const recordTouchSent = async (
  touch: Pick<Touch, 'userId' | 'touchId'>,
  messageId: string,
  sentAt: string,
): Promise<void> => {
  await documentClient.send(
    new UpdateCommand({
      TableName: touchesTable,
      Key: { userId: touch.userId, touchId: touch.touchId },
      UpdateExpression: 'SET #status = :sent, messageId = :messageId, sentAt = :sentAt',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':sent': 'sent', ':messageId': messageId, ':sentAt': sentAt },
    }),
  );
};

export const recordTouchFailed = async (
  touch: Pick<Touch, 'userId' | 'touchId'>,
  error: string,
): Promise<void> => {
  await documentClient.send(
    new UpdateCommand({
      TableName: touchesTable,
      Key: { userId: touch.userId, touchId: touch.touchId },
      UpdateExpression: 'SET #status = :failed, failure = :error',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':failed': 'failed', ':error': error },
    }),
  );
};

/** Records the first click on a touch's link; later clicks keep the first time. */
export const recordTouchClicked = async (
  userId: string,
  touchId: string,
  clickedAt: string,
): Promise<void> => {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: touchesTable,
        Key: { userId, touchId },
        UpdateExpression: 'SET clickedAt = if_not_exists(clickedAt, :clickedAt)',
        ConditionExpression: 'attribute_exists(userId)',
        ExpressionAttributeValues: { ':clickedAt': clickedAt },
      }),
    );
  } catch (error) {
    // A click on a link of a touch we do not know (forged or expired link) is ignored.
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
};
