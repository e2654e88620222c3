import type { CallOutcome } from '../functions/agents/dispositions';
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
  | Extract<
      InboundEvent,
      { type: 'unsubscribe' | 'ses-event' | 'sms-event' | 'link-request' | 'agent-call' }
    >;

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
  /** Call tasks only: the queue agents work it from. */
  queue?: string;
  /** The tracked links of the message's copy (a push's tap target first), in order. */
  links?: string[];
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

/** What a person's phone says when they tap a link. */
const PHONE_AGENTS = [
  'Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
];

/**
 * What fetches links with nobody behind it, per channel: a share of recipients, how it asks, and within how
 * many seconds of the send. Email: corporate mail gateways (some with a browser's User-Agent, caught only by
 * how soon they come, some naming themselves, some asking HEAD); SMS: the phone's link preview.
 */
const SCANNERS: Partial<
  Record<Channel, { share: number; method: 'GET' | 'HEAD'; userAgent: string; withinSeconds: number }[]>
> = {
  email: [
    { share: 0.08, method: 'GET', userAgent: PHONE_AGENTS[0] ?? '', withinSeconds: 8 },
    {
      share: 0.05,
      method: 'GET',
      userAgent: 'Mozilla/5.0 (compatible; Mimecast URL Protect; +https://www.mimecast.com)',
      withinSeconds: 600,
    },
    {
      share: 0.03,
      method: 'HEAD',
      userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
      withinSeconds: 3600,
    },
  ],
  sms: [
    {
      share: 0.2,
      method: 'GET',
      userAgent:
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0',
      withinSeconds: 5,
    },
  ],
};

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
  /** Each simulated agent's calls booked so far, as [start, end) in virtual time (ms). */
  private readonly agentsBusy = new Map<string, [number, number][]>(
    SIMULATED_AGENTS.map((agent) => [agent, []]),
  );

  /**
   * @param organicGoalRate share of enrolled users who reach the goal on their own within `organicDays`
   * of enrolling, touched or not: the baseline a holdout measures lift against.
   */
  constructor(
    private readonly seed: number,
    responses: Partial<Record<Channel, Partial<ChannelResponse>>> = {},
    private readonly organicGoalRate = 0.03,
    private readonly organicDays = 10,
    /** Whether a team of simulated agents works the call tasks (a world without one lets them expire). */
    private readonly callCenter = true,
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
      this.queue.push(...scannerRequests(this.seed, delivery));
      if (this.callCenter && delivery.channel === 'call' && delivery.queue) {
        this.queue.push(...agentCalls(this.seed, delivery, delivery.queue, this.agentsBusy));
      }
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
      // A click is a request for the message's tracked link, from the person's phone.
      const link = delivery.links?.[0];
      if (link) {
        this.queue.push({
          type: 'link-request',
          occurredAt: new Date(clickAt).toISOString(),
          url: link,
          userAgent: PHONE_AGENTS[random.integer(0, PHONE_AGENTS.length - 1)],
        });
      }
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

/** How the call center's calls end, for dormant lending users (shares of calls). */
const CALL_OUTCOMES: [number, CallOutcome][] = [
  [0.08, { disposition: 'reached-interested' }],
  [0.05, { disposition: 'reached-not-interested', reason: 'no-need-now' }],
  [0.04, { disposition: 'reached-not-interested', reason: 'rate-too-high' }],
  [0.02, { disposition: 'reached-not-interested', reason: 'found-another-lender' }],
  [0.02, { disposition: 'reached-not-interested', reason: 'distrusts-app' }],
  [0.5, { disposition: 'no-answer' }],
  [0.16, { disposition: 'busy' }],
  [0.08, { disposition: 'wrong-number' }],
  [0.05, { disposition: 'do-not-call' }],
];
const SIMULATED_AGENTS = ['sim-agent-1', 'sim-agent-2', 'sim-agent-3'];

/** The first moment from `from` at which some agent is free for `duration`, booked for them. */
const bookAgent = (busy: Map<string, [number, number][]>, from: number, duration: number) => {
  let best: { agent: string; start: number } | undefined;
  for (const [agent, intervals] of busy) {
    let start = from;
    for (const [begin, end] of intervals) {
      if (start + duration <= begin) break;
      if (end > start) start = end;
    }
    if (!best || start < best.start) best = { agent, start };
  }
  const chosen = best ?? { agent: 'sim-agent-1', start: from };
  const intervals = busy.get(chosen.agent) ?? [];
  intervals.push([chosen.start, chosen.start + duration]);
  intervals.sort((a, b) => a[0] - b[0]);
  busy.set(chosen.agent, intervals);
  return chosen;
};

/** Minutes an agent spends on a call that ends this way, dialling and wrap-up included. */
const handlingMinutes = (disposition: string, random: ReturnType<typeof randomStream>) =>
  disposition.startsWith('reached-')
    ? random.integer(5, 12)
    : disposition === 'do-not-call'
      ? 3
      : random.integer(1, 2);

/**
 * A small team works the queue: for each call task, up to three tries of "take the next task, record how the
 * call went" through the agent API, the first 20 minutes to 4 hours after the task, later ones after the
 * requeue delay (unanswered and busy calls come back). Each call goes to the agent free first and keeps them
 * busy for its handling time, so a long queue waits for the team. The team takes whichever task is next, as
 * agents do.
 */
const agentCalls = (
  seed: number,
  delivery: Delivery,
  queue: string,
  busy: Map<string, [number, number][]>,
): SimulatedEvent[] => {
  const random = randomStream(seed, `agent|${delivery.messageId}`);
  const calls: SimulatedEvent[] = [];
  let at = Date.parse(delivery.sentAt) + random.integer(20, 240) * MINUTE;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const draw = random.fraction();
    let below = 0;
    const outcome = CALL_OUTCOMES.find(([share]) => {
      below += share;
      return draw < below;
    })?.[1] ?? { disposition: 'no-answer' };
    const minutes = handlingMinutes(outcome.disposition, random);
    const { agent, start } = bookAgent(busy, at, minutes * MINUTE);
    at = start;
    calls.push({ type: 'agent-call', occurredAt: new Date(at).toISOString(), queue, agent, outcome });
    if (outcome.disposition !== 'no-answer' && outcome.disposition !== 'busy') break;
    at += (outcome.disposition === 'busy' ? 35 : 125) * MINUTE + random.integer(0, 60) * MINUTE;
  }
  return calls;
};

/**
 * What scanners and previews fetch of one message's links, before any person: drawn from a stream of its
 * own, so every person's reaction stays as it was.
 */
const scannerRequests = (seed: number, delivery: Delivery): SimulatedEvent[] => {
  const random = randomStream(seed, `scanner|${delivery.messageId}`);
  const draw = random.fraction();
  let below = 0;
  for (const scanner of SCANNERS[delivery.channel] ?? []) {
    below += scanner.share;
    if (draw >= below) continue;
    const at = Date.parse(delivery.sentAt) + random.integer(1_000, scanner.withinSeconds * 1000);
    return (delivery.links ?? []).map((url) => ({
      type: 'link-request' as const,
      occurredAt: new Date(at).toISOString(),
      url,
      method: scanner.method,
      userAgent: scanner.userAgent,
    }));
  }
  return [];
};

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
