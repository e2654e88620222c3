import type { Channel } from '../campaign/definition';
import { currentNextAt, reserveSlots, slotTimesUs } from './rate-ledger';
import type { SendRates } from './send-rates';

export { SEND_BUDGET_MS } from './send-rates';

/** The channels a provider paces; a call touch only queues a task for agents. */
export type PacedChannel = keyof SendRates;
export const isPaced = (channel: Channel): channel is PacedChannel => channel !== 'call';

/** Why a chunk could not get its slots now: the worker's time is up, the window closes, or the ledger is full. */
export type PendingReason = 'deadline' | 'window' | 'booked';

export type ChunkSlots =
  | { slots: Map<PacedChannel, Date[]>; last: Date }
  /** `channel`: the provider whose ledger had no room. */
  | { pending: PendingReason; resumeAt: Date; channel: PacedChannel };

/**
 * Reserves a chunk's sends on each provider's ledger, slowest provider first, so that every slot lies
 * before the worker's deadline and the end of the send window. Nothing is reserved when the first provider
 * cannot fit; a later provider that cannot fit leaves the earlier one's slots unused (they pass unsent,
 * which only lowers the rate).
 */
export const reserveChunk = async (
  counts: Partial<Record<PacedChannel, number>>,
  rates: SendRates,
  /** Not before this moment (the worker's own time). */
  from: Date,
  /** Every slot begins before this moment. */
  until: Date,
  untilReason: 'deadline' | 'window',
): Promise<ChunkSlots> => {
  const channels = (Object.keys(counts) as PacedChannel[])
    .filter((channel) => (counts[channel] ?? 0) > 0)
    .sort((a, b) => rates[a] - rates[b]);
  const slots = new Map<PacedChannel, Date[]>();
  let last = from;
  for (const channel of channels) {
    const count = counts[channel] ?? 0;
    const intervalUs = Math.ceil(1_000_000 / rates[channel]);
    const horizonUs = until.getTime() * 1000 - (count - 1) * intervalUs;
    const fromUs = from.getTime() * 1000;
    if (horizonUs <= fromUs) return { pending: untilReason, resumeAt: until, channel };
    const reserved = await reserveSlots(channel, count, rates[channel], fromUs, horizonUs);
    if ('freeAtUs' in reserved) {
      const freeAt = new Date(Math.ceil(reserved.freeAtUs / 1000));
      return { pending: freeAt >= until ? untilReason : 'booked', resumeAt: freeAt, channel };
    }
    const times = slotTimesUs(reserved).map((us) => new Date(Math.floor(us / 1000)));
    slots.set(channel, times);
    const end = times.at(-1);
    if (end && end > last) last = end;
  }
  return { slots, last };
};

/** One slot for a send the provider throttled: after the backoff, before the deadline. */
export const reserveRetry = async (
  channel: PacedChannel,
  rates: SendRates,
  notBefore: Date,
  deadline: Date,
): Promise<Date | undefined> => {
  const reserved = await reserveSlots(
    channel,
    1,
    rates[channel],
    notBefore.getTime() * 1000,
    deadline.getTime() * 1000,
  );
  return 'freeAtUs' in reserved ? undefined : new Date(Math.floor(reserved.startsAtUs / 1000));
};

/** When the provider's ledger has its next free slot (now or earlier if it is idle). */
export const nextFreeSlot = async (channel: PacedChannel): Promise<Date> =>
  new Date(Math.ceil((await currentNextAt(channel)) / 1000));
