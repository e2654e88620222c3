import { queryTouchOutcomes } from '../data/runs';
import { readBrakes } from '../operations/controls';
import type { Run } from './run';

/** Where a run stands after a touch, over all batches. */
export interface Progress {
  /** Members still active: none left means the run can stop touching. */
  active: number;
  /** Members a pause left unsent: the run holds the touch until the pause is lifted. */
  held: number;
  /** The operator asked the run to stop: it closes now. */
  stopped: boolean;
  /** Members the providers' rates left unsent for now, and the earliest moment a next pass could send. */
  pending: number;
  resumeAt?: string;
}

export const progressAfterTouch = async (run: Run, touch: number): Promise<Progress> => {
  const [outcomes, brakes] = await Promise.all([queryTouchOutcomes(run.runId, touch), readBrakes(run)]);
  return {
    active: outcomes.reduce((sum, outcome) => sum + outcome.active, 0),
    // Outcomes written before pauses existed have no `held`.
    held: outcomes.reduce((sum, outcome) => sum + (outcome.held ?? 0), 0),
    stopped: brakes.stopRequestedAt !== undefined,
    pending: outcomes.reduce((sum, outcome) => sum + (outcome.pending ?? 0), 0),
    ...resumeAtOf(outcomes),
  };
};

/**
 * The earliest moment a batch worker could go on: the next pass starts then, and a worker that still cannot
 * send says so again (a run goes to the next window only when every worker waits for it).
 */
const resumeAtOf = (outcomes: readonly { pending?: number; resumeAt?: string }[]) => {
  const moments = outcomes.flatMap((outcome) =>
    outcome.pending && outcome.resumeAt ? [outcome.resumeAt] : [],
  );
  return moments.length > 0 ? { resumeAt: moments.sort()[0] } : {};
};
