import type { Channel } from '../functions/campaign/definition';
import type { ConsentChange } from '../functions/data/user-changes';

/** A message or call task as the check reads it: who, on which channel, when. */
export interface Touched {
  userId: string;
  channel: Channel;
  sentAt: string;
}

/** Everything that reached people: the sandbox's messages, and the call tasks (at their creation). */
export const touchedBy = <M extends Touched>(
  messages: readonly M[],
  callTasks: readonly { userId: string; campaignId: string; createdAt: string }[],
): (M | (Touched & { campaignId: string }))[] => [
  ...messages,
  ...callTasks.map((task) => ({
    userId: task.userId,
    campaignId: task.campaignId,
    channel: 'call' as const,
    sentAt: task.createdAt,
  })),
];

export interface ConsentCheck {
  /** Channels turned off (consent withdrawn, push registration removed), by channel. */
  turnedOff: Partial<Record<Channel, number>>;
  /** Messages sent on a channel after the user had turned it off (and not back on). Must be empty. */
  violations: (Touched & { turnedOffAt: string; source: string })[];
}

const offChanges = new Set<ConsentChange['change']>(['consent-withdrawn', 'push-removed']);
const onChanges = new Set<ConsentChange['change']>(['consent-granted', 'push-registered']);

/** What counts is when Rekindle learned of a change: a bounce reported late cannot stop a send before it. */
const learnedAt = (change: ConsentChange) =>
  change.recordedAt > change.occurredAt ? change.recordedAt : change.occurredAt;

/**
 * Checks from the records alone that nobody was messaged on a channel after turning it off: for each
 * message, the latest applied change of that user's channel Rekindle knew of at the send must not be "off". A push
 * registration removed counts for push; consents count for their own channel.
 */
export const checkConsentHonoured = (
  touched: readonly Touched[],
  trail: readonly ConsentChange[],
): ConsentCheck => {
  const applied = trail
    .filter((change) => change.applied)
    .sort((a, b) => learnedAt(a).localeCompare(learnedAt(b)));
  const turnedOff: ConsentCheck['turnedOff'] = {};
  for (const change of applied) {
    if (offChanges.has(change.change)) turnedOff[change.channel] = (turnedOff[change.channel] ?? 0) + 1;
  }
  const violations: ConsentCheck['violations'] = [];
  for (const message of touched) {
    const last = applied
      .filter(
        (change) =>
          change.userId === message.userId &&
          change.channel === message.channel &&
          (offChanges.has(change.change) || onChanges.has(change.change)) &&
          learnedAt(change) <= message.sentAt,
      )
      .at(-1);
    if (last && offChanges.has(last.change)) {
      violations.push({ ...message, turnedOffAt: learnedAt(last), source: last.source });
    }
  }
  return { turnedOff, violations };
};
