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
import { putTouchOutcome } from '../data/runs';
import { claimTouchChunk, queryTouchChunks, recordTouchResults, touchIdOf } from '../data/touches';
import { getUsers } from '../data/users';
import { type ContactRecord, claimContact, cooldownOf, recordCooldown } from '../guardrails/contacts';
import type { FrequencyCaps } from '../guardrails/frequency-caps';
import { isQuietHour, type QuietHours } from '../guardrails/quiet-hours';
import { unsubscribeUrlFor } from '../links/unsubscribe-url';
import { sleep } from '../shared/clock';
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
import { isInsideSendWindow } from './send-window';
import { CHUNK_SIZE, nextRung, type Rung, type TouchChunk, type TouchResult } from './touch';

/** Sends in flight per batch worker; the provider's rate, not Lambda, is the limit. */
const SEND_CONCURRENCY = 8;

const RING_RANK = { inner: 0, middle: 1, outer: 2 } as const;
const TIER_RANK = { high: 0, medium: 1, low: 2 } as const;

/** 1 (call first) to 5: valuable, closely bound customers first. */
export const callPriority = (user: User): number =>
  1 + (user.valueTier ? TIER_RANK[user.valueTier] : 2) + (user.ring ? RING_RANK[user.ring] : 2);

/**
 * Sends touch `touch` of the run to one batch. Each active member is re-checked just before the send
 * (converted? which rung of their ladder? inside their own send window?); every chunk of members is
 * claimed before any provider is called, so a retried batch sends nobody twice.
 */
export const sendTouchToBatch = async (
  run: Run,
  touch: number,
  batch: number,
  senders: ChannelSenders,
  sendAt: Date,
  guardrails: Guardrails,
): Promise<TouchOutcome> => {
  const enrollment = await getEnrollmentBatch(run.runId, batch);
  const chunks = await queryTouchChunks(run.runId, batch);
  const histories = historiesOf(
    chunks,
    touch,
    ladderOf(run.campaign).map((step) => step.channel),
  );
  const earlierClaims = new Map(chunks.filter((c) => c.touch === touch).map((c) => [c.chunk, c]));
  const holdout = new Set(enrollment.holdout);
  const outcome: TouchOutcome = { touch, batch, sent: {}, skipped: {}, optedOut: {}, held: 0, active: 0 };
  const tally = (result: TouchResult) => {
    if ('sentAt' in result) outcome.sent[result.channel] = (outcome.sent[result.channel] ?? 0) + 1;
    else outcome.skipped[result.skipped] = (outcome.skipped[result.skipped] ?? 0) + 1;
    if ('skipped' in result && result.skipped === 'opted-out' && result.channel)
      outcome.optedOut[result.channel] = (outcome.optedOut[result.channel] ?? 0) + 1;
    if ('sentAt' in result || !endingReasons.has(result.skipped)) outcome.active += 1;
  };

  const active: string[] = [];
  for (const userId of enrollment.members) {
    const ended = histories.get(userId)?.ended;
    if (holdout.has(userId)) outcome.skipped.holdout = (outcome.skipped.holdout ?? 0) + 1;
    else if (ended) tally({ skipped: ended.reason === 'converted' ? 'converted' : 'ended-earlier' });
    else active.push(userId);
  }
  const limit = pLimit(SEND_CONCURRENCY);

  let holding = false;
  let stopped = false;
  for (const [index, userIds] of chunksOf(active, CHUNK_SIZE).entries()) {
    const earlier = earlierClaims.get(index + 1);
    if (earlier?.results) {
      Object.values(earlier.results).forEach(tally);
      continue;
    }
    // The operator's brakes, read before every chunk: a pause or a stop takes effect before the next chunk,
    // also in a touch already under way. A paused touch leaves its chunks unclaimed for after the resume.
    const brake: ChunkBrake = stopped ? 'stopped' : holding ? 'hold' : await brakeOnChunk(run, touch);
    if (brake === 'hold') {
      holding = true;
      outcome.held += userIds.length;
      outcome.active += userIds.length;
      continue;
    }
    stopped = brake === 'stopped';
    const context = (userId: string): TouchContext => ({
      run,
      touch,
      touchId: touchIdOf(run.runId, batch, touch, index + 1),
      contactRecord: contactRecords.get(userId),
      onContactClaimed: () => claimedContacts.add(userId),
      enrollment,
      history: histories.get(userId),
      senders,
      sendAt,
      guardrails,
    });
    // Read just before the chunk: a change is honoured by the next chunk read after it. Every member is
    // re-checked before the claim; only sends need it, and it names each member's planned rung. A stopped
    // run, or a touch a pause held past its limit, records its members unsent.
    const [users, contactRecords] =
      brake === 'send'
        ? await Promise.all([getUsers(userIds), getContactRecords(userIds)])
        : [new Map<string, UserRecord>(), new Map<string, ContactRecord>()];
    const plans = new Map(
      userIds.map((userId): [string, TouchPlan] => [
        userId,
        brake === 'send' ? planTouch(context(userId), users.get(userId)) : { skipped: brake },
      ]),
    );
    const chunk: TouchChunk = {
      runId: run.runId,
      batch,
      touch,
      chunk: index + 1,
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
    if (earlier || !(await claimTouchChunk(chunk))) {
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
            async () => [userId, 'send' in plan ? await deliver(context(userId), plan.send) : plan] as const,
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
    await recordTouchResults(chunk, results);
    Object.values(results).forEach(tally);
  }
  await putTouchOutcome(run.runId, outcome);
  return outcome;
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
  sendAt: Date;
  guardrails: Guardrails;
  /** The person's contact record as read for the chunk (caps, cool-downs); maybe stale. */
  contactRecord: ContactRecord | undefined;
  onContactClaimed: () => void;
}

/** A member's touch decided before any provider is called: a result already, or a send on a rung. */
type TouchPlan = TouchResult | { send: { user: UserRecord; rung: Rung } };

const planTouch = (context: TouchContext, user: UserRecord | undefined): TouchPlan => {
  const { run, history, sendAt, enrollment } = context;
  if (user === undefined) return { skipped: 'user-missing' };
  const conversion = conversionOf(enrollment.enrolledAt, history, user, run.campaign.goal);
  if (conversion) return { skipped: 'converted', ...conversion };
  const rung = nextRung(run.campaign, user, history?.lastRung ?? -1, enrollment.enrolledAt);
  if (rung === undefined)
    return { skipped: (history?.sent.length ?? 0) > 0 ? 'ladder-exhausted' : 'unreachable' };
  const at = { channel: rung.step.channel, rung: rung.index };
  if (!rung.reachable) return { skipped: 'opted-out', ...at };
  // Quiet hours hold in the user's own time zone, also for a userIds launch across zones. A call touch only
  // queues a task; agents call within calling hours.
  const channel = rung.step.channel;
  if (channel !== 'call' && isQuietHour(sendAt, context.guardrails.quietHours[channel], user.timeZone)) {
    return { skipped: 'quiet-hours', ...at };
  }
  // The run waits in the campaign's time zone; each user's own local time still decides. Call tasks wait
  // in a queue for agents instead.
  if (rung.step.channel !== 'call' && !isInsideSendWindow(sendAt, run.campaign.sendWindows, user.timeZone)) {
    return { skipped: 'outside-send-window', ...at };
  }
  return { send: { user, rung } };
};

/**
 * Sends one message. A provider that refuses because the person opted out (an SMS number on the opt-out
 * list, a push token the platform says is gone) turns the channel off through the one user-write path,
 * so no later touch of any campaign tries again; the touch is an `opted-out` skip.
 */
const deliver = async (context: TouchContext, { user, rung }: { user: UserRecord; rung: Rung }) => {
  const { run, touch, sendAt } = context;
  const at = { channel: rung.step.channel, rung: rung.index };
  const composed = composeMessage(context, rung.step, user);
  // Every email carries its signed one-click unsubscribe link (header and footer).
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
      },
      context.guardrails.frequencyCaps,
      cooldownOf(run),
    ))
  ) {
    return { skipped: 'frequency-capped' as const };
  }
  context.onContactClaimed();
  try {
    const sent = await sendRetryingThrottles(context.senders, message);
    if (sent.replacedPushToken && user.push) {
      await update('push-token-updated', { push: { ...user.push, token: sent.replacedPushToken } });
    }
    return { ...at, variant: message.variant, messageId: sent.messageId, sentAt: message.sentAt };
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

/** Backoff between tries of a throttled send: the provider takes it once its rate allows. */
const THROTTLE_BACKOFF_MS = [250, 500, 1_000, 2_000, 4_000];

/**
 * Sends, trying again with growing pauses while the provider throttles (its refusal means nothing was
 * sent). Still throttled after the last pause, the send fails.
 */
const sendRetryingThrottles = async (senders: ChannelSenders, message: OutboundMessage) => {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await senders[message.channel].send(message as never);
    } catch (error) {
      const pause = THROTTLE_BACKOFF_MS[attempt];
      if (!(error instanceof ProviderThrottled) || pause === undefined) throw error;
      // Full jitter: workers throttled together do not retry together.
      await sleep(Math.round(pause * (0.5 + Math.random() / 2)));
    }
  }
};

/** Renders the step's copy (or the user's variant of it) for the user's locale and offer. */
const composeMessage = (context: TouchContext, step: ChannelStep, user: UserRecord): OutboundMessage => {
  const { run, touch, touchId, sendAt } = context;
  const variants = (step.variants as
    | { id: string; weight: number; template: typeof step.template }[]
    | undefined) ?? [{ id: 'default', weight: 1, template: step.template }];
  const variant = pickVariant(variants, `${run.runId}|${step.channel}|${user.userId}`);
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
        lastTouches: (context.history?.sent ?? []).map(({ channel, sentAt }) => ({ channel, sentAt })),
        expiresAt:
          DateTime.fromJSDate(sendAt).plus({ days: run.campaign.callWindowDays }).toUTC().toISO() ?? '',
      };
  }
};
