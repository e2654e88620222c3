import type { Campaign } from '../campaign/definition';
import { ladderOf } from '../campaign/definition';
import { RekindleError } from '../shared/errors';

/** How often a held run looks at the brakes again: a resume takes effect within this. */
export const HOLD_POLL_MINUTES = 5;

/** How long a pause may hold a touch before the touch is given up, unless configured otherwise. */
export const DEFAULT_PAUSE_LIMIT_HOURS = 24;

/** Execution history events one look at the brakes adds: the Lambda task (5), the choice (2), the wait (2). */
const HISTORY_EVENTS_PER_LOOK = 9;
/** Standard workflows stop at 25,000 history events; a held run keeps this much for the rest of its work. */
const HISTORY_EVENTS_BUDGET = 25_000 - 2_000;

/** The pause limit (CDK context `pauseLimitHours`) is not a positive number of hours, or too long to hold. */
export class InvalidPauseLimit extends RekindleError {
  constructor(message: string) {
    super('InvalidPauseLimit', message);
  }
}

/**
 * Checks the configured pause limit: every touch of the longest campaign held for the whole limit must
 * still fit in one execution's history.
 */
export const pauseLimitFrom = (
  value: unknown,
  campaigns: readonly Pick<Campaign, 'id' | 'steps'>[],
): number => {
  const hours = value === undefined ? DEFAULT_PAUSE_LIMIT_HOURS : Number(value);
  if (!Number.isFinite(hours) || hours <= 0) {
    throw new InvalidPauseLimit(`pauseLimitHours must be a positive number of hours, not "${String(value)}"`);
  }
  const looksPerTouch = Math.ceil((hours * 60) / HOLD_POLL_MINUTES);
  for (const campaign of campaigns) {
    const touches = ladderOf(campaign).length;
    if (touches * looksPerTouch * HISTORY_EVENTS_PER_LOOK > HISTORY_EVENTS_BUDGET) {
      const most = Math.floor(
        HISTORY_EVENTS_BUDGET / (touches * HISTORY_EVENTS_PER_LOOK) / (60 / HOLD_POLL_MINUTES),
      );
      throw new InvalidPauseLimit(
        `pauseLimitHours ${hours}: campaign ${campaign.id} has ${touches} touches; held that long at each, its ` +
          `execution would outgrow Step Functions' 25,000 history events (at most ${most} hours)`,
      );
    }
  }
  return hours;
};

/** How old (in send-slot time) the brakes may be at a send: a pause or stop takes effect within this. */
export const BRAKES_FRESH_MS = 1_000;
