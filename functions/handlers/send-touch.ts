import type { Run, TouchOutcome } from '../campaign/run';
import { sendTouchToBatch } from '../campaign/send-touch';
import type { ChannelSenders } from '../channels/channel';
import { channelSendersFromEnvironment } from '../channels/senders';
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
  const sendAt = new Date(Math.max(now().getTime(), Date.parse(event.sendAt)));
  const outcome = await sendTouchToBatch(
    event.run,
    event.touch,
    event.batch,
    event.run.dryRun ? dryRunSenders : senders,
    sendAt,
    guardrails,
    // A dry run hands nothing to a provider: not paced.
    event.run.dryRun
      ? undefined
      : { rates: sendRates, mode: event.mode === 'window-missed' ? 'window-missed' : 'send' },
  );
  // A dry run renders as of the planned moment, but its own time is now: it waited for nothing.
  if (event.run.dryRun) outcome.finishedAt = now().toISOString();
  logger.info('Touch sent to batch', { runId: event.run.runId, ...outcome });
  metrics.addDimension('campaign', event.run.campaign.id);
  for (const [channel, count] of Object.entries(outcome.sent)) {
    const perChannel = metrics.singleMetric();
    perChannel.addDimensions({ campaign: event.run.campaign.id, channel });
    perChannel.addMetric('MessagesSent', 'Count', count);
  }
  metrics.addMetric('BatchesTouched', 'Count', 1);
  return outcome;
});
