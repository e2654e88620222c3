import { localSeams, setLocalSeams } from './local-seams';

/**
 * Where handlers read "now". On AWS it is the system clock; the local runtime swaps in a virtual clock
 * so that multi-day waits are instant while send times, event times and "3 days ago" stay consistent.
 */
export interface Clock {
  now(): Date;
  /** Waits until `at`. The virtual clock returns at once: the caller stamps what it does with `at` itself. */
  sleepUntil?(at: Date): Promise<void>;
}

const systemClock: Clock = { now: () => new Date() };

/** The clock the local runtime set (for every copy of this module: see local-seams.ts), else the system's. */
const current = (): Clock => localSeams()?.clock ?? systemClock;

export const now = (): Date => current().now();

/** Waits in real time, also in the local runtime (its virtual clock does not move for a sleep). */
export const sleep = (milliseconds: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, milliseconds));

/**
 * Waits for a moment the caller planned (a provider's send slot): on AWS a real wait, locally none, since the
 * virtual clock's time passes by the caller's own stamps.
 */
export const sleepUntil = (at: Date): Promise<void> => {
  const clock = current();
  return clock.sleepUntil ? clock.sleepUntil(at) : sleep(Math.max(0, at.getTime() - Date.now()));
};

export const useClock = (clock: Clock): void => {
  setLocalSeams({ clock });
};
