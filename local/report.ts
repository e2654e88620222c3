import type { RunSummary } from '../functions/campaign/run';
import type { RunResult } from './runtime';

const percent = (part: number, whole: number) =>
  whole === 0 ? '0.0%' : `${((100 * part) / whole).toFixed(1)}%`;

/** One block per run: cohort, then per step sent / skipped by reason / converted, then the total. */
export const formatRun = (campaignId: string, result: RunResult): string => {
  if (result.status === 'FAILED' || !result.output) {
    return `${campaignId}: run FAILED with ${result.error?.name}: ${result.error?.message}`;
  }
  const summary: RunSummary = result.output;
  const lines = [
    `${summary.campaignId} · ${summary.runDate} · ${summary.timeZone} · goal ${summary.goal}`,
    `  cohort: ${summary.cohortSize} users enrolled`,
  ];
  summary.steps.forEach((step, index) => {
    const skipped = Object.entries(step.skipped)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([reason, count]) => `${reason} ${count}`)
      .join(', ');
    const skippedTotal = Object.values(step.skipped).reduce((sum, count) => sum + (count ?? 0), 0);
    lines.push(
      `  step ${index + 1} ${step.step.padEnd(6)} sent ${String(step.sent).padStart(5)}` +
        `  skipped ${String(skippedTotal).padStart(5)}${skipped ? ` (${skipped})` : ''}` +
        `  converted ${step.converted}`,
    );
  });
  lines.push(`  converted before any touch: ${summary.convertedBeforeFirstTouch}`);
  lines.push(
    `  total converted: ${summary.totalConverted} of ${summary.cohortSize} (${percent(summary.totalConverted, summary.cohortSize)}), completed without converting: ${summary.completed}`,
  );
  return lines.join('\n');
};
