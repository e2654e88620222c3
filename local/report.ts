import { DateTime } from 'luxon';
import { type FunnelRow, funnelByChannel, type VariantComparison } from '../functions/campaign/funnel';
import type { Lift } from '../functions/campaign/lift';
import type { RunSummary } from '../functions/campaign/run';
import type { ConsentCheck } from './consent-check';
import type { RunResult } from './runtime';

const signedPoints = (value: number) => `${value >= 0 ? '+' : ''}${value}`;
const liftText = (lift: Lift) =>
  `${signedPoints(lift.points)} pts (95% CI ${signedPoints(lift.low)} to ${signedPoints(lift.high)})`;

const percent = (part: number, whole: number) =>
  whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)}%`;

const counts = (entries: Partial<Record<string, number>>) => {
  const parts = Object.entries(entries)
    .filter(([, count]) => (count ?? 0) > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, count]) => `${key} ${count}`);
  const total = Object.values(entries).reduce<number>((sum, count) => sum + (count ?? 0), 0);
  return `${total}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
};

/** Minutes as "2 h 05 min" or "35 min". */
const duration = (minutes: number) =>
  minutes >= 60
    ? `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`
    : `${minutes} min`;

/** Seconds, minutes or hours: "42 s", "4 min 12 s", "2 h 05 min". */
const elapsed = (milliseconds: number) => {
  const seconds = Math.round(milliseconds / 1000);
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
  return duration(Math.round(seconds / 60));
};

/** How long a touch's sends took, and what its send windows could not hold. */
const pacing = (touch: RunSummary['touches'][number]) => {
  // Summaries written before pacing have none of this.
  const took =
    touch.firstSentAt && touch.lastSentAt
      ? `  took ${elapsed(Date.parse(touch.lastSentAt) - Date.parse(touch.firstSentAt))}`
      : '';
  const windows = (touch.windows ?? 1) > 1 ? ` over ${touch.windows} send windows` : '';
  const carried = (touch.carriedOver ?? 0) > 0 ? `, carried over ${touch.carriedOver}` : ', carried over 0';
  const retries =
    (touch.throttleRetries ?? 0) > 0 ? `, ${touch.throttleRetries} throttled sends retried` : '';
  return took ? `${took}${windows}${carried}${retries}` : '';
};

/** One block per run: selection, then per touch sent / skipped by reason / converted, then the outcome. */
export const formatRun = (
  result: Pick<RunResult, 'campaignId' | 'status' | 'output' | 'error' | 'redrives'>,
): string => {
  if (result.status === 'FAILED' || !result.output) {
    return `${result.campaignId}: run FAILED with ${result.error?.name}: ${result.error?.message}`;
  }
  const summary: RunSummary = result.output;
  const { selection, holdout } = summary;
  const messaged = summary.cohortSize - holdout.size;
  const lines = [
    `${summary.campaignId} · ${summary.runDate} · ${summary.timeZone} · goal ${summary.goal}${summary.dryRun ? ' · DRY RUN' : ''}` +
      (result.redrives ? ` · redriven ${result.redrives === 1 ? 'once' : `${result.redrives} times`}` : ''),
    `  cohort: ${summary.cohortSize} enrolled (${holdout.size} holdout) of ${selection.candidates} dormant that day;` +
      ` ${selection.filteredOut} filtered out, ${selection.inCooldown} in cool-down, ${selection.overLimit} over the limit`,
  ];
  for (const touch of summary.touches) {
    const optedOut = Object.keys(touch.optedOut).length > 0 ? `  opted out ${counts(touch.optedOut)}` : '';
    const held = touch.heldMinutes > 0 ? `  held ${duration(touch.heldMinutes)} by a pause` : '';
    lines.push(
      `  touch ${touch.touch}  sent ${counts(touch.sent)}  skipped ${counts(touch.skipped)}${optedOut}  converted ${touch.converted}${held}${pacing(touch)}`,
    );
  }
  const { brakes } = summary;
  const brakeNotes = [
    ...(brakes.heldMinutes > 0 ? [`paused ${duration(brakes.heldMinutes)} in all`] : []),
    ...(brakes.stoppedAt
      ? [
          `STOPPED at ${brakes.stoppedAt} by ${brakes.stoppedBy}: ${summary.exited.stopped ?? 0} members ended stopped`,
        ]
      : []),
  ];
  if (brakeNotes.length > 0) lines.push(`  ${brakeNotes.join(' · ')}`);
  const lift = summary.lift
    ? ` · lift ${liftText(summary.lift)}${summary.lift.tooSmallToTell ? ' · holdout too small to tell' : ''}`
    : summary.liftPoints === null
      ? ''
      : ` · lift ${signedPoints(summary.liftPoints)} pts`;
  lines.push(
    `  converted ${summary.totalConverted} of ${messaged} messaged (${percent(summary.totalConverted, messaged)})` +
      ` · holdout ${holdout.converted} of ${holdout.size} (${percent(holdout.converted, holdout.size)})${lift}`,
  );
  lines.push(
    `  completed ${summary.completed} · exited ${counts(summary.exited)} · converted before any touch ${summary.convertedBeforeFirstTouch}`,
  );
  const { calls } = summary;
  if (calls) {
    const reasons =
      Object.keys(calls.notInterested).length > 0 ? ` · not interested ${counts(calls.notInterested)}` : '';
    lines.push(
      `  calls: ${calls.tasks} tasks · called ${calls.attempted} · reached ${calls.reached} · ended ${counts(calls.endings)}${reasons}`,
    );
  }
  return lines.join('\n');
};

/** Adds count records key by key: sent by channel, skipped by reason, opted out by channel. */
const sumCounts = (records: readonly Partial<Record<string, number>>[]) => {
  const sum: Record<string, number> = {};
  for (const record of records) {
    for (const [key, count] of Object.entries(record)) sum[key] = (sum[key] ?? 0) + (count ?? 0);
  }
  return sum;
};

/** What the closing block reads besides the run summaries. */
export interface DaysActivity {
  /** Who each run enrolled, holdout included (the Enrollments table). */
  enrollments: readonly { runId: string; members: readonly string[] }[];
  /** Every message and call task: who, from which campaign, on which channel, when. */
  touched: readonly { userId: string; campaignId: string; channel: string; sentAt: string }[];
  /** A user's own time zone: "one local day" is theirs. */
  timeZoneOf: (userId: string) => string;
}

/**
 * The closing block of a multi-day run: every run's funnel summed, and the overlap between runs — users
 * enrolled in more than one run, and those of them messaged (push, SMS, email) by two campaigns on one
 * local day, which the frequency caps prevent (call tasks count apart).
 */
export const formatDays = (results: readonly RunResult[], activity: DaysActivity): string => {
  const summaries = results.flatMap((result) => (result.output ? [result.output] : []));
  const failed = results.length - summaries.length;
  const dates = summaries.map((summary) => summary.runDate).sort();
  const touches = summaries.flatMap((summary) => summary.touches);
  const enrolled = summaries.reduce((sum, summary) => sum + summary.cohortSize, 0);
  const holdout = summaries.reduce((sum, summary) => sum + summary.holdout.size, 0);
  const holdoutConverted = summaries.reduce((sum, summary) => sum + summary.holdout.converted, 0);
  const converted = summaries.reduce((sum, summary) => sum + summary.totalConverted, 0);
  const optedOut = sumCounts(touches.map((touch) => touch.optedOut));
  // Summaries written before the brakes existed have none.
  const held = summaries.filter((summary) => (summary.brakes?.heldMinutes ?? 0) > 0);
  const stopped = summaries.filter((summary) => summary.brakes?.stoppedAt);

  const runsOf = new Map<string, Set<string>>();
  for (const { runId, members } of activity.enrollments) {
    for (const userId of members) runsOf.set(userId, (runsOf.get(userId) ?? new Set()).add(runId));
  }
  const inSeveralRuns = new Set([...runsOf].filter(([, runs]) => runs.size > 1).map(([userId]) => userId));
  // Per user, per local day of theirs: the campaigns they heard from.
  const campaignsByDay = new Map<string, Map<string, Set<string>>>();
  for (const { userId, campaignId, channel, sentAt } of activity.touched) {
    if (!inSeveralRuns.has(userId) || channel === 'call') continue;
    const day = DateTime.fromISO(sentAt, { zone: activity.timeZoneOf(userId) }).toISODate() ?? sentAt;
    const days = campaignsByDay.get(userId) ?? new Map<string, Set<string>>();
    campaignsByDay.set(userId, days.set(day, (days.get(day) ?? new Set()).add(campaignId)));
  }
  const heardTwice = [...campaignsByDay.values()].filter((days) =>
    [...days.values()].some((campaigns) => campaigns.size > 1),
  ).length;

  const dayCount = new Set(dates).size;
  return [
    `all ${dayCount} day${dayCount === 1 ? '' : 's'} · ${dates[0] ?? '–'} to ${dates.at(-1) ?? '–'} · ` +
      `${summaries.length} runs${failed > 0 ? ` (${failed} FAILED)` : ''}`,
    `  enrolled ${enrolled} (${holdout} holdout)`,
    `  sent ${counts(sumCounts(touches.map((touch) => touch.sent)))}`,
    `  skipped ${counts(sumCounts(touches.map((touch) => touch.skipped)))}`,
    ...(Object.keys(optedOut).length > 0 ? [`  opted out ${counts(optedOut)}`] : []),
    ...(held.length + stopped.length > 0
      ? [
          `  brakes: ${held.length} runs held by a pause for ${duration(held.reduce((sum, summary) => sum + summary.brakes.heldMinutes, 0))} in all · ` +
            `${stopped.length} runs stopped, ${stopped.reduce((sum, summary) => sum + (summary.exited.stopped ?? 0), 0)} members ended stopped`,
        ]
      : []),
    `  converted ${converted} of ${enrolled - holdout} messaged (${percent(converted, enrolled - holdout)})` +
      ` · holdout ${holdoutConverted} of ${holdout} (${percent(holdoutConverted, holdout)})`,
    `  overlap: ${inSeveralRuns.size} users enrolled in more than one run · ` +
      `${heardTwice} of them messaged by two campaigns on one local day`,
  ].join('\n');
};

/** The check anyone can redo from the output files: nobody messaged on a channel they had turned off. */
export const formatConsentCheck = (check: ConsentCheck, eventsReceived: number): string => {
  const lines = [
    `events received ${eventsReceived} · channels turned off ${counts(check.turnedOff)} · ` +
      `messages on a channel after it was turned off: ${check.violations.length}`,
  ];
  for (const violation of check.violations) {
    lines.push(
      `  VIOLATION ${violation.userId} got ${violation.channel} at ${violation.sentAt}, turned off at ${violation.turnedOffAt} (${violation.source})`,
    );
  }
  return lines.join('\n');
};

/**
 * The funnel of all runs by channel, each rate with its counts beside it: delivered of sent, opened of
 * delivered (email), clicked of sent (field target: above 20% of those touched), then the lifecycle goals
 * reached after the touch.
 */
export const formatFunnelByChannel = (rows: readonly FunnelRow[]): string => {
  const lines = ['funnel by channel (every run; goals reached after the touch):'];
  for (const row of funnelByChannel(rows)) {
    const parts = [`sent ${row.sent}`];
    if (row.delivered !== null)
      parts.push(
        `delivered ${row.delivered} (${percent(row.delivered, row.sent)}), failed ${row.failed}, no final report ${row.unreported}`,
      );
    if (row.opened !== null && row.delivered !== null)
      parts.push(`opened ${row.opened} (${percent(row.opened, row.delivered)} of delivered)`);
    if (row.attempted !== null && row.reached !== null) {
      const reasons = Object.entries(row.notInterested ?? {})
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([reason, count]) => `${reason} ${count}`);
      parts.push(
        `called ${row.attempted} (${percent(row.attempted, row.sent)})`,
        `reached ${row.reached} (${percent(row.reached, row.sent)})`,
        ...(reasons.length > 0 ? [`not interested: ${reasons.join(', ')}`] : []),
      );
    }
    if (row.channel !== 'call') {
      parts.push(`clicked ${row.clicked} (${percent(row.clicked, row.sent)})`);
      if (row.scanned > 0) parts.push(`links of ${row.scanned} fetched by scanners or previews (not clicks)`);
    }
    parts.push(
      `logged in ${row.loggedIn} (${percent(row.loggedIn, row.sent)})`,
      `applied ${row.applied}`,
      `drew down ${row.drewDown}`,
    );
    lines.push(`  ${row.channel.padEnd(6)} ${parts.join(' · ')}`);
  }
  return lines.join('\n');
};

/** Each copy variant against its touch's baseline: click-through and logins after the touch, with intervals. */
export const formatVariantComparisons = (
  funnels: readonly { campaignId: string; variants: readonly VariantComparison[] }[],
): string[] =>
  funnels.flatMap(({ campaignId, variants }) =>
    variants.flatMap((comparison) =>
      comparison.clicks && comparison.logins
        ? [
            `variants: ${campaignId} touch ${comparison.touch} ${comparison.channel}: ${comparison.variant} (${comparison.sent} sent)` +
              ` vs ${comparison.baseline} · clicked ${liftText(comparison.clicks)} · logged in ${liftText(comparison.logins)}` +
              (comparison.clicks.tooSmallToTell || comparison.logins.tooSmallToTell
                ? ' · too few to tell'
                : ''),
          ]
        : [],
    ),
  );
