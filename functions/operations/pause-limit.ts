import type { Campaign } from '../campaign/definition';
import { ladderOf } from '../campaign/definition';
import { minutesOfDay } from '../campaign/send-window';
import { SEND_BUDGET_MS } from '../pacing/send-rates';
import { RekindleError } from '../shared/errors';

/** How often a held run looks at the brakes again: a resume takes effect within this. */
export const HOLD_POLL_MINUTES = 5;

/** How long a pause may hold a touch before the touch is given up, unless configured otherwise. */
export const DEFAULT_PAUSE_LIMIT_HOURS = 24;

/** Execution history events one look at the brakes adds: the Lambda task (5), the choice (2), the wait (2). */
const HISTORY_EVENTS_PER_LOOK = 9;
/**
 * History events one pass of a paced touch adds: the Distributed Map (6), the check after it (5) and its
 * choice (2), the carry-over task (5) and its choice (2), the wait for the next pass (2).
 */
const HISTORY_EVENTS_PER_PASS = 22;
/** Standard workflows stop at 25,000 history events; a run keeps this much for the rest of its work. */
const HISTORY_EVENTS_BUDGET = 25_000 - 2_000;

/** The pause limit (CDK context `pauseLimitHours`) is not a positive number of hours, or too long to hold. */
export class InvalidPauseLimit extends RekindleError {
  constructor(message: string) {
    super('InvalidPauseLimit', message);
  }
}

/** A campaign whose touches could take more passes than one execution's history holds, paused or not. */
export class CampaignOutgrowsHistory extends RekindleError {
  constructor(message: string) {
    super('CampaignOutgrowsHistory', message);
  }
}

const longestWindowMinutes = (campaign: Pick<Campaign, 'sendWindows'>) =>
  Math.max(...campaign.sendWindows.map((window) => minutesOfDay(window.end) - minutesOfDay(window.start)));

/**
 * The most passes one touch can take: a pass lasts a worker's budget, and a touch may take the campaign's
 * `carryOverWindows` send windows (counted here as its longest), plus the pass that records `window-missed`.
 */
export const mostPassesPerTouch = (campaign: Pick<Campaign, 'sendWindows' | 'carryOverWindows'>): number =>
  campaign.carryOverWindows * (Math.ceil((longestWindowMinutes(campaign) * 60_000) / SEND_BUDGET_MS) + 1) + 1;

type HistoryShape = Pick<Campaign, 'id' | 'steps' | 'sendWindows' | 'carryOverWindows'>;

/**
 * Checks the configured pause limit: the longest campaign, every touch taking all the passes its windows
 * allow and held for the whole limit, must still fit in one execution's history. A campaign whose passes
 * alone would not fit fails whatever the limit.
 */
export const pauseLimitFrom = (value: unknown, campaigns: readonly HistoryShape[]): number => {
  const hours = value === undefined ? DEFAULT_PAUSE_LIMIT_HOURS : Number(value);
  if (!Number.isFinite(hours) || hours <= 0) {
    throw new InvalidPauseLimit(`pauseLimitHours must be a positive number of hours, not "${String(value)}"`);
  }
  const looksPerTouch = Math.ceil((hours * 60) / HOLD_POLL_MINUTES);
  for (const campaign of campaigns) {
    const touches = ladderOf(campaign).length;
    const passes = mostPassesPerTouch(campaign);
    const passEvents = touches * passes * HISTORY_EVENTS_PER_PASS;
    const holdEventsPerHour = touches * HISTORY_EVENTS_PER_LOOK * (60 / HOLD_POLL_MINUTES);
    const most = Math.floor((HISTORY_EVENTS_BUDGET - passEvents) / holdEventsPerHour);
    if (most < 1) {
      throw new CampaignOutgrowsHistory(
        `Campaign ${campaign.id}: ${touches} touches of up to ${passes} passes each (${campaign.carryOverWindows} send ` +
          `windows of up to ${longestWindowMinutes(campaign)} minutes) ` +
          `would outgrow Step Functions' 25,000 history events; shorten its send windows or lower carryOverWindows`,
      );
    }
    if (passEvents + touches * looksPerTouch * HISTORY_EVENTS_PER_LOOK > HISTORY_EVENTS_BUDGET) {
      throw new InvalidPauseLimit(
        `pauseLimitHours ${hours}: campaign ${campaign.id} has ${touches} touches of up to ${passes} passes each; ` +
          `held that long at each, its execution would outgrow Step Functions' 25,000 history events ` +
          `(at most ${most} hour${most === 1 ? '' : 's'})`,
      );
    }
  }
  return hours;
};

/** How old (in send-slot time) the brakes may be at a send: a pause or stop takes effect within this. */
export const BRAKES_FRESH_MS = 1_000;
