import { getRunControl, putCarry } from '../data/controls';
import type { Carry } from '../operations/controls';
import type { Progress } from './progress';
import type { Run } from './run';
import { nextSendMoment, sendWindowEnd } from './send-window';

/**
 * Where a touch with members still unsent goes: another pass in this window (`continue`), the next send
 * window (`carried`), or back to the touch at once to record the rest `window-missed` once the touch has
 * taken the campaign's `carryOverWindows`.
 */
export interface CarryDecision {
  state: 'continue' | 'carried' | 'window-missed';
  at: string;
}

export const carryOver = async (
  run: Run,
  touch: number,
  progress: Pick<Progress, 'pending' | 'resumeAt'>,
  now: Date,
): Promise<CarryDecision> => {
  const { sendWindows, carryOverWindows } = run.campaign;
  const windowEnd = sendWindowEnd(now, sendWindows, run.timeZone);
  const resumeAt =
    progress.resumeAt && Date.parse(progress.resumeAt) > now.getTime() ? new Date(progress.resumeAt) : now;
  if (resumeAt < windowEnd) return { state: 'continue', at: resumeAt.toISOString() };
  const carry: Carry = (await getRunControl(run.runId)).carries[String(touch)] ?? { windows: 1, carried: [] };
  const next = () =>
    nextSendMoment(windowEnd > resumeAt ? windowEnd : resumeAt, sendWindows, run.timeZone).toISOString();
  // This window was carried from already: the step is tried again (its result was lost), not a new window.
  if (carry.fromWindowEnd === windowEnd.toISOString()) return { state: 'carried', at: next() };
  if (carry.windows >= carryOverWindows) {
    await putCarry(run.runId, touch, { ...carry, missed: progress.pending });
    return { state: 'window-missed', at: now.toISOString() };
  }
  await putCarry(run.runId, touch, {
    windows: carry.windows + 1,
    carried: [...carry.carried, progress.pending],
    fromWindowEnd: windowEnd.toISOString(),
  });
  return { state: 'carried', at: next() };
};
