import type { RunSummary } from '../functions/campaign/run';
import type { ConsentCheck } from './consent-check';
import type { RunResult } from './runtime';

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

/** One block per run: selection, then per touch sent / skipped by reason / converted, then the outcome. */
export const formatRun = (result: RunResult): string => {
  if (result.status === 'FAILED' || !result.output) {
    return `${result.campaignId}: run FAILED with ${result.error?.name}: ${result.error?.message}`;
  }
  const summary: RunSummary = result.output;
  const { selection, holdout } = summary;
  const messaged = summary.cohortSize - holdout.size;
  const lines = [
    `${summary.campaignId} · ${summary.runDate} · ${summary.timeZone} · goal ${summary.goal}${summary.dryRun ? ' · DRY RUN' : ''}`,
    `  cohort: ${summary.cohortSize} enrolled (${holdout.size} holdout) of ${selection.candidates} dormant that day;` +
      ` ${selection.filteredOut} filtered out, ${selection.inCooldown} in cool-down, ${selection.overLimit} over the limit`,
  ];
  for (const touch of summary.touches) {
    const optedOut = Object.keys(touch.optedOut).length > 0 ? `  opted out ${counts(touch.optedOut)}` : '';
    lines.push(
      `  touch ${touch.touch}  sent ${counts(touch.sent)}  skipped ${counts(touch.skipped)}${optedOut}  converted ${touch.converted}`,
    );
  }
  const lift =
    summary.liftPoints === null
      ? ''
      : ` · lift ${summary.liftPoints >= 0 ? '+' : ''}${summary.liftPoints} pts`;
  lines.push(
    `  converted ${summary.totalConverted} of ${messaged} messaged (${percent(summary.totalConverted, messaged)})` +
      ` · holdout ${holdout.converted} of ${holdout.size} (${percent(holdout.converted, holdout.size)})${lift}`,
  );
  lines.push(
    `  completed ${summary.completed} · exited ${counts(summary.exited)} · converted before any touch ${summary.convertedBeforeFirstTouch}`,
  );
  return lines.join('\n');
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
