import type { Channel, Goal } from '../functions/campaign/definition';
import type { AppEvent } from '../functions/users/app-event';
import type { InboundEvent } from './inbound-events';
import type { SmsReply } from './inbound-feed';
import { randomStream } from './random';

/**
 * What the simulated world does: people's app events, SMS replies and unsubscribe clicks, and the sandbox
 * providers' delivery and engagement events (local/provider-events.ts).
 */
export type SimulatedEvent =
  | AppEvent
  | SmsReply
  | Extract<InboundEvent, { type: 'unsubscribe' | 'ses-event' | 'sms-event' }>;

/** A message or call task as the simulated user receives it. */
export interface Delivery {
  messageId: string;
  userId: string;
  campaignId: string;
  channel: Channel;
  touchId: string;
  sentAt: string;
  /** Emails only: the link of the one-click unsubscribe. */
  unsubscribeUrl?: string;
  /** The recipient's locale: an opt-out reply is STOP or BAJA. */
  locale?: string;
  /** The copy variant the message used. */
  variant?: string;
  /** The address a provider reports on (its events name the recipient); never in the outbox. */
  email?: string;
  phone?: string;
}

/** How people answer a touch on one channel. */
export interface ChannelResponse {
  /** Share of recipients who click the link (for a call: who pick up and listen). */
  click: number;
  /** Share of those who then reach the campaign's goal (field target for logins: 80–90%). */
  goalAfterClick: number;
  /** Mean minutes from delivery to click. */
  meanMinutesToClick: number;
  /**
   * Share of recipients who leave the channel instead: push → uninstall (the app reports push: null), SMS →
   * reply STOP (BAJA in Spanish), email → one-click unsubscribe, call → ask not to be called again.
   */
  optOut: number;
}

/** Plausible rates for dormant lending users: push and calls convert best, email least. */
export const defaultResponses: Record<Channel, ChannelResponse> = {
  push: { click: 0.12, goalAfterClick: 0.6, meanMinutesToClick: 90, optOut: 0.02 },
  sms: { click: 0.07, goalAfterClick: 0.5, meanMinutesToClick: 180, optOut: 0.03 },
  email: { click: 0.03, goalAfterClick: 0.4, meanMinutesToClick: 600, optOut: 0.02 },
  call: { click: 0.35, goalAfterClick: 0.3, meanMinutesToClick: 1440, optOut: 0.03 },
};

const MINUTE = 60_000;
/** Share of push recipients who turn promotional SMS and email off in the app's settings. */
const SETTINGS_OPT_OUT_AFTER_PUSH = 0.03;
/** Share of dormant users with a push registration who uninstalled the app since it was stored. */
const UNINSTALLED_SINCE = 0.1;
const DAY = 24 * 60 * MINUTE;

/** An enrolled user, whom the simulator may let convert on their own, messaged or not. */
export interface Enrollee {
  userId: string;
  campaignId: string;
  enrolledAt: string;
}

/** What the local runtime asks of simulated users as its clock passes. */
export interface SimulatedUsers {
  observeEnrollees(enrollees: readonly Enrollee[], goalOf: (campaignId: string) => Goal): void;
  observe(deliveries: readonly Delivery[], goalOf: (campaignId: string) => Goal): void;
  /** Removes and returns the events that happen by `time`, oldest first. */
  takeEventsUpTo(time: Date): SimulatedEvent[];
}

/**
 * Simulated users: after each touch the recipient may click and then log in and reach the campaign's
 * goal, drawn from a seeded stream per message, so the same seed gives the same campaign. Their events
 * go to the local runtime, which feeds them through the real ingestion handler as the clock passes them.
 */
export class UserSimulator implements SimulatedUsers {
  private readonly seen = new Set<string>();
  private queue: SimulatedEvent[] = [];
  private readonly responses: Record<Channel, ChannelResponse>;

  private readonly organic = new Set<string>();

  /**
   * @param organicGoalRate share of enrolled users who reach the goal on their own within `organicDays`
   * of enrolling, touched or not: the baseline a holdout measures lift against.
   */
  constructor(
    private readonly seed: number,
    responses: Partial<Record<Channel, Partial<ChannelResponse>>> = {},
    private readonly organicGoalRate = 0.03,
    private readonly organicDays = 10,
  ) {
    this.responses = Object.fromEntries(
      Object.entries(defaultResponses).map(([channel, response]) => [
        channel,
        { ...response, ...responses[channel as Channel] },
      ]),
    ) as Record<Channel, ChannelResponse>;
  }

  /** Plans the reactions to deliveries not seen before; `goalOf` names each campaign's goal event. */
  observe(deliveries: readonly Delivery[], goalOf: (campaignId: string) => Goal): void {
    for (const delivery of deliveries) {
      if (this.seen.has(delivery.messageId)) continue;
      this.seen.add(delivery.messageId);
      const response = this.responses[delivery.channel];
      const random = randomStream(this.seed, delivery.messageId);
      // Drawn from a stream of its own, so adding opt-outs left every click and conversion as it was.
      const leaving = randomStream(this.seed, `opt-out|${delivery.messageId}`);
      if (leaving.chance(response.optOut)) {
        this.queue.push(this.optOutAfter(delivery, leaving.exponential(response.meanMinutesToClick)));
        continue;
      }
      // Some people a push annoyed open the app's settings and turn off promotional SMS and email.
      if (delivery.channel === 'push' && leaving.chance(SETTINGS_OPT_OUT_AFTER_PUSH)) {
        const occurredAt = new Date(
          Date.parse(delivery.sentAt) + leaving.exponential(120) * MINUTE,
        ).toISOString();
        for (const channel of ['sms', 'email'] as const) {
          this.queue.push({
            type: 'consent',
            userId: delivery.userId,
            channel,
            granted: false,
            source: 'app-settings',
            occurredAt,
          });
        }
        continue;
      }
      if (!random.chance(response.click)) continue;
      const clickAt = Date.parse(delivery.sentAt) + random.exponential(response.meanMinutesToClick) * MINUTE;
      const event = (type: AppEvent['type'], at: number) =>
        ({ type, userId: delivery.userId, occurredAt: new Date(at).toISOString() }) as AppEvent;
      if (delivery.channel !== 'call')
        this.queue.push({ ...event('click', clickAt), touchId: delivery.touchId } as AppEvent);
      if (!random.chance(response.goalAfterClick)) continue;
      const loginAt = clickAt + random.integer(1, 10) * MINUTE;
      this.queue.push(event('login', loginAt));
      const goal = goalOf(delivery.campaignId);
      if (goal !== 'login') this.queue.push(event(goal, loginAt + random.integer(2, 30) * MINUTE));
    }
  }

  /** How a person leaves the channel that just reached them, `minutes` after it did. */
  private optOutAfter(delivery: Delivery, minutes: number): SimulatedEvent {
    const occurredAt = new Date(Date.parse(delivery.sentAt) + minutes * MINUTE).toISOString();
    const { userId } = delivery;
    switch (delivery.channel) {
      case 'push':
        return { type: 'profile', userId, occurredAt, push: null };
      case 'sms':
        return {
          type: 'sms-reply',
          userId,
          occurredAt,
          body: delivery.locale?.startsWith('es') ? 'BAJA' : 'STOP',
        };
      case 'email':
        return delivery.unsubscribeUrl
          ? { type: 'unsubscribe', occurredAt, url: delivery.unsubscribeUrl }
          : { type: 'consent', userId, channel: 'email', granted: false, source: 'app-settings', occurredAt };
      case 'call':
        return {
          type: 'consent',
          userId,
          channel: 'call',
          granted: false,
          source: 'do-not-call',
          occurredAt,
        };
    }
  }

  /** Plans the unprompted conversions of enrollees not seen before. */
  observeEnrollees(enrollees: readonly Enrollee[], goalOf: (campaignId: string) => Goal): void {
    for (const enrollee of enrollees) {
      const key = `${enrollee.campaignId}|${enrollee.userId}`;
      if (this.organic.has(key)) continue;
      this.organic.add(key);
      const random = randomStream(this.seed, `organic|${key}`);
      if (!random.chance(this.organicGoalRate)) continue;
      const at = Date.parse(enrollee.enrolledAt) + random.fraction() * this.organicDays * DAY;
      const goal = goalOf(enrollee.campaignId);
      this.queue.push({ type: 'login', userId: enrollee.userId, occurredAt: new Date(at).toISOString() });
      if (goal !== 'login') {
        this.queue.push({
          type: goal,
          userId: enrollee.userId,
          occurredAt: new Date(at + 5 * MINUTE).toISOString(),
        });
      }
    }
  }

  /** Removes and returns the events that happen by `time`, oldest first. */
  takeEventsUpTo(time: Date): SimulatedEvent[] {
    const due = this.queue.filter((event) => Date.parse(event.occurredAt) <= time.getTime());
    this.queue = this.queue.filter((event) => Date.parse(event.occurredAt) > time.getTime());
    return due.sort(
      (a, b) =>
        a.occurredAt.localeCompare(b.occurredAt) ||
        JSON.stringify(a).localeCompare(JSON.stringify(b)) ||
        a.type.localeCompare(b.type),
    );
  }
}

/**
 * Dormant users often uninstalled the app while the lender still holds their push token: the platform
 * reports the token unregistered at the next push. A seeded share of `users` is scripted that way, as
 * Pinpoint results from `at` on.
 */
export const uninstalledApps = (
  users: readonly { userId: string; push: { token: string } | null }[],
  seed: number,
  at: Date,
): InboundEvent[] =>
  users.flatMap((user) =>
    user.push && randomStream(seed, `uninstalled|${user.userId}`).chance(UNINSTALLED_SINCE)
      ? [
          {
            type: 'push-result' as const,
            occurredAt: at.toISOString(),
            token: user.push.token,
            result: {
              DeliveryStatus: 'PERMANENT_FAILURE' as const,
              StatusCode: 410,
              StatusMessage: JSON.stringify({
                errorMessage: 'Unregistered or expired token',
                channelType: 'APNS',
                pushProviderStatusCode: '410',
                pushProviderError: 'Unregistered',
              }),
            },
          },
        ]
      : [],
  );
