import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CallTask } from '../channels/call-task-queue';
import { documentClient } from '../clients/dynamodb';
import { requireEnv } from '../shared/config';
import { putIfAbsent } from './put-if-absent';

const callTasksTable = requireEnv('CALL_TASKS_TABLE');

/**
 * Creates the task once per (run, user); false when it already exists (a retried batch). While open,
 * the task sits in the sparse `openByQueue` index (openQueue, priority#createdAt#userId), where agents
 * read a queue's open tasks by priority, then age.
 */
export const putCallTask = (task: CallTask): Promise<boolean> =>
  putIfAbsent(
    callTasksTable,
    { ...task, openQueue: task.queue, queueOrder: `${task.priority}#${task.createdAt}#${task.userId}` },
    'taskId',
  );

/** Expires a task nobody worked in the call window: it leaves the agents' queue index. */
export const expireCallTask = async (taskId: string, expiredAt: string): Promise<boolean> => {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: callTasksTable,
        Key: { taskId },
        UpdateExpression: 'SET #status = :expired, expiredAt = :at REMOVE openQueue',
        ConditionExpression: '#status = :open',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':expired': 'expired', ':open': 'open', ':at': expiredAt },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};
