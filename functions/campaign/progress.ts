import { queryTouchOutcomes } from '../data/runs';

/** Members still active after a touch, over all batches: none left means the run can stop touching. */
export const activeAfterTouch = async (runId: string, touch: number): Promise<number> =>
  (await queryTouchOutcomes(runId, touch)).reduce((sum, outcome) => sum + outcome.active, 0);
