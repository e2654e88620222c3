import { paginateQuery, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Channel } from '../campaign/definition';
import type { TouchChunk, TouchResult } from '../campaign/touch';
import { documentClient } from '../clients/dynamodb';
import { requireEnv } from '../shared/config';
import { chunkKey, runBatch } from './keys';
import { putIfAbsent } from './put-if-absent';

const touchesTable = requireEnv('TOUCHES_TABLE');

/**
 * Touches are recorded per chunk of a batch (partition run#batch, sort key t<touch>#c<chunk>): the claim is written before
 * any provider is called, the results after. One item per chunk, not per message, keeps writes few.
 */

/** Claims a chunk of a touch; false when it was claimed before (a retried batch), so nobody is sent twice. */
export const claimTouchChunk = (chunk: TouchChunk): Promise<boolean> =>
  putIfAbsent(
    touchesTable,
    {
      runBatch: runBatch(chunk.runId, chunk.batch),
      touchChunk: chunkKey(chunk.touch, chunk.chunk),
      ...chunk,
    },
    'runBatch',
  );

/**
 * One member's result as stored: a JSON array instead of a map of named attributes, about half the bytes,
 * so a chunk's results item takes fewer write units. Sent: `["s", channel, rung, variant, messageId, ms after
 * the claim]`; skipped: `["x", reason, channel, rung, convertedAt, afterTouch]` without trailing nulls.
 */
export const encodeTouchResult = (result: TouchResult, claimedAt: string): string => {
  if ('sentAt' in result) {
    const offset = Date.parse(result.sentAt) - Date.parse(claimedAt);
    return JSON.stringify([
      's',
      result.channel,
      result.rung ?? null,
      result.variant,
      result.messageId,
      offset,
    ]);
  }
  const fields = [result.channel, result.rung, result.convertedAt, result.afterTouch];
  while (fields.length > 0 && fields.at(-1) === undefined) fields.pop();
  return JSON.stringify(['x', result.skipped, ...fields.map((field) => field ?? null)]);
};

/** Reads a stored result back; results stored before the compact form are maps and read as they are. */
export const decodeTouchResult = (stored: string | TouchResult, claimedAt: string): TouchResult => {
  if (typeof stored !== 'string') return stored;
  const [kind, ...fields] = JSON.parse(stored) as [string, ...(string | number | null)[]];
  const present = <T>(value: T | null | undefined) => value ?? undefined;
  if (kind === 's') {
    const [channel, rung, variant, messageId, offset] = fields;
    return {
      channel: channel as Channel,
      ...(rung === null || rung === undefined ? {} : { rung: Number(rung) }),
      variant: String(variant),
      messageId: String(messageId),
      sentAt: new Date(Date.parse(claimedAt) + Number(offset ?? 0)).toISOString(),
    } as TouchResult;
  }
  const [skipped, channel, rung, convertedAt, afterTouch] = fields;
  return Object.fromEntries(
    Object.entries({
      skipped,
      channel: present(channel),
      rung: present(rung),
      convertedAt: present(convertedAt),
      afterTouch: present(afterTouch),
    }).filter(([, value]) => value !== undefined),
  ) as TouchResult;
};

export const recordTouchResults = async (
  chunk: Pick<TouchChunk, 'runId' | 'batch' | 'touch' | 'chunk' | 'claimedAt'>,
  results: Record<string, TouchResult>,
  throttleRetries = 0,
): Promise<void> => {
  const stored = Object.fromEntries(
    Object.entries(results).map(([userId, result]) => [userId, encodeTouchResult(result, chunk.claimedAt)]),
  );
  const retried = throttleRetries > 0;
  await documentClient.send(
    new UpdateCommand({
      TableName: touchesTable,
      Key: { runBatch: runBatch(chunk.runId, chunk.batch), touchChunk: chunkKey(chunk.touch, chunk.chunk) },
      // The results name every member: the claim's member list is no longer needed (the planned ladder
      // steps stay: a capped member's result has none, and they show which step it was held back on).
      UpdateExpression: `SET results = :results, #status = :done${retried ? ', throttleRetries = :retries' : ''} REMOVE userIds`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':results': stored,
        ':done': 'done',
        ...(retried ? { ':retries': throttleRetries } : {}),
      },
    }),
  );
};

/** A touch chunk as stored (its keys, its results encoded) as the send step reads it. */
export const decodeTouchChunk = (item: Record<string, unknown>): TouchChunk => {
  const {
    runBatch: _key,
    touchChunk: _sortKey,
    results,
    ...chunk
  } = item as Omit<TouchChunk, 'results'> & {
    runBatch?: string;
    touchChunk?: string;
    results?: Record<string, string | TouchResult>;
  };
  if (results === undefined) return chunk;
  return {
    ...chunk,
    results: Object.fromEntries(
      Object.entries(results).map(([userId, result]) => [userId, decodeTouchResult(result, chunk.claimedAt)]),
    ),
  };
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
    for (const item of page.Items ?? []) chunks.push(decodeTouchChunk(item));
  }
  return chunks;
};
