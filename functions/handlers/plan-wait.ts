import type { Run } from '../campaign/run';
import { nextSendMoment } from '../campaign/send-window';
import { now } from '../shared/clock';
import { lambdaHandler } from '../shared/lambda';

interface PlanWaitEvent {
  run: Run;
  /** Minimum time from now. */
  delayDays: number;
  /** Move the moment into the campaign's next send window (in the run's time zone). */
  alignToSendWindow: boolean;
}

/** Computes when the next Wait state ends; Step Functions cannot do time-zone arithmetic itself. */
export const handler = lambdaHandler(
  async (event: PlanWaitEvent): Promise<{ at: string; state: 'planned' }> => {
    const earliest = new Date(now().getTime() + event.delayDays * 24 * 60 * 60 * 1000);
    const at = event.alignToSendWindow
      ? nextSendMoment(earliest, event.run.campaign.sendWindows, event.run.timeZone)
      : earliest;
    // `state` tells the send step that follows that this is the touch's first pass.
    return { at: at.toISOString(), state: 'planned' };
  },
  { publishesMetrics: false },
);
