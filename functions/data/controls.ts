import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../clients/dynamodb';
import type { Carry, Hold, PauseControl, RunControl } from '../operations/controls';
import { requireEnv } from '../shared/config';

const controlsTable = requireEnv('CONTROLS_TABLE');

/**
 * The operator's brakes. One small item, `brakes`, holds everything a send step must see before each chunk
 * — the stack's pause (`pause:stack`), each campaign's (`pause:<campaignId>`), each open run's stop request
 * (`stop:<runId>`) — so that look is one strongly consistent read of one item. Each run also has an item of
 * its own, `run#<runId>`: its stop request for the record, and how long each touch was held by a pause.
 */
const BRAKES_SCOPE = 'brakes';
export const runScope = (runId: string) => `run#${runId}`;
export const STACK = 'stack';
const pauseAttribute = (target: string) => `pause:${target}`;
const stopAttribute = (runId: string) => `stop:${runId}`;
/** A run item's attribute per held touch: `hold-<touch>`. */
const HOLD_PREFIX = 'hold-';
/** A run item's attribute per touch that took more than one send window: `carry-<touch>`. */
const CARRY_PREFIX = 'carry-';

/** The brakes item as the send path reads it: pauses by target (`stack` or a campaign id), stops by run. */
export interface BrakesItem {
  pauses: Record<string, PauseControl>;
  stops: Record<string, { at: string; by: string }>;
}

export const getBrakesItem = async (): Promise<BrakesItem> => {
  const result = await documentClient.send(
    new GetCommand({ TableName: controlsTable, Key: { scope: BRAKES_SCOPE }, ConsistentRead: true }),
  );
  const brakes: BrakesItem = { pauses: {}, stops: {} };
  for (const [name, value] of Object.entries(result.Item ?? {})) {
    if (name.startsWith('pause:')) brakes.pauses[name.slice('pause:'.length)] = value as PauseControl;
    if (name.startsWith('stop:'))
      brakes.stops[name.slice('stop:'.length)] = value as { at: string; by: string };
  }
  return brakes;
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
  carries: Object.fromEntries(
    Object.entries(item ?? {}).flatMap(([name, value]) =>
      name.startsWith(CARRY_PREFIX) ? [[name.slice(CARRY_PREFIX.length), value as Carry]] : [],
    ),
  ),
});

/** Pauses the stack (`target` "stack") or a campaign; pausing again keeps when the pause began. */
export const putPause = async (target: string, at: string, by: string, reason?: string): Promise<void> => {
  const current = (await getBrakesItem()).pauses[target];
  const pause: PauseControl = {
    paused: true,
    pausedAt: current?.paused && current.pausedAt ? current.pausedAt : at,
    changedAt: at,
    changedBy: by,
    ...(reason ? { reason } : {}),
  };
  await setBrakesAttribute(pauseAttribute(target), pause);
};

export const putResume = async (target: string, at: string, by: string): Promise<void> => {
  await setBrakesAttribute(pauseAttribute(target), { paused: false, changedAt: at, changedBy: by });
};

const setBrakesAttribute = async (name: string, value: unknown) => {
  await documentClient.send(
    new UpdateCommand({
      TableName: controlsTable,
      Key: { scope: BRAKES_SCOPE },
      UpdateExpression: 'SET #name = :value',
      ExpressionAttributeNames: { '#name': name },
      ExpressionAttributeValues: { ':value': value },
    }),
  );
};

/**
 * Asks the run to stop; asking again keeps the first request. The run's own item keeps it for the record
 * (closing and the summary read it there); the brakes item carries it to the send steps until the run closes.
 */
export const putStopRequest = async (runId: string, at: string, by: string): Promise<void> => {
  const result = await documentClient.send(
    new UpdateCommand({
      TableName: controlsTable,
      Key: { scope: runScope(runId) },
      UpdateExpression:
        'SET stopRequestedAt = if_not_exists(stopRequestedAt, :at), stoppedBy = if_not_exists(stoppedBy, :by)',
      ExpressionAttributeValues: { ':at': at, ':by': by },
      ReturnValues: 'ALL_NEW',
    }),
  );
  await setBrakesAttribute(stopAttribute(runId), {
    at: String(result.Attributes?.stopRequestedAt ?? at),
    by: String(result.Attributes?.stoppedBy ?? by),
  });
};

/** A closed run's stop no longer needs to reach any send step: the brakes item stays small. */
export const removeStopRequest = async (runId: string): Promise<void> => {
  await documentClient.send(
    new UpdateCommand({
      TableName: controlsTable,
      Key: { scope: BRAKES_SCOPE },
      UpdateExpression: 'REMOVE #name',
      ExpressionAttributeNames: { '#name': stopAttribute(runId) },
    }),
  );
};

/** Sets one attribute of the run's own item (only the run's own execution writes these). */
const putRunAttribute = async (runId: string, name: string, value: unknown): Promise<void> => {
  await documentClient.send(
    new UpdateCommand({
      TableName: controlsTable,
      Key: { scope: runScope(runId) },
      UpdateExpression: 'SET #name = :value',
      ExpressionAttributeNames: { '#name': name },
      ExpressionAttributeValues: { ':value': value },
    }),
  );
};

/** Writes how long a pause has held touch `touch` of the run back. */
export const putHold = (runId: string, touch: number, hold: Hold): Promise<void> =>
  putRunAttribute(runId, `${HOLD_PREFIX}${touch}`, hold);

/** Writes the send windows touch `touch` of the run took. */
export const putCarry = (runId: string, touch: number, carry: Carry): Promise<void> =>
  putRunAttribute(runId, `${CARRY_PREFIX}${touch}`, carry);

/** The run items of these runs (stop, holds), for the ops CLI's status. */
export const getRunControls = async (runIds: readonly string[]): Promise<Map<string, RunControl>> =>
  new Map(await Promise.all(runIds.map(async (runId) => [runId, await getRunControl(runId)] as const)));
