import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { DateTime } from 'luxon';
import pLimit from 'p-limit';
import {
  type ChannelSenders,
  type OutboundMessage,
  ProviderThrottled,
  RecipientOptedOut,
} from '../channels/channel';
import { chunk as chunksOf } from '../data/batch';
import { getContactRecords } from '../data/contacts';
import { getEnrollmentBatch } from '../data/enrollments';
import { touchIdOf } from '../data/keys';
import { getTouchOutcome, putTouchOutcome } from '../data/runs';
import { claimTouchChunk, queryTouchChunks, recordTouchResults } from '../data/touches';
import { getUsers } from '../data/users';
import { type ContactRecord, claimContact, cooldownOf, recordCooldown } from '../guardrails/contacts';
import type { FrequencyCaps } from '../guardrails/frequency-caps';
import { isQuietHour, type QuietHours } from '../guardrails/quiet-hours';
import { unsubscribeUrlFor, withTrackedLinks } from '../links/message-links';
import { BRAKES_FRESH_MS } from '../operations/pause-limit';
import {
  isPaced,
  nextFreeSlot,
  type PacedChannel,
  type PendingReason,
  reserveChunk,
  reserveRetry,
  SEND_BUDGET_MS,
} from '../pacing/pacer';
import type { SendRates } from '../pacing/send-rates';
import { sleepUntil } from '../shared/clock';
import { logger } from '../shared/powertools';
import type { ProfileFields } from '../users/profile';
import type { User, UserRecord } from '../users/user';
import { applyUserUpdate } from '../users/user-update';
import { pickVariant } from './assignment';
import { copyForLocale, renderCopy } from './copy';
import { type ChannelStep, ladderOf } from './definition';
import {
  conversionOf,
  type EnrollmentBatch,
  endingReasons,
  historiesOf,
  type MemberHistory,
} from './enrollment';
import { brakeOnChunk, type ChunkBrake } from './hold';
import type { Run, TouchOutcome } from './run';
import { isInsideSendWindow, nextSendMoment, sendWindowEnd } from './send-window';
import { CHUNK_SIZE, nextRung, type Rung, type TouchChunk, type TouchResult } from './touch';

/** Sends in flight per batch worker; the provider's rate, not Lambda, is the limit. */
const SEND_CONCURRENCY = 8;

/** A chunk of members retried after a throttled send is numbered past every first chunk. */
const RETRY_CHUNK_STRIDE = 10_000;

/** Results that are not a member's last word on a touch: the next pass (or the resume) sends them. */
const isRetried = (result: TouchResult) =>
  'skipped' in result && (result.skipped === 'throttled' || result.skipped === 'held');

const RING_RANK = { inner: 0, middle: 1, outer: 2 } as const;
const TIER_RANK = { high: 0, medium: 1, low: 2 } as const;

/** 1 (call first) to 5: valuable, closely bound customers first. */
export const callPriority = (user: User): number =>
  1 + (user.valueTier ? TIER_RANK[user.valueTier] : 2) + (user.ring ? RING_RANK[user.ring] : 2);

/**
 * How a send step paces its providers. Without it (a dry run, which hands nothing to a provider) it sends as
 * fast as it goes.
 */
export interface Pacing {
  rates: SendRates;
  /** `window-missed`: the touch ran out of send windows; the members not yet sent are recorded so. */
  mode: 'send' | 'window-missed';
}

/** Members of one chunk (or of a chunk's retry) that this pass may claim and send. */
interface Unit {
  chunk: number;
  index: number;
  userIds: string[];
}

/**
 * Sends touch `touch` of the run to one batch. Each active member is re-checked just before the send
 * (converted? which rung of their ladder? inside their own send window and outside quiet hours at the moment
 * of the send?); every chunk of members is claimed before any provider is called, so a retried batch sends
 * nobody twice. With pacing, each chunk's sends get slots on the providers' shared ledgers (never above the
 * configured rate, whoever else sends) that end before the worker's deadline and the end of the send window;
 * chunks that do not fit stay unclaimed, `pending`, for the run's next pass or next send window.
 */
export const sendTouchToBatch = async (
  run: Run,
  touch: number,
  batch: number,
  senders: ChannelSenders,
  sendAt: Date,
  guardrails: Guardrails,
  pacing?: Pacing,
): Promise<TouchOutcome> => {
  const deadline = new Date(sendAt.getTime() + SEND_BUDGET_MS);
  const windowEnd = sendWindowEnd(sendAt, run.campaign.sendWindows, run.timeZone);
  if (pacing?.mode === 'send') {
    const until =
      windowEnd < deadline
        ? { at: windowEnd, reason: 'window' as const }
        : { at: deadline, reason: 'deadline' as const };
    const unchanged = await stillBlocked(run, touch, batch, sendAt, until);
    if (unchanged) {
      await putTouchOutcome(run.runId, unchanged);
      return unchanged;
    }
  }
  const enrollment = await getEnrollmentBatch(run.runId, batch);
  const chunks = await queryTouchChunks(run.runId, batch);
  const histories = historiesOf(
    chunks,
    touch,
    ladderOf(run.campaign).map((step) => step.channel),
  );
  const earlierClaims = new Map(chunks.filter((c) => c.touch === touch).map((c) => [c.chunk, c]));
  const holdout = new Set(enrollment.holdout);
  const outcome: TouchOutcome = {
    touch,
    batch,
    sent: {},
    skipped: {},
    optedOut: {},
    held: 0,
    pending: 0,
    active: 0,
    throttleRetries: 0,
    finishedAt: sendAt.toISOString(),
  };
  const tally = (result: TouchResult) => {
    if ('sentAt' in result) {
      outcome.sent[result.channel] = (outcome.sent[result.channel] ?? 0) + 1;
      if (outcome.firstSentAt === undefined || result.sentAt < outcome.firstSentAt)
        outcome.firstSentAt = result.sentAt;
      if (outcome.lastSentAt === undefined || result.sentAt > outcome.lastSentAt)
        outcome.lastSentAt = result.sentAt;
    } else outcome.skipped[result.skipped] = (outcome.skipped[result.skipped] ?? 0) + 1;
    if ('skipped' in result && result.skipped === 'opted-out' && result.channel)
      outcome.optedOut[result.channel] = (outcome.optedOut[result.channel] ?? 0) + 1;
    if ('sentAt' in result || !endingReasons.has(result.skipped)) outcome.active += 1;
  };
  const leavePending = (userIds: readonly string[]) => {
    outcome.pending += userIds.length;
    outcome.active += userIds.length;
  };

  const active: string[] = [];
  for (const userId of enrollment.members) {
    const ended = histories.get(userId)?.ended;
    if (holdout.has(userId)) outcome.skipped.holdout = (outcome.skipped.holdout ?? 0) + 1;
    else if (ended) tally({ skipped: ended.reason === 'converted' ? 'converted' : 'ended-earlier' });
    else active.push(userId);
  }

  // What is left of each chunk for this pass: the chunk itself if unclaimed, else the members its last try
  // left throttled (a retry chunk of their own). A claim without results died mid-chunk: never re-sent.
  const units: Unit[] = [];
  for (const [index, userIds] of chunksOf(active, CHUNK_SIZE).entries()) {
    let unit: Unit | undefined = { chunk: index + 1, index, userIds };
    for (let retry = 0; unit !== undefined; retry += 1) {
      const earlier = earlierClaims.get(unit.chunk);
      if (earlier === undefined) break;
      if (earlier.results === undefined) {
        for (const _ of unit.userIds) tally({ skipped: 'already-claimed' });
        unit = undefined;
        break;
      }
      outcome.throttleRetries += earlier.throttleRetries ?? 0;
      const throttled = Object.entries(earlier.results).flatMap(([userId, result]) =>
        isRetried(result) ? [userId] : [],
      );
      Object.values(earlier.results)
        .filter((result) => !isRetried(result))
        .forEach(tally);
      unit =
        throttled.length > 0
          ? { chunk: index + 1 + (retry + 1) * RETRY_CHUNK_STRIDE, index, userIds: throttled }
          : undefined;
    }
    if (unit) units.push(unit);
  }

  const limit = pLimit(SEND_CONCURRENCY);
  // The brakes as last read (or being read), and the moment (send slot) they were read for: sends in flight
  // together share one read.
  let brakes: { at: number; brake: Promise<ChunkBrake> } | undefined;
  const brakeAt = (at: Date, reread = false): Promise<ChunkBrake> => {
    if (reread || brakes === undefined || at.getTime() - brakes.at > BRAKES_FRESH_MS) {
      brakes = { at: at.getTime(), brake: brakeOnChunk(run, touch) };
    }
    return brakes.brake;
  };
  // The worker's own time: the end of the last chunk's slots.
  let cursor = sendAt;
  let holding = false;
  let stopped = false;
  let pending: { reason: PendingReason; resumeAt: Date; channel?: PacedChannel } | undefined;
  for (const { chunk: chunkNumber, userIds } of units) {
    // A pass that starts outside the run's send windows (a redrive hours after the failure, a worker that
    // started late) sends nobody now: the members stay pending, and the run carries them to the next window.
    if (
      !pending &&
      pacing?.mode === 'send' &&
      !isInsideSendWindow(cursor, run.campaign.sendWindows, run.timeZone)
    ) {
      pending = {
        reason: 'window',
        resumeAt: nextSendMoment(cursor, run.campaign.sendWindows, run.timeZone),
      };
    }
    if (pending) {
      leavePending(userIds);
      continue;
    }
    // The operator's brakes, read before every chunk and again before any send more than a second (of send
    // slots) after the last read: a pause or a stop takes effect within a second, also in a touch under way.
    // A paused touch leaves its chunks unclaimed for after the resume.
    // A dry run renders as of its planned moments and waits for none of them.
    if (pacing) await sleepUntil(cursor);
    const brake: ChunkBrake | 'window-missed' = stopped
      ? 'stopped'
      : holding
        ? 'hold'
        : pacing?.mode === 'window-missed'
          ? await brakeAt(cursor, true).then((b) => (b === 'send' ? 'window-missed' : b))
          : await brakeAt(cursor, true);
    if (brake === 'hold') {
      holding = true;
      outcome.held += userIds.length;
      outcome.active += userIds.length;
      continue;
    }
    stopped = brake === 'stopped';
    const touchId = touchIdOf(run.runId, batch, touch, chunkNumber);
    // This chunk's sends throttled and tried again: recorded with its results, summed over every pass.
    let chunkRetries = 0;
    const context = (userId: string, at: Date): TouchContext => ({
      run,
      touch,
      touchId,
      contactRecord: contactRecords.get(userId),
      onContactClaimed: () => claimedContacts.add(userId),
      enrollment,
      history: histories.get(userId),
      senders,
      sendAt: at,
      deadline,
      guardrails,
      pacing,
      onThrottled: () => {
        chunkRetries += 1;
      },
      brakeAt,
    });
    // Read just before the chunk: a change is honoured by the next chunk read after it. Every member is
    // re-checked before the claim; only sends need it, and it names each member's planned rung. A stopped
    // run, a touch a pause held past its limit or one out of send windows records its members unsent.
    const [users, contactRecords] =
      brake === 'send'
        ? await Promise.all([getUsers(userIds), getContactRecords(userIds)])
        : [new Map<string, UserRecord>(), new Map<string, ContactRecord>()];
    const plans = new Map(
      userIds.map((userId): [string, TouchPlan] => [
        userId,
        brake === 'send' ? planTouch(context(userId, cursor), users.get(userId)) : { skipped: brake },
      ]),
    );
    // Each send's moment: its slot on the provider's ledger, or now when nothing paces it.
    const slotOf = new Map<string, Date>();
    if (pacing && brake === 'send') {
      const counts: Partial<Record<PacedChannel, number>> = {};
      for (const plan of plans.values()) {
        const channel = 'send' in plan ? plan.send.rung.step.channel : undefined;
        if (channel && isPaced(channel)) counts[channel] = (counts[channel] ?? 0) + 1;
      }
      const until = windowEnd < deadline ? windowEnd : deadline;
      const reserved = await reserveChunk(
        counts,
        pacing.rates,
        cursor,
        until,
        windowEnd < deadline ? 'window' : 'deadline',
      );
      if ('pending' in reserved) {
        pending = { reason: reserved.pending, resumeAt: reserved.resumeAt, channel: reserved.channel };
        leavePending(userIds);
        continue;
      }
      const next = new Map([...reserved.slots].map(([channel, times]) => [channel, times.values()]));
      for (const [userId, plan] of plans) {
        const channel = 'send' in plan ? plan.send.rung.step.channel : undefined;
        const slot = channel && isPaced(channel) ? next.get(channel)?.next().value : undefined;
        if (slot) slotOf.set(userId, slot);
      }
      cursor = reserved.last;
    }
    const chunk: TouchChunk = {
      runId: run.runId,
      batch,
      touch,
      chunk: chunkNumber,
      userIds,
      status: 'claimed',
      claimedAt: sendAt.toISOString(),
      plannedRungs: Object.fromEntries(
        [...plans].flatMap(([userId, plan]) => {
          const rung = 'send' in plan ? plan.send.rung.index : plan.rung;
          return rung === undefined ? [] : [[userId, rung]];
        }),
      ),
    };
    if (!(await claimTouchChunk(chunk))) {
      // Claimed by an attempt that did not finish: reported, never re-sent.
      for (const _ of userIds) tally({ skipped: 'already-claimed' });
      continue;
    }
    // Members whose contact claim went through (their cool-down with it), sent or not after it.
    const claimedContacts = new Set<string>();
    const results = Object.fromEntries(
      await Promise.all(
        [...plans].map(([userId, plan]) =>
          limit(
            async () =>
              [
                userId,
                'send' in plan
                  ? await deliver(context(userId, slotOf.get(userId) ?? cursor), plan.send)
                  : plan,
              ] as const,
          ),
        ),
      ),
    );
    // The enrollment's cool-down rides on each send's contact claim; touch 1 records it for the rest.
    const cooldown = cooldownOf(run);
    if (touch === 1 && cooldown) {
      for (const userId of userIds.filter((member) => !claimedContacts.has(member))) {
        await recordCooldown(contactRecords.get(userId), userId, cooldown);
      }
    }
    await recordTouchResults(chunk, results, chunkRetries);
    outcome.throttleRetries += chunkRetries;
    for (const [userId, result] of Object.entries(results)) {
      // Still throttled when the worker's time ran out: nothing was sent, the next pass tries again. Held by a
      // pause that began while the chunk was sent: sent after the resume.
      if ('skipped' in result && result.skipped === 'throttled') leavePending([userId]);
      else if ('skipped' in result && result.skipped === 'held') {
        holding = true;
        outcome.held += 1;
        outcome.active += 1;
      } else tally(result);
      if ('sentAt' in result && result.sentAt > cursor.toISOString()) cursor = new Date(result.sentAt);
    }
  }
  if (pending) {
    outcome.pendingReason = pending.reason;
    outcome.resumeAt = pending.resumeAt.toISOString();
    if (pending.channel) outcome.blockedOn = pending.channel;
  } else if (outcome.pending > 0) {
    // Only throttled sends are left: the next pass tries them again as soon as it can.
    outcome.pendingReason = 'deadline';
    outcome.resumeAt = cursor.toISOString();
  }
  outcome.finishedAt = cursor.toISOString();
  await putTouchOutcome(run.runId, outcome);
  return outcome;
};

/**
 * A quick look for a worker whose last pass stopped at a full ledger: if that provider is still booked past
 * this pass's deadline (or the window's end), its first unsent chunk cannot go now either, so the last pass's
 * outcome stands, with the new moment to resume. Three small reads instead of the batch and its touch
 * records: most workers of a slow provider's touch find it so in most passes. A pause or a stop is left to
 * a worker that sends (reading the batch), as before.
 */
const stillBlocked = async (
  run: Run,
  touch: number,
  batch: number,
  sendAt: Date,
  until: { at: Date; reason: 'deadline' | 'window' },
): Promise<TouchOutcome | undefined> => {
  const last = await getTouchOutcome(run.runId, touch, batch);
  if (!last?.blockedOn || last.pending === 0 || (last.held ?? 0) > 0) return undefined;
  const [freeAt, brake] = await Promise.all([nextFreeSlot(last.blockedOn), brakeOnChunk(run, touch)]);
  if (freeAt < until.at || brake !== 'send') return undefined;
  return {
    ...last,
    pendingReason: until.reason,
    resumeAt: freeAt.toISOString(),
    finishedAt: sendAt.toISOString(),
  };
};

/** The stack-wide rules every send obeys, whatever a campaign or a console launch says. */
export interface Guardrails {
  quietHours: QuietHours;
  frequencyCaps: FrequencyCaps;
}

interface TouchContext {
  run: Run;
  touch: number;
  touchId: string;
  enrollment: EnrollmentBatch;
  history: MemberHistory | undefined;
  senders: ChannelSenders;
  /** The moment of the send: its slot on the provider's ledger. */
  sendAt: Date;
  /** The worker's deadline: a throttled send is tried again only before it. */
  deadline: Date;
  guardrails: Guardrails;
  pacing: Pacing | undefined;
  onThrottled: () => void;
  /** The operator's brakes as of a send slot (read again when the last read is more than a second older). */
  brakeAt: (at: Date) => Promise<ChunkBrake>;
  /** The person's contact record as read for the chunk (caps, cool-downs); maybe stale. */
  contactRecord: ContactRecord | undefined;
  onContactClaimed: () => void;
}

/** A member's touch decided before any provider is called: a result already, or a send on a rung. */
type TouchPlan = TouchResult | { send: { user: UserRecord; rung: Rung } };

const planTouch = (context: TouchContext, user: UserRecord | undefined): TouchPlan => {
  const { run, history, enrollment } = context;
  if (user === undefined) return { skipped: 'user-missing' };
  const conversion = conversionOf(enrollment.enrolledAt, history, user, run.campaign.goal);
  if (conversion) return { skipped: 'converted', ...conversion };
  const rung = nextRung(run.campaign, user, history?.lastRung ?? -1, enrollment.enrolledAt);
  if (rung === undefined)
    return { skipped: (history?.sent.length ?? 0) > 0 ? 'ladder-exhausted' : 'unreachable' };
  const at = { channel: rung.step.channel, rung: rung.index };
  if (!rung.reachable) return { skipped: 'opted-out', ...at };
  const outsideHours = timeRuleAt(context, rung, user);
  return outsideHours ? { skipped: outsideHours, ...at } : { send: { user, rung } };
};

/** Whether the moment of the send lies outside the hours this user may get the touch. */
const timeRuleAt = (context: TouchContext, rung: Rung, user: UserRecord) => {
  const { sendAt, run } = context;
  // Quiet hours hold in the user's own time zone, also for a userIds launch across zones. A call touch only
  // queues a task; agents call within calling hours.
  const channel = rung.step.channel;
  if (channel !== 'call' && isQuietHour(sendAt, context.guardrails.quietHours[channel], user.timeZone)) {
    return 'quiet-hours' as const;
  }
  // The run waits in the campaign's time zone; each user's own local time still decides. Call tasks wait
  // in a queue for agents instead.
  if (channel !== 'call' && !isInsideSendWindow(sendAt, run.campaign.sendWindows, user.timeZone)) {
    return 'outside-send-window' as const;
  }
  return undefined;
};

/**
 * Sends one message. A provider that refuses because the person opted out (an SMS number on the opt-out
 * list, a push token the platform says is gone) turns the channel off through the one user-write path,
 * so no later touch of any campaign tries again; the touch is an `opted-out` skip.
 */
const deliver = async (context: TouchContext, { user, rung }: { user: UserRecord; rung: Rung }) => {
  const { run, touch, sendAt } = context;
  const at = { channel: rung.step.channel, rung: rung.index };
  // The send's slot: on AWS the worker waits for it; the brakes and the rules of the hour are checked again.
  if (context.pacing) await sleepUntil(sendAt);
  const brake = await context.brakeAt(sendAt);
  if (brake === 'hold') return { skipped: 'held' as const };
  if (brake !== 'send') return { skipped: brake };
  const outsideHours = timeRuleAt(context, rung, user);
  if (outsideHours) return { skipped: outsideHours, ...at };
  // Every link of the copy becomes a tracked link; every email carries its signed one-click unsubscribe
  // link (header and footer).
  const composed = await withTrackedLinks(composeMessage(context, rung.step, user));
  const message =
    composed.channel === 'email'
      ? {
          ...composed,
          unsubscribeUrl: await unsubscribeUrlFor({ userId: user.userId, campaignId: run.campaign.id }),
        }
      : composed;
  // What the provider said concerns the address it was sent to: it lands only while that is still theirs.
  const stillAddressed = (current: UserRecord) =>
    isDeepStrictEqual(composeMessage(context, rung.step, current).address, message.address);
  const update = async (source: string, fields: ProfileFields) => {
    try {
      await applyUserUpdate({
        userId: user.userId,
        occurredAt: sendAt.toISOString(),
        source,
        eventId: `${context.touchId}#${user.userId}`,
        fields,
        ifMissing: 'ignore',
        appliesTo: stillAddressed,
      });
    } catch (error) {
      // The send's result must still be recorded; the provider will say it again at the next send.
      logger.error('User update after a send failed', {
        runId: run.runId,
        touch,
        userId: user.userId,
        source,
        error: error instanceof Error ? error.name : 'unknown',
      });
    }
  };
  // The caps span every campaign and run, so they are claimed per send, just before it (a dry run claims
  // nothing). A capped touch takes no ladder step: the next touch offers this one again.
  if (
    !run.dryRun &&
    !(await claimContact(
      context.contactRecord,
      {
        userId: user.userId,
        channel: message.channel,
        at: sendAt,
        timeZone: user.timeZone,
        runId: run.runId,
        touch,
      },
      context.guardrails.frequencyCaps,
      cooldownOf(run),
    ))
  ) {
    return { skipped: 'frequency-capped' as const };
  }
  context.onContactClaimed();
  try {
    const sent = await sendRetryingThrottles(context, message);
    if (sent === 'throttled') return { skipped: 'throttled' as const, channel: message.channel };
    if (sent.replacedPushToken && user.push) {
      await update('push-token-updated', { push: { ...user.push, token: sent.replacedPushToken } });
    }
    return { ...at, variant: message.variant, messageId: sent.messageId, sentAt: sent.sentAt };
  } catch (error) {
    if (error instanceof RecipientOptedOut) {
      await update(error.source, error.fields);
      return { skipped: 'opted-out' as const, ...at };
    }
    // The error's name only: provider messages may repeat the address.
    logger.warn('Send failed', {
      runId: run.runId,
      touch,
      channel: message.channel,
      error: error instanceof Error ? error.name : 'unknown',
    });
    return { skipped: 'send-failed' as const, ...at };
  }
};

/** Backoff before the next try of a throttled send; the last pause repeats until the worker's deadline. */
const THROTTLE_BACKOFF_MS = [250, 500, 1_000, 2_000, 4_000, 8_000];

/**
 * Sends, trying again while the provider throttles (its refusal means nothing was sent). Paced, each try
 * after a jittered backoff takes a fresh slot on the provider's ledger, so the retries stay within the rate
 * too; when no slot is left before the worker's deadline the member stays `throttled`, for the next pass.
 * Unpaced (a dry run) it gives up after the last pause, as a failed send.
 */
const sendRetryingThrottles = async (
  context: TouchContext,
  message: OutboundMessage,
): Promise<{ messageId: string; replacedPushToken?: string; sentAt: string } | 'throttled'> => {
  let attempt = message;
  for (let tries = 0; ; tries += 1) {
    try {
      const sent = await context.senders[attempt.channel].send(attempt as never);
      return { ...sent, sentAt: attempt.sentAt };
    } catch (error) {
      if (!(error instanceof ProviderThrottled)) throw error;
      context.onThrottled();
      const backoff = THROTTLE_BACKOFF_MS[Math.min(tries, THROTTLE_BACKOFF_MS.length - 1)] ?? 0;
      // Jitter: workers throttled together do not retry together. Drawn from the member and the try, not at
      // random, so that a replay of the same world (a chaos run, a test) retries at the same moments.
      const jitter = createHash('sha256').update(`${attempt.touchId}|${attempt.userId}|${tries}`).digest();
      const notBefore = new Date(
        Date.parse(attempt.sentAt) + Math.round(backoff * (0.5 + jitter.readUInt32BE(0) / 2 ** 33)),
      );
      if (!context.pacing) {
        if (tries + 1 >= THROTTLE_BACKOFF_MS.length) throw error;
        await sleepUntil(notBefore);
        continue;
      }
      if (!isPaced(attempt.channel)) throw error;
      const slot = await reserveRetry(attempt.channel, context.pacing.rates, notBefore, context.deadline);
      if (slot === undefined) return 'throttled';
      await sleepUntil(slot);
      attempt = { ...attempt, sentAt: slot.toISOString() };
    }
  }
};

/** The user's copy variant of a step: the same one every time for the same run, channel and user. */
const variantOf = (run: Run, step: ChannelStep, userId: string) => {
  const variants = (step.variants as
    | { id: string; weight: number; template: typeof step.template }[]
    | undefined) ?? [{ id: 'default', weight: 1, template: step.template }];
  return pickVariant(variants, `${run.runId}|${step.channel}|${userId}`);
};

/**
 * What an earlier touch on `channel` said to the user, for the agent who calls: the same variant, locale and
 * offer, its tracked links shown by destination.
 */
const earlierCopy = (run: Run, channel: ChannelStep['channel'], user: UserRecord): string | undefined => {
  const step = ladderOf(run.campaign).find((candidate) => candidate.channel === channel);
  if (step === undefined) return undefined;
  const copy = renderCopy(
    copyForLocale(variantOf(run, step, user.userId).template, user.locale) as Record<string, string>,
    step.offer,
    user.locale,
  );
  const { link: _link, ...texts } = copy;
  return Object.values(texts)
    .join(' — ')
    .replace(/\{link:([a-z0-9-]+)\}/g, '[link: $1]');
};

/** Renders the step's copy (or the user's variant of it) for the user's locale and offer. */
const composeMessage = (context: TouchContext, step: ChannelStep, user: UserRecord): OutboundMessage => {
  const { run, touch, touchId, sendAt } = context;
  const variant = variantOf(run, step, user.userId);
  const copy = renderCopy(
    copyForLocale(variant.template, user.locale) as Record<string, string>,
    step.offer,
    user.locale,
  );
  const base = {
    userId: user.userId,
    campaignId: run.campaign.id,
    runId: run.runId,
    touch,
    touchId,
    variant: variant.id,
    sentAt: sendAt.toISOString(),
  };
  switch (step.channel) {
    case 'push':
      return {
        ...base,
        channel: 'push',
        address: user.push as NonNullable<User['push']>,
        title: copy.title ?? '',
        body: copy.body ?? '',
        ...(copy.link ? { link: copy.link } : {}),
      };
    case 'sms':
      return { ...base, channel: 'sms', address: { phone: user.contact.phone ?? '' }, body: copy.body ?? '' };
    case 'email':
      return {
        ...base,
        channel: 'email',
        address: { email: user.contact.email ?? '' },
        subject: copy.subject ?? '',
        body: copy.body ?? '',
        // Signed by `deliver`, which may wait for the signing keys.
        unsubscribeUrl: '',
      };
    case 'call':
      return {
        ...base,
        channel: 'call',
        address: { phone: user.contact.phone ?? '' },
        script: copy.script ?? '',
        queue: step.queue,
        priority: callPriority(user),
        ...(step.offer ? { offer: step.offer } : {}),
        lastTouches: (context.history?.sent ?? []).map(({ channel, sentAt }) => ({
          channel,
          sentAt,
          copy: earlierCopy(run, channel, user),
        })),
        timeZone: user.timeZone,
        expiresAt:
          DateTime.fromJSDate(sendAt).plus({ days: run.campaign.callWindowDays }).toUTC().toISO() ?? '',
      };
  }
};
