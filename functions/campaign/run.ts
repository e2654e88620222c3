import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { CallTally } from '../agents/call-tally';
import { describeFirstIssue, InvalidRunInput } from '../shared/errors';
import { ianaTimeZone, localDate } from '../shared/schemas';
import type { Campaign, Channel } from './definition';
import type { Lift } from './lift';
import { localDateOf } from './send-window';

/**
 * The execution input an operator may paste into the Step Functions console (the scheduler sends
 * `{ "timeZone": ... }`). Every field is optional; unknown fields are rejected so a typo is not ignored.
 */
export const runInputSchema = z.strictObject({
  runDate: localDate.optional(),
  timeZone: ianaTimeZone.optional(),
  /** Select and render, send nothing. */
  dryRun: z.boolean().optional(),
  /** Run for exactly these users instead of the day's dormant cohort. */
  userIds: z
    .array(z.string().min(1).max(128))
    .min(1)
    .max(1000)
    .refine((ids) => new Set(ids).size === ids.length, { message: 'must not repeat a user id' })
    .optional(),
  /** Enroll at most this many users (a random sample of the cohort). */
  limit: z.number().int().min(1).optional(),
});

/** A run is one cohort: (campaign, local date, time zone). It carries the definition it started with. */
export interface Run {
  runId: string;
  campaign: Campaign;
  runDate: string;
  timeZone: string;
  startedAt: string;
  dryRun: boolean;
  userIds?: string[];
  limit?: number;
}

const shortHash = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 10);

/**
 * The run id. A scheduled run is (campaign, date, zone), so a second start of it is refused. A launch for
 * a user list gets its own id from the list (the same list twice is still refused); a dry run writes
 * under its execution's name, so it never blocks the real run and can be repeated.
 */
export const runIdOf = (
  campaignId: string,
  runDate: string,
  timeZone: string,
  options: { dryRun?: boolean; userIds?: string[]; executionName?: string } = {},
): string => {
  const base = `${campaignId}#${runDate}#${timeZone}`;
  const users = options.userIds ? `#users-${shortHash([...options.userIds].sort().join('\n'))}` : '';
  const dry = options.dryRun ? `#dry-run-${options.executionName ?? 'local'}` : '';
  return `${base}${users}${dry}`;
};

/** Validates the execution input and fixes the run's identity. Pure: writes nothing. */
export const prepareRun = (
  executionInput: unknown,
  campaign: Campaign,
  now: Date,
  executionName: string,
): Run => {
  const parsed = runInputSchema.safeParse(executionInput ?? {});
  if (!parsed.success) throw new InvalidRunInput(describeFirstIssue(parsed.error));
  const input = parsed.data;
  const timeZone = input.timeZone ?? campaign.timeZones[0];
  if (timeZone === undefined || !campaign.timeZones.includes(timeZone)) {
    throw new InvalidRunInput(
      `timeZone: campaign ${campaign.id} runs in ${campaign.timeZones.join(', ')}, not ${input.timeZone}`,
    );
  }
  const runDate = input.runDate ?? localDateOf(now, timeZone);
  const dryRun = input.dryRun ?? false;
  return {
    runId: runIdOf(campaign.id, runDate, timeZone, { dryRun, userIds: input.userIds, executionName }),
    campaign,
    runDate,
    timeZone,
    startedAt: now.toISOString(),
    dryRun,
    ...(input.userIds ? { userIds: input.userIds } : {}),
    ...(input.limit ? { limit: input.limit } : {}),
  };
};

/** Why a member got no message at a touch. The first four end their enrollment (see enrollment.ts). */
export const skipReasons = [
  'converted',
  'ladder-exhausted',
  'unreachable',
  'user-missing',
  /** Left at an earlier touch (ladder exhausted, unreachable, user missing). */
  'ended-earlier',
  'holdout',
  'outside-send-window',
  /** One more message would take the person over a cap across all campaigns; they stay in the run. */
  'frequency-capped',
  /** Inside the channel's quiet hours in the user's own time: never sent then, whatever the campaign says. */
  'quiet-hours',
  /** The channel this touch was due on was turned off since enrolling (see touch.ts); the ladder goes on. */
  'opted-out',
  'already-claimed',
  'send-failed',
  /** A pause held the touch back longer than the limit: the touch is given up, the member stays in the run. */
  'paused',
  /** The operator stopped the run: nothing more is sent, the member's enrollment ends. */
  'stopped',
  /**
   * The touch's send windows ran out (the campaign's `carryOverWindows`) before the provider's rate reached
   * the member: the touch is given up, the member stays in the run and the next touch offers the same step.
   */
  'window-missed',
  /**
   * The provider still throttled when the worker's time ran out: nothing was sent, and the run's next pass
   * sends it. Never a member's final result for a touch.
   */
  'throttled',
  /** A pause began while the member's chunk was being sent: sent after the resume. Never a final result. */
  'held',
] as const;
export type SkipReason = (typeof skipReasons)[number];

/** What the selection read and kept; stored on the run record. */
export interface SelectionReport {
  /** Users read from the dormancy index (or given as userIds). */
  candidates: number;
  filteredOut: number;
  inCooldown: number;
  overLimit: number;
  enrolled: number;
  holdout: number;
  batchCount: number;
}

/** What one touch did to one batch; stored once per (touch, batch) so retries do not double count. */
export interface TouchOutcome {
  touch: number;
  batch: number;
  sent: Partial<Record<Channel, number>>;
  skipped: Partial<Record<SkipReason, number>>;
  /** The `opted-out` skips by the channel that was turned off. */
  optedOut: Partial<Record<Channel, number>>;
  /** Members a pause left unsent for now: the touch goes on with them after the resume. */
  held: number;
  /**
   * Members the provider's rate left unsent for now (the worker's deadline, the window's end, a full ledger,
   * still throttled): the run's next pass, or its next send window, goes on with them.
   */
  pending: number;
  /** Why members are pending, and the earliest moment a next pass could send them. */
  pendingReason?: 'deadline' | 'window' | 'booked';
  resumeAt?: string;
  /** The provider whose full ledger stopped this worker: a next pass looks at it before anything else. */
  blockedOn?: 'push' | 'sms' | 'email';
  /** Sends the providers throttled and that were tried again, over all the touch's passes of this batch. */
  throttleRetries: number;
  /** The first and last send of the touch in this batch, over all its passes. */
  firstSentAt?: string;
  lastSentAt?: string;
  /** Where this worker's time ended: its last send slot (or its start). */
  finishedAt: string;
  /** Members still active after this touch (the held and pending ones included). */
  active: number;
}

/** How one batch ended, counted from its members' terminal states. */
export interface BatchClosing {
  batch: number;
  converted: number;
  /** Touch number → conversions credited to it (0: before any touch). */
  convertedAfterTouch: Record<string, number>;
  completed: number;
  exited: Partial<Record<SkipReason, number>>;
  holdout: number;
  holdoutConverted: number;
  /** How the batch's call tasks ended (none without call tasks; closings before it kept none). */
  calls?: CallTally;
}

export interface TouchSummary {
  touch: number;
  sent: Partial<Record<Channel, number>>;
  skipped: Partial<Record<SkipReason, number>>;
  optedOut: Partial<Record<Channel, number>>;
  converted: number;
  /** Minutes a pause held this touch back. */
  heldMinutes: number;
  /** The touch's first and last send, and the send windows it took. */
  firstSentAt?: string;
  lastSentAt?: string;
  windows: number;
  /** Members a window could not send that went on in a later one (each time a window closed on them). */
  carriedOver: number;
  throttleRetries: number;
}

export interface RunSummary {
  runId: string;
  campaignId: string;
  runDate: string;
  timeZone: string;
  goal: string;
  dryRun: boolean;
  selection: SelectionReport;
  /** Enrolled users, holdout included. */
  cohortSize: number;
  touches: TouchSummary[];
  convertedBeforeFirstTouch: number;
  totalConverted: number;
  completed: number;
  exited: Partial<Record<SkipReason, number>>;
  holdout: { size: number; converted: number };
  /** Conversion rate of the messaged cohort minus that of the holdout, in percentage points. */
  liftPoints: number | null;
  /** The same lift with its 95% interval (Newcombe's hybrid score); absent without a holdout. */
  lift?: Lift;
  /** How long pauses held the run's touches back, and whether the operator stopped it. */
  brakes: RunBrakesSummary;
  /** How the run's call tasks ended: called, reached, each ending and the reasons for no (with call tasks only). */
  calls?: CallTally;
}

export interface RunBrakesSummary {
  /** Minutes the run's touches were held by a pause, summed over its touches. */
  heldMinutes: number;
  holds: { touch: number; since: string; until?: string; ending?: string; minutes: number }[];
  stoppedAt?: string;
  stoppedBy?: string;
}
