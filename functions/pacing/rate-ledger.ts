import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../clients/dynamodb';
import { requireEnv } from '../shared/config';

const pacingTable = requireEnv('PACING_TABLE');

/**
 * Send slots granted by a provider's ledger, in whole microseconds since the epoch: message i of the
 * reservation goes out at `startsAtUs + i × intervalUs`, and no slot of any other reservation of that
 * provider falls between two of them.
 */
export interface Slots {
  startsAtUs: number;
  intervalUs: number;
  count: number;
}

/** The ledger is booked beyond the horizon: nothing was reserved; try again once `freeAtUs` is near. */
export interface Booked {
  freeAtUs: number;
}

/**
 * The spacing of slots at `ratePerSecond`, rounded up to a whole microsecond: integer arithmetic keeps any
 * second from ever holding one slot too many, at the price of at most a microsecond per slot.
 */
export const slotIntervalUs = (ratePerSecond: number): number => Math.ceil(1_000_000 / ratePerSecond);

/**
 * One ledger per provider (`push`, `sms`, `email`) holds the moment its next free slot begins (`nextAt`,
 * epoch microseconds): the theoretical arrival time of the generic cell rate algorithm. A reservation of n messages
 * at r per second moves it by n / r seconds in one conditional write, so every worker of every run gets
 * slots one interval apart on a single timeline per provider: never more than r in any one second, and no
 * gap while someone has messages waiting. A ledger idle since before `now` starts again at `now`.
 */
export const reserveSlots = async (
  provider: string,
  count: number,
  ratePerSecond: number,
  /** Now, in epoch microseconds. */
  nowUs: number,
  /** Reserve only if the first slot begins before this moment (a worker's deadline, a window's end). */
  horizonUs: number,
): Promise<Slots | Booked> => {
  const intervalUs = slotIntervalUs(ratePerSecond);
  const spanUs = count * intervalUs;
  for (let attempt = 0; attempt < 8; attempt += 1) {
    // Busy ledger: append after the last reservation, if that still begins before the horizon.
    const appended = await update(
      provider,
      'SET nextAt = nextAt + :span',
      'nextAt >= :now AND nextAt < :horizon',
      { ':span': spanUs, ':now': nowUs, ':horizon': horizonUs },
    );
    if (appended !== undefined) return { startsAtUs: appended - spanUs, intervalUs, count };
    // Idle (or new) ledger: start at now.
    const started = await update(
      provider,
      'SET nextAt = :end',
      'attribute_not_exists(nextAt) OR nextAt < :now',
      { ':end': nowUs + spanUs, ':now': nowUs },
    );
    if (started !== undefined) return { startsAtUs: nowUs, intervalUs, count };
    // Neither: booked beyond the horizon, or another worker moved it between the two writes.
    const nextAt = await currentNextAt(provider);
    if (nextAt >= horizonUs) return { freeAtUs: nextAt };
  }
  throw new Error(`The ${provider} ledger kept changing under eight reservations in a row`);
};

const update = async (
  provider: string,
  expression: string,
  condition: string,
  values: Record<string, number>,
): Promise<number | undefined> => {
  try {
    const result = await documentClient.send(
      new UpdateCommand({
        TableName: pacingTable,
        Key: { provider },
        UpdateExpression: expression,
        ConditionExpression: condition,
        ExpressionAttributeValues: values,
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(result.Attributes?.nextAt);
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
};

/** The moment the provider's next free slot begins, in epoch microseconds (0: never used). */
export const currentNextAt = async (provider: string): Promise<number> => {
  const result = await documentClient.send(
    new GetCommand({ TableName: pacingTable, Key: { provider }, ConsistentRead: true }),
  );
  return Number(result.Item?.nextAt ?? 0);
};

/** The moment of each slot, in epoch microseconds, in order. */
export const slotTimesUs = (slots: Slots): number[] =>
  Array.from({ length: slots.count }, (_, index) => slots.startsAtUs + index * slots.intervalUs);
