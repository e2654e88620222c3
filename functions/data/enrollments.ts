import { GetCommand, paginateQuery, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { EnrollmentBatch, TerminalState } from '../campaign/enrollment';
import { documentClient } from '../clients/dynamodb';
import { requireEnv } from '../shared/config';
import { putAll } from './batch';
import { batchKey } from './keys';

const enrollmentsTable = requireEnv('ENROLLMENTS_TABLE');

/**
 * One item per (run, batch) holds its members: per-user items would cost a write per user per change,
 * which is what keeps a cohort run cheap.
 */
export const putEnrollmentBatches = async (batches: readonly EnrollmentBatch[]): Promise<void> => {
  await putAll(
    enrollmentsTable,
    batches.map((batch) => ({ ...batch, batch: batchKey(batch.batch) })),
  );
};

export const getEnrollmentBatch = async (runId: string, batch: number): Promise<EnrollmentBatch> => {
  const result = await documentClient.send(
    new GetCommand({
      TableName: enrollmentsTable,
      Key: { runId, batch: batchKey(batch) },
      ConsistentRead: true,
    }),
  );
  if (!result.Item) throw new Error(`Run ${runId} has no enrollment batch ${batch}`);
  return { ...(result.Item as EnrollmentBatch), batch };
};

/** Writes every member's terminal state once the run closes. */
export const recordTerminalStates = async (
  runId: string,
  batch: number,
  terminal: Record<string, TerminalState>,
): Promise<void> => {
  await documentClient.send(
    new UpdateCommand({
      TableName: enrollmentsTable,
      Key: { runId, batch: batchKey(batch) },
      UpdateExpression: 'SET terminal = :terminal',
      ExpressionAttributeValues: { ':terminal': terminal },
    }),
  );
};

/** Every enrollment batch of a run, in batch order. */
export const queryEnrollmentBatches = async (runId: string): Promise<EnrollmentBatch[]> => {
  const batches: EnrollmentBatch[] = [];
  for await (const page of paginateQuery(
    { client: documentClient },
    {
      TableName: enrollmentsTable,
      KeyConditionExpression: 'runId = :runId',
      ExpressionAttributeValues: { ':runId': runId },
    },
  )) {
    for (const item of page.Items ?? [])
      batches.push({ ...(item as EnrollmentBatch), batch: Number(item.batch) });
  }
  return batches;
};
