import { getRunControl, putHold } from '../data/controls';
import { type Brakes, type Hold, heldMilliseconds, readBrakes } from '../operations/controls';
import { HOLD_POLL_MINUTES } from '../operations/pause-limit';
import type { Run } from './run';
import { nextSendMoment } from './send-window';

/**
 * What a held touch does next: wait and look again (`held`), go on at the next send moment (`resumed`),
 * or go back to the touch at once so its members not yet sent are recorded — `paused` once the hold
 * outlasted the limit (`gave-up`), `stopped` when the run was stopped.
 */
export type HoldState = 'held' | 'resumed' | 'gave-up' | 'stopped';

/** Where the run goes after a held touch, and when (the parent's Wait reads `at`). */
export interface HoldDecision {
  state: HoldState;
  at: string;
}

/**
 * Decides a held touch's next step from the brakes, and keeps the hold's record (since when, how it ended)
 * for the summary. Only the run's own execution calls this, one step at a time, so a plain write suffices.
 */
export const holdTouch = async (
  run: Run,
  touch: number,
  now: Date,
  limitHours: number,
): Promise<HoldDecision> => {
  const [brakes, { holds }] = await Promise.all([readBrakes(run), getRunControl(run.runId)]);
  const current = holds[String(touch)];
  const open = current?.until === undefined ? current : undefined;
  // The hold this look belongs to: the open one, or a new one that keeps the time of the touch's earlier holds.
  const hold: Hold = open ?? {
    since: now.toISOString(),
    earlierMs: current ? heldMilliseconds(current, now) : 0,
  };
  const decision = decide(brakes, hold, now, limitHours * 60 * 60 * 1000);
  if (decision.state === 'held') {
    if (open === undefined) await putHold(run.runId, touch, hold);
  } else if (open || decision.state === 'gave-up') {
    // Given up is written even for a hold this look began: the send step records the touch `paused` by it.
    await putHold(run.runId, touch, { ...hold, until: now.toISOString(), ending: decision.state });
  }
  if (decision.state === 'resumed') {
    // Members not yet sent get the touch at the campaign's next send moment, not at the resume.
    return {
      state: 'resumed',
      at: nextSendMoment(now, run.campaign.sendWindows, run.timeZone).toISOString(),
    };
  }
  return decision;
};

const decide = (brakes: Brakes, hold: Hold, now: Date, limitMs: number): HoldDecision => {
  const at = now.toISOString();
  if (brakes.stopRequestedAt) return { state: 'stopped', at };
  if (!brakes.paused) return { state: 'resumed', at };
  if (heldMilliseconds(hold, now) >= limitMs) return { state: 'gave-up', at };
  return { state: 'held', at: new Date(now.getTime() + HOLD_POLL_MINUTES * 60 * 1000).toISOString() };
};

/** How a touch's send step treats the next chunk: send it, leave it for later, or record it unsent. */
export type ChunkBrake = 'send' | 'hold' | 'paused' | 'stopped';

export const brakeOnChunk = async (run: Run, touch: number): Promise<ChunkBrake> => {
  const brakes = await readBrakes(run);
  if (brakes.stopRequestedAt) return 'stopped';
  if (!brakes.paused) return 'send';
  // Only a paused touch needs its hold: given up after the limit, its members are recorded `paused`.
  const { holds } = await getRunControl(run.runId);
  return holds[String(touch)]?.ending === 'gave-up' ? 'paused' : 'hold';
};
