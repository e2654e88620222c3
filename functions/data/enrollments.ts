import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { paginateQuery, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Enrollment } from '../campaign/enrollment';
import { documentClient } from '../clients/dynamodb';
import { requireEnv } from '../shared/config';
import { putAll } from './batch';

const enrollmentsTable = requireEnv('ENROLLMENTS_TABLE');

/** Enrollments are partitioned by (run, batch): one Distributed Map child reads exactly one partition. */
export const runBatchKey = (runId: string, batch: number): string =>
  `${runId}#${String(batch).padStart(6, '0')}`;

const keyOf = (enrollment: Pick<Enrollment, 'runId' | 'batch' | 'userId'>) => ({
  runBatch: runBatchKey(enrollment.runId, enrollment.batch),
  userId: enrollment.userId,
});

export const putEnrollments = async (enrollments: readonly Enrollment[]): Promise<void> => {
  await putAll(
    enrollmentsTable,
    enrollments.map((enrollment) => ({ ...keyOf(enrollment), ...enrollment })),
  );
};

export const queryBatch = async (runId: string, batch: number): Promise<Enrollment[]> => {
  const enrollments: Enrollment[] = [];
  const pages = paginateQuery(
    { client: documentClient },
    {
      TableName: enrollmentsTable,
      KeyConditionExpression: 'runBatch = :runBatch',
      ExpressionAttributeValues: { ':runBatch': runBatchKey(runId, batch) },
      ConsistentRead: true,
    },
  );
  for await (const page of pages) {
    for (const { runBatch: _runBatch, ...enrollment } of page.Items ?? [])
      enrollments.push(enrollment as Enrollment);
  }
  return enrollments;
};

export const recordTouchOnEnrollment = async (
  enrollment: Enrollment,
  step: string,
  sentAt: string,
): Promise<void> => {
  await documentClient.send(
    new UpdateCommand({
      TableName: enrollmentsTable,
      Key: keyOf(enrollment),
      UpdateExpression: 'SET touches.#step = :sentAt',
      ExpressionAttributeNames: { '#step': step },
      ExpressionAttributeValues: { ':sentAt': sentAt },
    }),
  );
};

/**
 * Moves an active enrollment to a terminal state. Conditional on still being active, so a late retry
 * cannot overwrite a conversion with "completed".
 */
export const closeEnrollment = async (
  enrollment: Enrollment,
  closing: Pick<Enrollment, 'status' | 'convertedAt' | 'convertedAfterStep' | 'closedAt'>,
): Promise<boolean> => {
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = { ':active': 'active' };
  const assignments = Object.entries(closing)
    .filter(([, value]) => value !== undefined)
    .map(([field, value]) => {
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      return `#${field} = :${field}`;
    });
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: enrollmentsTable,
        Key: keyOf(enrollment),
        UpdateExpression: `SET ${assignments.join(', ')}`,
        ConditionExpression: '#status = :active',
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
