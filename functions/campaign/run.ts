import { z } from 'zod';
import { describeFirstIssue, InvalidRunInput } from '../shared/errors';
import { ianaTimeZone, localDate } from '../shared/schemas';
import type { Campaign, Channel } from './definition';
import { localDateOf } from './send-window';

/**
 * The execution input an operator may paste into the Step Functions console (the scheduler sends the
 * same shape). Every field is optional; unknown fields are rejected so a typo is not silently ignored.
 */
export const runInputSchema = z.strictObject({
  runDate: localDate.optional(),
  timeZone: ianaTimeZone.optional(),
});
export type RunInput = z.infer<typeof runInputSchema>;

/** A run is one cohort: (campaign, local date, time zone). It carries the definition it started with. */
export interface Run {
  runId: string;
  campaign: Campaign;
  runDate: string;
  timeZone: string;
  startedAt: string;
}

export const runIdOf = (campaignId: string, runDate: string, timeZone: string): string =>
  `${campaignId}#${runDate}#${timeZone}`;

/** Validates the execution input and fixes the run's identity. Pure: writes nothing. */
export const prepareRun = (executionInput: unknown, campaign: Campaign, now: Date): Run => {
  const parsed = runInputSchema.safeParse(executionInput ?? {});
  if (!parsed.success) throw new InvalidRunInput(describeFirstIssue(parsed.error));
  const timeZone = parsed.data.timeZone ?? campaign.timeZones[0];
  if (timeZone === undefined || !campaign.timeZones.includes(timeZone)) {
    throw new InvalidRunInput(
      `timeZone: campaign ${campaign.id} runs in ${campaign.timeZones.join(', ')}, not ${parsed.data.timeZone}`,
    );
  }
  const runDate = parsed.data.runDate ?? localDateOf(now, timeZone);
  return {
    runId: runIdOf(campaign.id, runDate, timeZone),
    campaign,
    runDate,
    timeZone,
    startedAt: now.toISOString(),
  };
};

export const skipReasons = [
  'converted',
  'enrollment-closed',
  'no-address',
  'no-consent',
  'outside-send-window',
  'already-touched',
  'send-failed',
  'user-missing',
] as const;
export type SkipReason = (typeof skipReasons)[number];

/** What one send step did to one batch; stored once per (step, batch) so retries do not double count. */
export interface StepOutcome {
  step: string;
  channel: Channel;
  batch: number;
  sent: number;
  skipped: Partial<Record<SkipReason, number>>;
}

export interface StepSummary {
  step: string;
  channel: Channel;
  sent: number;
  skipped: Partial<Record<SkipReason, number>>;
  /** Enrolled users whose goal event came after this step's touch and before the next one. */
  converted: number;
}

export interface RunSummary {
  runId: string;
  campaignId: string;
  runDate: string;
  timeZone: string;
  goal: string;
  cohortSize: number;
  steps: StepSummary[];
  /** Converted after enrollment but before any touch reached them. */
  convertedBeforeFirstTouch: number;
  totalConverted: number;
  /** Walked every step without converting. */
  completed: number;
}
