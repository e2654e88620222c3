import { BatchGetCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../clients/dynamodb';
import type { Hold, PauseControl, RunControl } from '../operations/controls';
import { requireEnv } from '../shared/config';

const controlsTable = requireEnv('CONTROLS_TABLE');

/**
 * The operator's brakes, one item each: `stack` and `campaign#<id>` (paused or not), `run#<runId>` (stop
 * requested, and how long each touch of the run was held by a pause).
 */
export const STACK_SCOPE = 'stack';
export const campaignScope = (campaignId: string) => `campaign#${campaignId}`;
export const runScope = (runId: string) => `run#${runId}`;
/** A run item's attribute per held touch: `hold-<touch>`. */
const HOLD_PREFIX = 'hold-';

/** Every control item for these scopes, read strongly consistent: a pause counts from the moment it is written. */
export const getControlItems = async (
  scopes: readonly string[],
): Promise<Map<string, Record<string, unknown>>> => {
  const items = new Map<string, Record<string, unknown>>();
  let keys: Record<string, unknown>[] = scopes.map((scope) => ({ scope }));
  for (let attempt = 0; keys.length > 0; attempt += 1) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** Math.min(attempt, 6)));
    const result = await documentClient.send(
      new BatchGetCommand({ RequestItems: { [controlsTable]: { Keys: keys, ConsistentRead: true } } }),
    );
    for (const item of result.Responses?.[controlsTable] ?? []) items.set(String(item.scope), item);
    keys = result.UnprocessedKeys?.[controlsTable]?.Keys ?? [];
  }
  return items;
};

export const getRunControl = async (runId: string): Promise<RunControl> => {
  const result = await documentClient.send(
    new GetCommand({ TableName: controlsTable, Key: { scope: runScope(runId) }, ConsistentRead: true }),
  );
  return runControlOf(result.Item);
};

export const runControlOf = (item: Record<string, unknown> | undefined): RunControl => ({
  ...(typeof item?.stopRequestedAt === 'string' ? { stopRequestedAt: item.stopRequestedAt } : {}),
  ...(typeof item?.stoppedBy === 'string' ? { stoppedBy: item.stoppedBy } : {}),
  holds: Object.fromEntries(
    Object.entries(item ?? {}).flatMap(([name, value]) =>
      name.startsWith(HOLD_PREFIX) ? [[name.slice(HOLD_PREFIX.length), value as Hold]] : [],
    ),
  ),
});

export const pauseControlOf = (item: Record<string, unknown> | undefined): PauseControl => ({
  paused: item?.paused === true,
  ...(typeof item?.pausedAt === 'string' ? { pausedAt: item.pausedAt } : {}),
  ...(typeof item?.changedAt === 'string' ? { changedAt: item.changedAt } : {}),
  ...(typeof item?.changedBy === 'string' ? { changedBy: item.changedBy } : {}),
  ...(typeof item?.reason === 'string' ? { reason: item.reason } : {}),
});

/** Pauses a scope; pausing it again keeps the moment it was first paused. */
export const putPause = async (scope: string, at: string, by: string, reason?: string): Promise<void> => {
  await documentClient.send(
    new UpdateCommand({
      TableName: controlsTable,
      Key: { scope },
      UpdateExpression: `SET paused = :true, pausedAt = if_not_exists(pausedAt, :at), changedAt = :at, changedBy = :by${reason ? ', reason = :reason' : ' REMOVE reason'}`,
      ExpressionAttributeValues: {
        ':true': true,
        ':at': at,
        ':by': by,
        ...(reason ? { ':reason': reason } : {}),
      },
    }),
  );
};

export const putResume = async (scope: string, at: string, by: string): Promise<void> => {
  await documentClient.send(
    new UpdateCommand({
      TableName: controlsTable,
      Key: { scope },
      UpdateExpression: 'SET paused = :false, changedAt = :at, changedBy = :by REMOVE pausedAt, reason',
      ExpressionAttributeValues: { ':false': false, ':at': at, ':by': by },
    }),
  );
};

/** Asks the run to stop; asking again keeps the first request. */
export const putStopRequest = async (runId: string, at: string, by: string): Promise<void> => {
  await documentClient.send(
    new UpdateCommand({
      TableName: controlsTable,
      Key: { scope: runScope(runId) },
      UpdateExpression:
        'SET stopRequestedAt = if_not_exists(stopRequestedAt, :at), stoppedBy = if_not_exists(stoppedBy, :by)',
      ExpressionAttributeValues: { ':at': at, ':by': by },
    }),
  );
};

/** Writes how long a pause has held touch `touch` of the run back (only the run's own execution writes it). */
export const putHold = async (runId: string, touch: number, hold: Hold): Promise<void> => {
  await documentClient.send(
    new UpdateCommand({
      TableName: controlsTable,
      Key: { scope: runScope(runId) },
      UpdateExpression: 'SET #hold = :hold',
      ExpressionAttributeNames: { '#hold': `${HOLD_PREFIX}${touch}` },
      ExpressionAttributeValues: { ':hold': hold },
    }),
  );
};
