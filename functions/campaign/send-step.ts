import pLimit from 'p-limit';
import type { ChannelSenders, OutboundMessage } from '../channels/channel';
import { closeEnrollment, queryBatch, recordTouchOnEnrollment } from '../data/enrollments';
import { putStepOutcome } from '../data/runs';
import { claimTouch, recordTouchFailed, recordTouchSent } from '../data/touches';
import { getUsers } from '../data/users';
import type { User } from '../users/user';
import type { ChannelStep } from './definition';
import { conversionOf, type Enrollment } from './enrollment';
import type { Run, SkipReason, StepOutcome } from './run';
import { isInsideSendWindow } from './send-window';
import { addressFor, copyFor, touchIdOf } from './touch';

/** Sends in flight per batch worker; the provider's rate, not Lambda, is the limit. */
const SEND_CONCURRENCY = 8;

export const stepNamed = (run: Run, stepName: string): ChannelStep => {
  const step = run.campaign.steps.find((candidate) => candidate.name === stepName);
  if (!step) throw new Error(`Campaign ${run.campaign.id} has no step ${stepName}`);
  return step;
};

type Decision = { sent: true } | { sent: false; reason: SkipReason };

/**
 * Sends one step to one batch. Each user is re-checked just before the send (converted? reachable?
 * consented? inside their send window?), so nobody is messaged after converting.
 */
export const sendStepToBatch = async (
  run: Run,
  stepName: string,
  batch: number,
  senders: ChannelSenders,
  now: Date,
): Promise<StepOutcome> => {
  const step = stepNamed(run, stepName);
  const enrollments = await queryBatch(run.runId, batch);
  const active = enrollments.filter((enrollment) => enrollment.status === 'active');
  const users = await getUsers(active.map((enrollment) => enrollment.userId));
  const outcome: StepOutcome = { step: step.name, channel: step.channel, batch, sent: 0, skipped: {} };
  const tally = (decision: Decision) => {
    if (decision.sent) outcome.sent += 1;
    else outcome.skipped[decision.reason] = (outcome.skipped[decision.reason] ?? 0) + 1;
  };

  for (const enrollment of enrollments) {
    if (enrollment.status === 'converted') tally({ sent: false, reason: 'converted' });
    if (enrollment.status === 'completed') tally({ sent: false, reason: 'enrollment-closed' });
  }
  const limit = pLimit(SEND_CONCURRENCY);
  const decisions = await Promise.all(
    active.map((enrollment) =>
      limit(() => touchOne(run, step, enrollment, users.get(enrollment.userId), senders, now)),
    ),
  );
  decisions.forEach(tally);
  await putStepOutcome(run.runId, outcome);
  return outcome;
};

const touchOne = async (
  run: Run,
  step: ChannelStep,
  enrollment: Enrollment,
  user: User | undefined,
  senders: ChannelSenders,
  now: Date,
): Promise<Decision> => {
  if (user === undefined) return { sent: false, reason: 'user-missing' };
  const conversion = conversionOf(enrollment, user, run.campaign.goal);
  if (conversion) {
    await closeEnrollment(enrollment, { status: 'converted', ...conversion, closedAt: now.toISOString() });
    return { sent: false, reason: 'converted' };
  }
  const reach = addressFor(user, step.channel);
  if ('skip' in reach) return { sent: false, reason: reach.skip };
  // The run waits in the campaign's time zone; each user's own local time still decides.
  if (!isInsideSendWindow(now, run.campaign.sendWindows, user.timeZone)) {
    return { sent: false, reason: 'outside-send-window' };
  }

  const touchId = touchIdOf(run.runId, step.name);
  const sentAt = now.toISOString();
  const claimed = await claimTouch({
    userId: user.userId,
    touchId,
    runId: run.runId,
    step: step.name,
    channel: step.channel,
    status: 'claimed',
    claimedAt: sentAt,
  });
  if (!claimed) return { sent: false, reason: 'already-touched' };

  const copy = copyFor(step, user.locale);
  const message = {
    channel: step.channel,
    address: reach.address,
    userId: user.userId,
    runId: run.runId,
    step: step.name,
    touchId,
    title: copy.title,
    body: copy.body,
    sentAt,
  } as OutboundMessage;
  try {
    const { messageId } = await senders[step.channel].send(message);
    await recordTouchSent({ userId: user.userId, touchId }, messageId, sentAt);
    await recordTouchOnEnrollment(enrollment, step.name, sentAt);
    return { sent: true };
  } catch (error) {
    await recordTouchFailed(
      { userId: user.userId, touchId },
      error instanceof Error ? error.name : 'UnknownError',
    );
    return { sent: false, reason: 'send-failed' };
  }
};
