/**
 * Where handlers read "now". On AWS it is the system clock; the local runtime swaps in a virtual clock
 * so that multi-day waits are instant while send times, event times and "3 days ago" stay consistent.
 */
export interface Clock {
  now(): Date;
}

const systemClock: Clock = { now: () => new Date() };
let current: Clock = systemClock;

export const now = (): Date => current.now();

/** Waits in real time, also in the local runtime (its virtual clock does not move for a sleep). */
export const sleep = (milliseconds: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, milliseconds));

export const useClock = (clock: Clock): void => {
  current = clock;
};
