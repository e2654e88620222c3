import type { Run, TouchOutcome } from '../campaign/run';
import { sendTouchToBatch } from '../campaign/send-touch';
import type { ChannelSenders } from '../channels/channel';
import { channelSendersFromEnvironment } from '../channels/senders';
import { getTouchOutcome } from '../data/runs';
import { frequencyCapsFrom } from '../guardrails/frequency-caps';
import { quietHoursFrom } from '../guardrails/quiet-hours';
import { sendRatesFrom } from '../pacing/send-rates';
import { now } from '../shared/clock';
import { requireEnv } from '../shared/config';
import { lambdaHandler } from '../shared/lambda';
import { logger, metrics } from '../shared/powertools';

const senders = await channelSendersFromEnvironment();
const guardrails = {
  quietHours: quietHoursFrom(requireEnv('QUIET_HOURS')),
  frequencyCaps: frequencyCapsFrom(requireEnv('FREQUENCY_CAPS')),
};
const sendRates = sendRatesFrom(requireEnv('SEND_RATES'));

/** A dry run renders every message and hands it to nobody. */
const renderOnly = { send: async () => ({ messageId: 'dry-run' }) };
const dryRunSenders: ChannelSenders = {
  push: renderOnly,
  sms: renderOnly,
  email: renderOnly,
  call: renderOnly,
};

/** One Distributed Map child: one touch of the run for one batch of enrollments. */
interface SendTouchEvent {
  run: Run;
  touch: number;
  batch: number;
  /** When the touch was planned: a dry run does not wait for it, so it renders as of then. */
  sendAt: string;
  /** `window-missed`: the touch is out of send windows; anything else: send (paced). */
  mode: string;
}

export const handler = lambdaHandler(async (event: SendTouchEvent): Promise<TouchOutcome> => {
  const { run, touch, batch } = event;
  // An outcome counts every pass of the touch over the batch so far; the metrics count what this pass added.
  const before = run.dryRun ? undefined : await getTouchOutcome(run.runId, touch, batch);
  const sendAt = new Date(Math.max(now().getTime(), Date.parse(event.sendAt)));
  const outcome = await sendTouchToBatch(
    run,
    touch,
    batch,
    run.dryRun ? dryRunSenders : senders,
    sendAt,
    guardrails,
    // A dry run hands nothing to a provider: not paced.
    run.dryRun
      ? undefined
      : { rates: sendRates, mode: event.mode === 'window-missed' ? 'window-missed' : 'send' },
  );
  // A dry run renders as of the planned moment, but its own time is now: it waited for nothing.
  if (run.dryRun) outcome.finishedAt = now().toISOString();
  logger.info('Touch sent to batch', { runId: run.runId, ...outcome });
  metrics.addDimension('campaign', run.campaign.id);
  metrics.addMetric('BatchesTouched', 'Count', 1);
  // A dry run reaches nobody: its renders stay out of the sends, skips and failures on the dashboard.
  if (!run.dryRun) recordPass(run.campaign.id, outcome, before);
  return outcome;
});

/** Each key's count now minus its count before, where it grew. */
const added = (counts: Partial<Record<string, number>>, before: Partial<Record<string, number>> = {}) =>
  Object.entries(counts).flatMap(([key, count = 0]) => {
    const grown = count - (before[key] ?? 0);
    return grown > 0 ? [[key, grown] as const] : [];
  });

/**
 * What this pass added: sends per campaign and per channel (their sum is the failure rate's denominator),
 * skips per reason (`send-failed` among them), and the throttled sends tried again. Dimensions stay
 * campaign, channel and reason: a few dozen series, never one per person.
 */
const recordPass = (campaign: string, outcome: TouchOutcome, before: TouchOutcome | undefined) => {
  const sent = added(outcome.sent, before?.sent);
  const sentInAll = sent.reduce((sum, [, count]) => sum + count, 0);
  metrics.addMetric('MessagesSent', 'Count', sentInAll);
  metrics.addMetric('SendThrottleRetries', 'Count', outcome.throttleRetries - (before?.throttleRetries ?? 0));
  for (const [channel, count] of sent) {
    const perChannel = metrics.singleMetric();
    perChannel.addDimensions({ campaign, channel });
    perChannel.addMetric('MessagesSent', 'Count', count);
  }
  for (const [reason, count] of added(outcome.skipped, before?.skipped)) {
    const perReason = metrics.singleMetric();
    perReason.addDimensions({ campaign, reason });
    perReason.addMetric('MembersSkipped', 'Count', count);
  }
};
