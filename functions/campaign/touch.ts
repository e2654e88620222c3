import type { User } from '../users/user';
import { type Campaign, type Channel, type ChannelStep, ladderOf } from './definition';
import type { SkipReason } from './run';

/** What a touch did for one member of a chunk. */
export type TouchResult =
  | { channel: Channel; variant: string; messageId: string; sentAt: string }
  | { skipped: SkipReason; convertedAt?: string; afterTouch?: number };

/**
 * One touch to a chunk of a batch's active members: claimed before any provider is called, results
 * recorded after. A claim without results is a crash mid-chunk: reported, never re-sent.
 */
export interface TouchChunk {
  runId: string;
  batch: number;
  touch: number;
  chunk: number;
  userIds: string[];
  status: 'claimed' | 'done';
  claimedAt: string;
  results?: Record<string, TouchResult>;
  clicks?: Record<string, string>;
}

/** Members per chunk: what a crash can leave claimed without results. */
export const CHUNK_SIZE = 25;

/** Whether the user can be reached on the channel and agreed to it. */
export const isReachable = (user: User, channel: Channel): boolean => {
  switch (channel) {
    case 'push':
      return user.push !== null && user.consents.push;
    case 'sms':
      return user.contact.phone !== undefined && user.consents.sms;
    case 'email':
      return user.contact.email !== undefined && user.consents.email;
    case 'call':
      return user.contact.phone !== undefined && user.consents.call;
  }
};

/**
 * The per-user ladder: the campaign's channel steps this user can be reached on, in order. Touch k uses
 * its k-th rung, so a user without the app starts with SMS.
 */
export const ladderFor = (campaign: Pick<Campaign, 'steps'>, user: User): ChannelStep[] =>
  ladderOf(campaign).filter((step) => isReachable(user, step.channel));
