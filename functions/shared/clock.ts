/**
 * Where handlers read "now". On AWS it is the system clock; the local runtime swaps in a virtual clock
 * so that multi-day waits are instant while send times, event times and "3 days ago" stay consistent.
 */
export interface Clock {
  now(): Date;
  /** Waits `milliseconds` of this clock's time (a virtual clock may let the wait pass instantly). */
  sleep?(milliseconds: number): Promise<void>;
}

const systemClock: Clock = { now: () => new Date() };
let current: Clock = systemClock;

export const now = (): Date => current.now();

export const sleep = (milliseconds: number): Promise<void> =>
  current.sleep?.(milliseconds) ?? new Promise((resolve) => setTimeout(resolve, milliseconds));

export const useClock = (clock: Clock): void => {
  current = clock;
};
