import { DateTime } from 'luxon';
import type { Lifecycle, User } from './user';

/**
 * Dormancy models: who counts as dormant, and from which local date. A user is in at most one model at a
 * time (the lifecycle moves forward), which lets one sparse index hold them all.
 */
export const dormancyModels = {
  'registered-no-visit': {
    description: 'registered, no visit within 3 days',
    dormantAfterDays: 3,
    /** When the clock started, or undefined if the user is not on this path. */
    anchor: (lifecycle: Lifecycle): string | undefined =>
      lifecycle.lastLoginAt === undefined ? lifecycle.registeredAt : undefined,
  },
} as const;

export type DormancyModel = keyof typeof dormancyModels;

/**
 * The sparse index entry: partition by model and time zone (a run is per time zone), sort by the local
 * date from which the user counts as dormant. Absent when the user is not dormant under any model.
 */
export interface DormancyIndexEntry {
  dormancyKey: string;
  dormantFrom: string;
}

export const dormancyKey = (model: DormancyModel, timeZone: string): string => `${model}#${timeZone}`;

export const dormancyIndexEntryFor = (
  user: Pick<User, 'lifecycle' | 'timeZone'>,
): DormancyIndexEntry | undefined => {
  for (const [model, definition] of Object.entries(dormancyModels) as [
    DormancyModel,
    (typeof dormancyModels)[DormancyModel],
  ][]) {
    const anchor = definition.anchor(user.lifecycle);
    if (anchor === undefined) continue;
    const dormantFrom = DateTime.fromISO(anchor, { zone: user.timeZone })
      .startOf('day')
      .plus({ days: definition.dormantAfterDays })
      .toISODate();
    if (dormantFrom === null) continue;
    return { dormancyKey: dormancyKey(model, user.timeZone), dormantFrom };
  }
  return undefined;
};
