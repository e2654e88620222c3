import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { paginateQuery, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TouchChunk, TouchResult } from '../campaign/touch';
import { documentClient } from '../clients/dynamodb';
import { requireEnv } from '../shared/config';
import { batchKey } from './enrollments';
import { putIfAbsent } from './put-if-absent';

const touchesTable = requireEnv('TOUCHES_TABLE');

/**
 * Touches are recorded per chunk of a batch (partition run#batch, sort key t<touch>#c<chunk>): the claim is written before
 * any provider is called, the results after. One item per chunk, not per message, keeps writes few.
 */
const runBatch = (runId: string, batch: number) => `${runId}#${batchKey(batch)}`;
export const chunkKey = (touch: number, chunk: number) => `t${touch}#c${String(chunk).padStart(4, '0')}`;

/** Claims a chunk of a touch; false when it was claimed before (a retried batch), so nobody is sent twice. */
export const claimTouchChunk = (chunk: TouchChunk): Promise<boolean> =>
  putIfAbsent(
    touchesTable,
    {
      runBatch: runBatch(chunk.runId, chunk.batch),
      touchChunk: chunkKey(chunk.touch, chunk.chunk),
      ...chunk,
      clicks: {},
    },
    'runBatch',
  );

export const recordTouchResults = async (
  chunk: Pick<TouchChunk, 'runId' | 'batch' | 'touch' | 'chunk'>,
  results: Record<string, TouchResult>,
): Promise<void> => {
  await documentClient.send(
    new UpdateCommand({
      TableName: touchesTable,
      Key: { runBatch: runBatch(chunk.runId, chunk.batch), touchChunk: chunkKey(chunk.touch, chunk.chunk) },
      // The results name every member: the claim's member list and planned rungs are no longer needed.
      UpdateExpression: 'SET results = :results, #status = :done REMOVE userIds, plannedRungs',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':results': results, ':done': 'done' },
    }),
  );
};

/** Every touch chunk of a batch so far: the batch's history, from which each member's state follows. */
export const queryTouchChunks = async (runId: string, batch: number): Promise<TouchChunk[]> => {
  const chunks: TouchChunk[] = [];
  const pages = paginateQuery(
    { client: documentClient },
    {
      TableName: touchesTable,
      KeyConditionExpression: 'runBatch = :runBatch',
      ExpressionAttributeValues: { ':runBatch': runBatch(runId, batch) },
      ConsistentRead: true,
    },
  );
  for await (const page of pages) {
    for (const { runBatch: _key, touchChunk: _sortKey, ...item } of page.Items ?? [])
      chunks.push(item as TouchChunk);
  }
  return chunks;
};

/** Records the first click on a touch's link; a link of an unknown touch is ignored. */
export const recordTouchClicked = async (
  touchId: string,
  userId: string,
  clickedAt: string,
): Promise<boolean> => {
  const [runBatchKey, touchChunk] = touchId.split('|');
  if (!runBatchKey || !touchChunk) return false;
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: touchesTable,
        Key: { runBatch: runBatchKey, touchChunk },
        UpdateExpression: 'SET clicks.#user = if_not_exists(clicks.#user, :clickedAt)',
        ConditionExpression: 'attribute_exists(results.#user)',
        ExpressionAttributeNames: { '#user': userId },
        ExpressionAttributeValues: { ':clickedAt': clickedAt },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};

/** The id a message's link and provider context carry back: its chunk's key, so a click is one update. */
export const touchIdOf = (runId: string, batch: number, touch: number, chunk: number) =>
  `${runBatch(runId, batch)}|${chunkKey(touch, chunk)}`;
