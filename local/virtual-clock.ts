import type { Clock } from '../functions/shared/clock';

/** A clock that stands still until told to jump forward: a multi-day campaign runs in seconds. */
export class VirtualClock implements Clock {
  private current: Date;

  constructor(start: Date) {
    this.current = start;
  }

  now(): Date {
    return new Date(this.current);
  }

  /** Starts a new simulated world at `start` (tests reset the data and the clock together). */
  reset(start: Date): void {
    this.current = new Date(start);
  }

  /** Moves to `target`; never backwards, since events already happened. */
  advanceTo(target: Date): void {
    if (target.getTime() > this.current.getTime()) this.current = new Date(target);
  }
}
