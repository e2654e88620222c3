import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Lifecycle, User } from './user';

const after = (later: string | undefined, earlier: string) =>
  later !== undefined && Date.parse(later) >= Date.parse(earlier);

/**
 * The four dormancy models of consumer lending. Each names the moment the clock started (its anchor)
 * if the user is on that path and has not moved on since, and how many days of silence make them dormant.
 */
export const dormancyModels = {
  'settled-no-reborrow': {
    description: 'loan settled, no new loan within 30 days',
    dormantAfterDays: 30,
    anchor: (l: Lifecycle) =>
      l.loanSettledAt && !after(l.lastDrawdownAt, l.loanSettledAt) ? l.loanSettledAt : undefined,
  },
  'credited-no-drawdown': {
    description: 'credit line granted, no drawdown within 7 days',
    dormantAfterDays: 7,
    anchor: (l: Lifecycle) =>
      l.creditGrantedAt && !after(l.lastDrawdownAt, l.creditGrantedAt) ? l.creditGrantedAt : undefined,
  },
  'application-incomplete': {
    description: 'started a credit application, not finished within 3 days',
    dormantAfterDays: 3,
    anchor: (l: Lifecycle) =>
      l.applicationStartedAt && !after(l.lastCreditApplyAt, l.applicationStartedAt)
        ? l.applicationStartedAt
        : undefined,
  },
  'registered-no-visit': {
    description: 'registered, no visit within 3 days',
    dormantAfterDays: 3,
    anchor: (l: Lifecycle) => (l.lastLoginAt === undefined ? l.registeredAt : undefined),
  },
} as const;

export type DormancyModel = keyof typeof dormancyModels;
export const dormancyModelNames = Object.keys(dormancyModels) as [DormancyModel, ...DormancyModel[]];

/**
 * The sparse index entry: partition by model, time zone (a run is per time zone) and shard, sort by the
 * local date on which the user becomes dormant. Absent when the user is on no dormancy path.
 */
export interface DormancyIndexEntry {
  dormancyKey: string;
  dormantFrom: string;
}

/**
 * A day's dormant users of one model and time zone are spread over this many index partitions, by a hash of
 * the user id: one key for a whole cohort would be a hot partition (every import write of the day lands on
 * it, and DynamoDB's index throttling pushes back on the table), and one long query. The audience reads the
 * shards in parallel.
 */
export const DORMANCY_SHARDS = 16;

const shardOf = (userId: string) =>
  createHash('sha256').update(userId).digest().readUInt32BE(0) % DORMANCY_SHARDS;

export const dormancyKey = (model: DormancyModel, timeZone: string, shard: number): string =>
  `${model}#${timeZone}#${shard}`;

/** Every partition of one model and time zone, in shard order. */
export const dormancyKeys = (model: DormancyModel, timeZone: string): string[] =>
  Array.from({ length: DORMANCY_SHARDS }, (_, shard) => dormancyKey(model, timeZone, shard));

/**
 * The user's current dormancy path. Models are checked from the latest lifecycle stage back, so a user
 * is on at most one path, which lets one sparse index hold them all.
 */
export const dormancyIndexEntryFor = (
  user: Pick<User, 'userId' | 'lifecycle' | 'timeZone'>,
): DormancyIndexEntry | undefined => {
  for (const model of dormancyModelNames) {
    const definition = dormancyModels[model];
    const anchor = definition.anchor(user.lifecycle);
    if (anchor === undefined) continue;
    const dormantFrom = DateTime.fromISO(anchor, { zone: user.timeZone })
      .startOf('day')
      .plus({ days: definition.dormantAfterDays })
      .toISODate();
    return dormantFrom === null
      ? undefined
      : { dormancyKey: dormancyKey(model, user.timeZone, shardOf(user.userId)), dormantFrom };
  }
  return undefined;
};
