import type { User } from '../users/user';
import { type Channel, type Goal, goalTimestampField } from './definition';
import type { SkipReason } from './run';
import type { TouchChunk } from './touch';

/** The members of one (run, batch), written once at selection. */
export interface EnrollmentBatch {
  runId: string;
  batch: number;
  campaignId: string;
  enrolledAt: string;
  /** Everyone enrolled in this batch, sorted; holdout members included. */
  members: string[];
  /** The control share: enrolled, never messaged, conversions still recorded. */
  holdout: string[];
  /** Written when the run closes. */
  terminal?: Record<string, TerminalState>;
}

/** How every enrollment ends. */
export type TerminalState =
  | { status: 'converted'; at: string; afterTouch: number }
  | { status: 'completed' }
  | { status: 'exited'; reason: SkipReason }
  | { status: 'holdout'; convertedAt?: string };

/** Reasons that end a member's enrollment at the touch where they occur. */
export const endingReasons: ReadonlySet<SkipReason> = new Set<SkipReason>([
  'converted',
  'ladder-exhausted',
  'unreachable',
  'user-missing',
  'stopped',
]);

/** What the touches so far did to one member. */
export interface MemberHistory {
  sent: { touch: number; channel: Channel; sentAt: string; messageId: string }[];
  /** The latest reason a touch passed the member by without ending the enrollment. */
  lastSkip?: SkipReason;
  /** The campaign ladder index of the last step a touch used (sent or skipped at); -1 before any. */
  lastRung: number;
  ended?: { touch: number; reason: SkipReason; convertedAt?: string; afterTouch?: number };
}

/** Rebuilds each member's history from the batch's touch chunks before touch `beforeTouch`. */
export const historiesOf = (
  chunks: readonly TouchChunk[],
  beforeTouch = Number.POSITIVE_INFINITY,
  /** The campaign's ladder channels: results recorded before results named their rung are placed by channel. */
  ladder: readonly Channel[] = [],
) => {
  const histories = new Map<string, MemberHistory>();
  const ordered = chunks.filter((chunk) => chunk.touch < beforeTouch).sort((a, b) => a.touch - b.touch);
  for (const chunk of ordered) {
    if (chunk.results === undefined) {
      // Claimed by an attempt that died before recording results: whether it sent is unknown.
      for (const userId of chunk.userIds ?? []) {
        const history = histories.get(userId) ?? { sent: [], lastRung: -1 };
        history.lastSkip = 'already-claimed';
        history.lastRung = Math.max(history.lastRung, chunk.plannedRungs?.[userId] ?? -1);
        histories.set(userId, history);
      }
      continue;
    }
    for (const [userId, result] of Object.entries(chunk.results)) {
      const history = histories.get(userId) ?? { sent: [], lastRung: -1 };
      const rung = result.rung ?? (result.channel ? ladder.indexOf(result.channel) : -1);
      history.lastRung = Math.max(history.lastRung, rung);
      if ('sentAt' in result)
        history.sent.push({
          touch: chunk.touch,
          channel: result.channel,
          sentAt: result.sentAt,
          messageId: result.messageId,
        });
      else if (!endingReasons.has(result.skipped)) history.lastSkip = result.skipped;
      else if (!history.ended) {
        history.ended = {
          touch: chunk.touch,
          reason: result.skipped,
          convertedAt: result.convertedAt,
          afterTouch: result.afterTouch,
        };
      }
      histories.set(userId, history);
    }
  }
  return histories;
};

/**
 * Whether the user reached the campaign's goal after enrolling, and which touch gets the credit: the
 * latest one sent at or before the goal event (0 when none was).
 */
export const conversionOf = (
  enrolledAt: string,
  history: MemberHistory | undefined,
  user: User,
  goal: Goal,
): { convertedAt: string; afterTouch: number } | undefined => {
  const goalAt = user.lifecycle[goalTimestampField[goal]];
  if (goalAt === undefined || Date.parse(goalAt) < Date.parse(enrolledAt)) return undefined;
  const credited = (history?.sent ?? [])
    .filter((touch) => Date.parse(touch.sentAt) <= Date.parse(goalAt))
    .sort((a, b) => b.touch - a.touch)[0];
  return { convertedAt: goalAt, afterTouch: credited?.touch ?? 0 };
};
