import { isReachable } from '../users/reachability';
import type { UserRecord } from '../users/user';
import { type Campaign, type Channel, type ChannelStep, ladderOf } from './definition';
import type { SkipReason } from './run';

/**
 * What a touch did for one member of a chunk. `rung` is the index of the campaign ladder step the touch
 * used (sent, or skipped at that step), so the next touch goes on from the step after it.
 */
export type TouchResult =
  | { channel: Channel; rung: number; variant: string; messageId: string; sentAt: string }
  | { skipped: SkipReason; channel?: Channel; rung?: number; convertedAt?: string; afterTouch?: number };

/**
 * One touch to a chunk of a batch's active members: claimed before any provider is called, results
 * recorded after. A claim without results is a crash mid-chunk: reported, never re-sent; the claim names
 * each member's planned rung so the ladder still moves past it.
 */
export interface TouchChunk {
  runId: string;
  batch: number;
  touch: number;
  chunk: number;
  /** The members claimed; removed once `results` name them all (smaller items, fewer write units). */
  userIds?: string[];
  status: 'claimed' | 'done';
  claimedAt: string;
  plannedRungs?: Record<string, number>;
  results?: Record<string, TouchResult>;
  /** Sends of this chunk the providers throttled and that were tried again (recorded with the results). */
  throttleRetries?: number;
}

/** Members per chunk: what a crash can leave claimed without results. */
export const CHUNK_SIZE = 25;

/**
 * Whether the user turned the channel off after `since`: consent withdrawn (STOP, unsubscribe, complaint,
 * bounce, app settings, do-not-call) or the address removed (a dead push token, an uninstall). The time is
 * when it went from reachable to not, so restating an "off" later does not move it.
 */
export const turnedOffSince = (user: UserRecord, channel: Channel, since: string): boolean => {
  const at = user.turnedOffAt[channel];
  return !isReachable(user, channel) && at !== undefined && Date.parse(at) > Date.parse(since);
};

/** The member's rung at a touch: the ladder step, its index, and whether it can still be used. */
export interface Rung {
  step: ChannelStep;
  index: number;
  /** False when the user turned the channel off since enrolling: the touch is skipped as `opted-out`. */
  reachable: boolean;
}

/**
 * The per-user ladder: touch k goes on from the step after the one touch k-1 used, to the first step the
 * user can be reached on now, or turned off since enrolling (then that touch is an `opted-out` skip and the
 * next one goes on after it). Steps the user was never reachable on are not rungs of their ladder, so a
 * user without the app starts with SMS.
 */
export const nextRung = (
  campaign: Pick<Campaign, 'steps'>,
  user: UserRecord,
  afterIndex: number,
  enrolledAt: string,
): Rung | undefined => {
  const ladder = ladderOf(campaign);
  for (let index = afterIndex + 1; index < ladder.length; index += 1) {
    const step = ladder[index];
    if (step === undefined) break;
    if (isReachable(user, step.channel)) return { step, index, reachable: true };
    if (turnedOffSince(user, step.channel, enrolledAt)) return { step, index, reachable: false };
  }
  return undefined;
};
