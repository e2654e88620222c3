import { chunk } from '../data/batch';
import { putEnrollments } from '../data/enrollments';
import { recordAudience } from '../data/runs';
import { queryDormantUserIds } from '../data/users';
import { dormancyKey } from '../users/dormancy';
import type { Enrollment } from './enrollment';
import type { Run } from './run';

export interface Audience {
  cohortSize: number;
  batchCount: number;
  /** Batch numbers, 1-based; the Distributed Map iterates over these, not over users. */
  batches: number[];
}

/**
 * Enrolls the run's cohort: the users of the campaign's dormancy model in the run's time zone who are
 * dormant on the run date. Users are sorted before batching so a retry writes the same keys.
 */
export const selectAudience = async (run: Run, now: Date): Promise<Audience> => {
  const key = dormancyKey(run.campaign.audience.dormancyModel, run.timeZone);
  const userIds = (await queryDormantUserIds(key, run.runDate)).sort();
  const batches = chunk(userIds, run.campaign.batchSize);
  const enrolledAt = now.toISOString();
  const enrollments = batches.flatMap((userIdsOfBatch, index) =>
    userIdsOfBatch.map(
      (userId): Enrollment => ({
        runId: run.runId,
        batch: index + 1,
        userId,
        campaignId: run.campaign.id,
        enrolledAt,
        status: 'active',
        touches: {},
      }),
    ),
  );
  await putEnrollments(enrollments);
  await recordAudience(run.runId, userIds.length, batches.length);
  return {
    cohortSize: userIds.length,
    batchCount: batches.length,
    batches: batches.map((_, index) => index + 1),
  };
};
