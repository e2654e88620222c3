import { DateTime } from 'luxon';
import { requireEnv } from '../shared/config';
import { getAll, putAll } from './batch';

const cooldownsTable = requireEnv('COOLDOWNS_TABLE');

/** Who may not enter a campaign again before a date; items expire (TTL) when the cool-down ends. */
interface Cooldown {
  userId: string;
  campaignId: string;
  enrolledOn: string;
  until: string;
  expiresAt: number;
}

export const startCooldowns = async (
  userIds: readonly string[],
  campaignId: string,
  enrolledOn: string,
  days: number,
): Promise<void> => {
  if (days === 0) return;
  const until = DateTime.fromISO(enrolledOn, { zone: 'UTC' }).plus({ days });
  await putAll(
    cooldownsTable,
    userIds.map(
      (userId): Cooldown => ({
        userId,
        campaignId,
        enrolledOn,
        until: until.toISODate() ?? enrolledOn,
        expiresAt: Math.floor(until.plus({ days: 1 }).toSeconds()),
      }),
    ),
  );
};

/** The users among `userIds` still cooling down from this campaign on `onDate`. */
export const usersInCooldown = async (
  userIds: readonly string[],
  campaignId: string,
  onDate: string,
): Promise<Set<string>> => {
  const cooldowns = await getAll<Cooldown>(
    cooldownsTable,
    userIds.map((userId) => ({ userId, campaignId })),
  );
  return new Set(cooldowns.filter((cooldown) => cooldown.until > onDate).map((cooldown) => cooldown.userId));
};
