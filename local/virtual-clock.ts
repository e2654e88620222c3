import { AsyncLocalStorage } from 'node:async_hooks';
import type { Clock } from '../functions/shared/clock';

/**
 * A clock that stands still until told to jump forward: a multi-day campaign runs in seconds. A task may run
 * at its own moment (`runAt`): a Distributed Map child that starts once an earlier child freed its place
 * starts, in simulated time, when that child finished.
 */
export class VirtualClock implements Clock {
  private current: Date;
  private readonly taskStart = new AsyncLocalStorage<Date>();

  constructor(start: Date) {
    this.current = start;
  }

  now(): Date {
    const start = this.taskStart.getStore();
    return new Date(start && start > this.current ? start : this.current);
  }

  /** What the world does as a task's time passes (the local runtime feeds the events due by then). */
  onSleep: ((at: Date) => Promise<void>) | undefined;

  /**
   * Sending at a planned slot takes no real time here: the sender stamps the message with the slot. What was
   * due to happen by then (an operator's pause, a scripted event) happens first.
   */
  async sleepUntil(at: Date): Promise<void> {
    await this.onSleep?.(at);
  }

  /** Runs `task` with `now()` at `start` (if later than the clock) for everything it awaits. */
  runAt<T>(start: Date, task: () => Promise<T>): Promise<T> {
    return this.taskStart.run(start, task);
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
