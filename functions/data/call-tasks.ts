import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CallTask } from '../channels/call-task-queue';
import { documentClient } from '../clients/dynamodb';
import { requireEnv } from '../shared/config';

const callTasksTable = requireEnv('CALL_TASKS_TABLE');

/** Agents read a queue's open tasks by priority: index `byQueue` (queue, priority#createdAt#userId). */
export const CALL_QUEUE_INDEX = 'byQueue';

/** Creates the task once per (run, user); false when it already exists (a retried batch). */
export const putCallTask = async (task: CallTask): Promise<boolean> => {
  try {
    await documentClient.send(
      new PutCommand({
        TableName: callTasksTable,
        Item: { ...task, queueOrder: `${task.priority}#${task.createdAt}#${task.userId}` },
        ConditionExpression: 'attribute_not_exists(taskId)',
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};
