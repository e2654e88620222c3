import type { User } from '../users/user';
import { type Goal, goalTimestampField } from './definition';

export type EnrollmentStatus = 'active' | 'converted' | 'completed';

/** One user in one run. Every enrollment ends converted or completed. */
export interface Enrollment {
  runId: string;
  batch: number;
  userId: string;
  campaignId: string;
  enrolledAt: string;
  status: EnrollmentStatus;
  /** Step name → when its touch was sent. */
  touches: Record<string, string>;
  convertedAt?: string;
  /** The step whose touch came last before the conversion, or "none". */
  convertedAfterStep?: string;
  closedAt?: string;
}

export const NO_TOUCH = 'none';

/**
 * Whether the user reached the campaign's goal after enrolling, and which touch gets the credit
 * (the latest one sent at or before the goal event).
 */
export const conversionOf = (
  enrollment: Enrollment,
  user: User,
  goal: Goal,
): { convertedAt: string; convertedAfterStep: string } | undefined => {
  const goalAt = user.lifecycle[goalTimestampField[goal]];
  if (goalAt === undefined || Date.parse(goalAt) < Date.parse(enrollment.enrolledAt)) return undefined;
  const credited = Object.entries(enrollment.touches)
    .filter(([, sentAt]) => Date.parse(sentAt) <= Date.parse(goalAt))
    .sort(([, a], [, b]) => Date.parse(b) - Date.parse(a))[0];
  return { convertedAt: goalAt, convertedAfterStep: credited?.[0] ?? NO_TOUCH };
};
