import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, paginateQuery, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CallRecord, CallTask } from '../channels/call-task-queue';
import { documentClient } from '../clients/dynamodb';
import { requireEnv } from '../shared/config';
import { getAll } from './batch';
import { putIfAbsent } from './put-if-absent';

const callTasksTable = requireEnv('CALL_TASKS_TABLE');
/** The sparse index of open tasks by queue (infra/tables.ts). */
export const OPEN_TASKS_INDEX = 'openByQueue';

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

/** One task by id, or undefined. */
export const getCallTask = async (taskId: string): Promise<CallTask | undefined> => {
  const result = await documentClient.send(
    new GetCommand({ TableName: callTasksTable, Key: { taskId }, ConsistentRead: true }),
  );
  return result.Item as CallTask | undefined;
};

/**
 * A queue's open tasks in the order agents take them (priority, then age), page by page from the sparse
 * `openByQueue` index; the caller stops reading once it found what it wanted.
 */
export async function* openTasksOf(queue: string): AsyncGenerator<CallTask> {
  for await (const page of paginateQuery(
    { client: documentClient, pageSize: 50 },
    {
      TableName: callTasksTable,
      IndexName: OPEN_TASKS_INDEX,
      KeyConditionExpression: 'openQueue = :queue',
      ExpressionAttributeValues: { ':queue': queue },
    },
  )) {
    for (const item of page.Items ?? []) yield item as CallTask;
  }
}

/**
 * Leases an open task to an agent until `until`: only if it is open, nobody holds a lease still running, it
 * is available and its call window is open at `now`. One conditional write, so of two agents taking the same
 * task at once exactly one gets it. The leased task, or undefined when it was not free.
 */
export const leaseCallTask = async (
  taskId: string,
  agentId: string,
  now: Date,
  until: Date,
): Promise<CallTask | undefined> => {
  try {
    const result = await documentClient.send(
      new UpdateCommand({
        TableName: callTasksTable,
        Key: { taskId },
        UpdateExpression: 'SET leasedBy = :agent, leaseUntil = :until',
        ConditionExpression:
          '#status = :open AND (attribute_not_exists(leaseUntil) OR leaseUntil <= :now) AND ' +
          '(attribute_not_exists(availableAt) OR availableAt <= :now) AND expiresAt > :now',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':agent': agentId,
          ':until': until.toISOString(),
          ':open': 'open',
          ':now': now.toISOString(),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return result.Attributes as CallTask;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
};

/** What a call's outcome does to its task: back to the queue from a moment on, or closed. */
export type TaskSettlement = { requeueAt: string } | { closedAs: NonNullable<CallTask['closedAs']> };

/**
 * Records a call on the task its agent holds, and puts the task back in the queue or closes it. Only while
 * the task is open and this agent's lease still runs (a conditional write): false otherwise, changing nothing.
 */
export const settleCallTask = async (
  taskId: string,
  agentId: string,
  now: Date,
  call: CallRecord,
  settlement: TaskSettlement,
): Promise<boolean> => {
  const values: Record<string, unknown> = {
    ':agent': agentId,
    ':open': 'open',
    ':call': [call],
    ':none': [],
    ':one': 1,
  };
  let update: string;
  if ('requeueAt' in settlement) {
    values[':availableAt'] = settlement.requeueAt;
    update = `SET availableAt = :availableAt, calls = list_append(if_not_exists(calls, :none), :call) REMOVE leasedBy, leaseUntil ADD attempts :one`;
  } else {
    values[':now'] = now.toISOString();
    values[':closed'] = 'closed';
    values[':closedAs'] = settlement.closedAs;
    update =
      'SET #status = :closed, closedAs = :closedAs, closedAt = :now, closedBy = :agent, ' +
      'calls = list_append(if_not_exists(calls, :none), :call) REMOVE openQueue, leasedBy, leaseUntil ADD attempts :one';
  }
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: callTasksTable,
        Key: { taskId },
        UpdateExpression: update,
        // Whoever takes the task next overwrites `leasedBy`: this agent's own run-out lease still records.
        ConditionExpression: '#status = :open AND leasedBy = :agent',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};

/** Closes a task without a call (the person withdrew call consent since): it leaves the queue. */
export const closeCallTaskUncalled = async (
  taskId: string,
  agentId: string,
  now: Date,
  closedAs: 'consent-withdrawn' | 'no-phone',
): Promise<boolean> => {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: callTasksTable,
        Key: { taskId },
        UpdateExpression:
          'SET #status = :closed, closedAs = :closedAs, closedAt = :now, closedBy = :agent REMOVE openQueue, leasedBy, leaseUntil',
        ConditionExpression: '#status = :open AND leasedBy = :agent',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':closed': 'closed',
          ':closedAs': closedAs,
          ':now': now.toISOString(),
          ':agent': agentId,
          ':open': 'open',
        },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};

/** These tasks by id (those that exist), by id. */
export const getCallTasks = async (taskIds: readonly string[]): Promise<Map<string, CallTask>> => {
  const items = await getAll<CallTask>(
    callTasksTable,
    [...new Set(taskIds)].map((taskId) => ({ taskId })),
  );
  return new Map(items.map((item) => [item.taskId, item]));
};
