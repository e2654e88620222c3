import pLimit from 'p-limit';
import { chunk } from '../data/batch';
import { getContactRecords } from '../data/contacts';
import { putEnrollmentBatches } from '../data/enrollments';
import { recordSelection } from '../data/runs';
import { getUsers, queryUserIdsDormantFrom } from '../data/users';
import { type ContactRecord, cooldownOf, isCoolingDown, recordCooldown } from '../guardrails/contacts';
import { dormancyKeys } from '../users/dormancy';
import type { User } from '../users/user';
import { isHoldout, stableFraction } from './assignment';
import type { Audience } from './definition';
import type { EnrollmentBatch } from './enrollment';
import type { Run, SelectionReport } from './run';

export interface EnrolledCohort {
  cohortSize: number;
  /** Members who will be messaged: the cohort less its holdout. */
  messaged: number;
  batchCount: number;
  /** Batch numbers, 1-based; the Distributed Maps iterate over these, not over users. */
  batches: number[];
}

const COOLDOWN_WRITES_IN_FLIGHT = 16;

export const matchesFilters = (user: User, filters: Audience['filters']): boolean =>
  (filters.tagsAll ?? []).every((tag) => user.tags.includes(tag)) &&
  (filters.tagsAny === undefined || filters.tagsAny.some((tag) => user.tags.includes(tag))) &&
  (filters.ring === undefined || (user.ring !== undefined && filters.ring.includes(user.ring))) &&
  (filters.valueTier === undefined ||
    (user.valueTier !== undefined && filters.valueTier.includes(user.valueTier))) &&
  (filters.installed === undefined || filters.installed === (user.push !== null));

/**
 * Enrolls the run's cohort. A scheduled run reads only the users who become dormant on the run date in
 * the run's time zone (one query per shard of the sparse dormancy index), keeps those matching the audience filters
 * and out of cool-down, and sets aside the holdout. A launch for a user list enrolls exactly those users.
 */
export const selectAudience = async (run: Run, now: Date): Promise<EnrolledCohort> => {
  const { campaign } = run;
  const candidates =
    run.userIds ??
    (
      await Promise.all(
        dormancyKeys(campaign.audience.dormancyModel, run.timeZone).map((key) =>
          queryUserIdsDormantFrom(key, run.runDate),
        ),
      )
    ).flat();
  const users = await getUsers(candidates);
  const explicit = run.userIds !== undefined;
  const kept = candidates.filter((userId) => {
    const user = users.get(userId);
    return user !== undefined && (explicit || matchesFilters(user, campaign.audience.filters));
  });
  const coolsDown = !explicit && campaign.reentryCooldownDays > 0;
  const records = coolsDown ? await getContactRecords(kept) : new Map<string, ContactRecord>();
  // A cool-down this very run started (the holdout's, written below) does not count: a selection tried again
  // after a crash enrolls the same cohort, holdout included.
  const own = cooldownOf(run);
  const cooling = new Set(
    kept.filter((userId) => {
      const record = records.get(userId);
      return (
        record !== undefined &&
        isCoolingDown(record, campaign.id, run.runDate) &&
        record.cooldowns[campaign.id] !== own?.until
      );
    }),
  );
  const eligible = kept.filter((userId) => !cooling.has(userId));
  // A limit takes a random (but repeatable) sample rather than the first ids in sort order.
  const enrolled = (
    run.limit === undefined
      ? eligible
      : [...eligible]
          .sort((a, b) => stableFraction(`${run.runId}|${a}`) - stableFraction(`${run.runId}|${b}`))
          .slice(0, run.limit)
  ).sort();
  const holdout = explicit
    ? []
    : enrolled.filter((userId) => isHoldout(campaign.id, userId, campaign.holdoutPercent));
  const holdoutSet = new Set(holdout);

  const enrolledAt = now.toISOString();
  const batches = chunk(enrolled, campaign.batchSize).map(
    (members, index): EnrollmentBatch => ({
      runId: run.runId,
      batch: index + 1,
      campaignId: campaign.id,
      enrolledAt,
      members,
      holdout: members.filter((userId) => holdoutSet.has(userId)),
    }),
  );
  await putEnrollmentBatches(batches);
  // The holdout cools down too. Messaged members get theirs with their first send's contact claim, or at
  // touch 1 when it skips them (see send-touch.ts): one write per person, not two.
  const cooldown = cooldownOf(run);
  if (cooldown) {
    const limit = pLimit(COOLDOWN_WRITES_IN_FLIGHT);
    await Promise.all(
      holdout.map((userId) => limit(() => recordCooldown(records.get(userId), userId, cooldown))),
    );
  }
  const selection: SelectionReport = {
    candidates: candidates.length,
    filteredOut: candidates.length - kept.length,
    inCooldown: cooling.size,
    overLimit: eligible.length - enrolled.length,
    enrolled: enrolled.length,
    holdout: holdout.length,
    batchCount: batches.length,
  };
  await recordSelection(run.runId, selection);
  return {
    cohortSize: enrolled.length,
    messaged: enrolled.length - holdout.length,
    batchCount: batches.length,
    batches: batches.map((batch) => batch.batch),
  };
};
