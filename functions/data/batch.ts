import { BatchGetCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import pLimit from 'p-limit';
import { documentClient } from '../clients/dynamodb';

export const MAX_WRITE_BATCH = 25;
const MAX_GET_BATCH = 100;
const MAX_ATTEMPTS = 8;

export const chunk = <T>(items: readonly T[], size: number): T[][] => {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
};

const backoff = (attempt: number) => new Promise((resolve) => setTimeout(resolve, 2 ** attempt * 10));

/** Batch requests of one call in flight at once: a large cohort is not read one round trip at a time. */
const GROUPS_IN_FLIGHT = 4;

/** Puts every item, retrying what DynamoDB leaves unprocessed under throttling. */
export const putAll = async (tableName: string, items: readonly object[]): Promise<void> => {
  const limit = pLimit(GROUPS_IN_FLIGHT);
  await Promise.all(
    chunk(items, MAX_WRITE_BATCH).map((group) =>
      limit(async () => {
        let requests = group.map((Item) => ({ PutRequest: { Item: Item as Record<string, unknown> } }));
        for (let attempt = 0; requests.length > 0; attempt += 1) {
          if (attempt >= MAX_ATTEMPTS) throw new Error(`BatchWrite to ${tableName} left items unprocessed`);
          if (attempt > 0) await backoff(attempt);
          const result = await documentClient.send(
            new BatchWriteCommand({ RequestItems: { [tableName]: requests } }),
          );
          requests = (result.UnprocessedItems?.[tableName] ?? []) as typeof requests;
        }
      }),
    ),
  );
};

/** Gets every item by key, retrying unprocessed keys; missing items are simply absent from the result. */
export const getAll = async <T>(
  tableName: string,
  keys: readonly Record<string, unknown>[],
  consistentRead = false,
): Promise<T[]> => {
  const limit = pLimit(GROUPS_IN_FLIGHT);
  const groups = await Promise.all(
    chunk(keys, MAX_GET_BATCH).map((group) =>
      limit(async () => {
        const found: T[] = [];
        let pending = group;
        for (let attempt = 0; pending.length > 0; attempt += 1) {
          if (attempt >= MAX_ATTEMPTS) throw new Error(`BatchGet from ${tableName} left keys unprocessed`);
          if (attempt > 0) await backoff(attempt);
          const result = await documentClient.send(
            new BatchGetCommand({
              RequestItems: { [tableName]: { Keys: [...pending], ConsistentRead: consistentRead } },
            }),
          );
          found.push(...((result.Responses?.[tableName] ?? []) as T[]));
          pending = (result.UnprocessedKeys?.[tableName]?.Keys ?? []) as Record<string, unknown>[];
        }
        return found;
      }),
    ),
  );
  return groups.flat();
};
