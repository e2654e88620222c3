import { beforeAll, describe, expect, it } from 'vitest';
import { randomStream } from '../local/random';
import { useLocalRekindle } from './support/local-rekindle';

const local = useLocalRekindle();
let ledger: typeof import('../functions/pacing/rate-ledger');
beforeAll(async () => {
  // The module reads its table name when imported, as in a Lambda function: after the runtime set it.
  ledger = await import('../functions/pacing/rate-ledger');
});

const NOW_US = Date.parse('2026-11-22T17:00:00Z') * 1000;
const FAR_US = NOW_US + 24 * 3600 * 1_000_000;

/** The most slots in any one-second window [t, t + 1 s), t ranging over the slots themselves. */
const maxInAnySecond = (slots: number[]) => {
  const sorted = [...slots].sort((a, b) => a - b);
  let most = 0;
  for (let first = 0, last = 0; first < sorted.length; first += 1) {
    while (last < sorted.length && (sorted[last] ?? 0) < (sorted[first] ?? 0) + 1_000_000) last += 1;
    most = Math.max(most, last - first);
  }
  return most;
};

describe("a provider's ledger of send slots", () => {
  it('gives concurrent workers of two runs slots one interval apart: never above the rate, no gaps', async () => {
    // Prepare: 2 runs × 4 workers, each reserving chunks of 1–25 SMS until 150 each are booked, at 20 SMS/s.
    const random = randomStream(7, 'ledger');
    const workers = Array.from({ length: 8 }, (_, worker) => {
      const chunks: number[] = [];
      for (let booked = 0; booked < 150 + worker; booked += chunks.at(-1) ?? 0)
        chunks.push(random.integer(1, 25));
      return chunks;
    });

    // Act: all at once, as the Distributed Map children of two runs would.
    const slots = (
      await Promise.all(
        workers.map(async (chunks) => {
          const times: number[] = [];
          for (const count of chunks) {
            const granted = await ledger.reserveSlots('sms', count, 20, NOW_US, FAR_US);
            if (!('startsAtUs' in granted)) throw new Error('booked');
            times.push(...ledger.slotTimesUs(granted));
          }
          return times;
        }),
      )
    ).flat();

    // Assess
    const total = workers.flat().reduce((a, b) => a + b, 0);
    expect(slots).toHaveLength(total);
    const sorted = [...slots].sort((a, b) => a - b);
    expect(sorted[0]).toBe(NOW_US);
    // One interval (50 ms at 20/s) between every two consecutive slots over all workers: no overlap, no gap.
    expect(new Set(sorted.slice(1).map((time, index) => time - (sorted[index] ?? 0)))).toEqual(
      new Set([50_000]),
    );
    expect(maxInAnySecond(slots)).toBe(20);
  });

  it('starts again at now once idle, and books nothing beyond the horizon', async () => {
    // Prepare: 40 slots at 20/s book two seconds.
    await ledger.reserveSlots('email', 40, 20, NOW_US, FAR_US);

    // Act
    const beyond = await ledger.reserveSlots('email', 5, 20, NOW_US, NOW_US + 1_000_000);
    const later = await ledger.reserveSlots('email', 5, 20, NOW_US + 10_000_000, FAR_US);

    // Assess: the horizon (1 s) lies before the next free slot (2 s): refused, and the ledger unchanged.
    expect(beyond).toEqual({ freeAtUs: NOW_US + 2_000_000 });
    expect(later).toEqual({ startsAtUs: NOW_US + 10_000_000, intervalUs: 50_000, count: 5 });
    expect(await local.rekindle.scanTable('Pacing')).toEqual([
      { provider: 'email', nextAt: NOW_US + 10_250_000 },
    ]);
  });

  it('rounds the spacing up to a whole microsecond, so a second never holds one slot too many', () => {
    expect(ledger.slotIntervalUs(14)).toBe(71_429);
    expect(ledger.slotIntervalUs(3)).toBe(333_334);
  });
});
