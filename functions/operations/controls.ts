import type { Run } from '../campaign/run';
import { getBrakesItem, STACK } from '../data/controls';

/** A pause of the whole stack or of one campaign, as the operator left it. */
export interface PauseControl {
  paused: boolean;
  /** When the current pause began (pausing again keeps it). */
  pausedAt?: string;
  changedAt?: string;
  changedBy?: string;
  reason?: string;
}

/** How a hold ended: the pause was lifted, it outlasted the limit, or the run was stopped. */
export type HoldEnding = 'resumed' | 'gave-up' | 'stopped';

/**
 * How long a pause held one touch of a run back. A touch held, resumed and held again keeps the time of
 * its earlier holds in `earlierMs`.
 */
export interface Hold {
  since: string;
  until?: string;
  ending?: HoldEnding;
  earlierMs: number;
}

/**
 * The send windows one touch of a run took: `carried` lists, per window that closed on it, how many members
 * went on to the next; `missed` how many were given up as `window-missed` after the last.
 */
export interface Carry {
  windows: number;
  carried: number[];
  missed?: number;
  /** The end of the window last carried from: a retried carry-over of that window changes nothing again. */
  fromWindowEnd?: string;
}

/** A run's own controls: a stop request, its holds and its carried-over touches by touch number. */
export interface RunControl {
  stopRequestedAt?: string;
  stoppedBy?: string;
  holds: Record<string, Hold>;
  carries: Record<string, Carry>;
}

/** What the brakes say for one run right now. */
export interface Brakes {
  /** Set when the stack or the run's campaign is paused (never for a dry run, which sends nothing). */
  paused?: { since: string; scope: 'stack' | 'campaign' };
  stopRequestedAt?: string;
}

/** Reads the stack's and the campaign's pause and the run's stop: one strongly consistent read of one item. */
export const readBrakes = async (run: Pick<Run, 'runId' | 'campaign' | 'dryRun'>): Promise<Brakes> => {
  const { pauses, stops } = await getBrakesItem();
  const stack = pauses[STACK];
  const own = pauses[run.campaign.id];
  // A dry run renders and sends nothing, so a paused campaign can still be dry-run before it is resumed.
  const pause = run.dryRun
    ? undefined
    : stack?.paused
      ? { since: stack.pausedAt ?? '', scope: 'stack' as const }
      : own?.paused
        ? { since: own.pausedAt ?? '', scope: 'campaign' as const }
        : undefined;
  const stop = stops[run.runId];
  return { ...(pause ? { paused: pause } : {}), ...(stop ? { stopRequestedAt: stop.at } : {}) };
};

/** How long the hold has lasted by `now` (or until it ended), earlier holds of the touch included. */
export const heldMilliseconds = (hold: Hold, now: Date): number =>
  hold.earlierMs + Math.max(0, Date.parse(hold.until ?? now.toISOString()) - Date.parse(hold.since));
