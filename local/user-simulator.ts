import type { Channel } from '../functions/campaign/definition';
import type { SandboxMessage } from '../functions/channels/channel';
import type { AppEvent } from '../functions/users/app-event';
import { randomStream } from './random';

/** How people answer a message on one channel. */
export interface ChannelResponse {
  /** Share of recipients who click the message's link. */
  click: number;
  /** Share of clickers who then log in (field target: 80–90%). */
  loginAfterClick: number;
  /** Mean minutes from delivery to click. */
  meanMinutesToClick: number;
}

/** Plausible rates for dormant lending users; push converts better than SMS. */
export const defaultResponses: Record<Channel, ChannelResponse> = {
  push: { click: 0.12, loginAfterClick: 0.85, meanMinutesToClick: 90 },
  sms: { click: 0.07, loginAfterClick: 0.8, meanMinutesToClick: 180 },
};

const MINUTE = 60_000;

/**
 * Simulated users: after each sandbox message, the recipient may click and then log in, drawn from a
 * seeded stream per message, so the same seed gives the same campaign. Their events are handed to the
 * local runtime, which feeds them through the real ingestion handler as the virtual clock passes them.
 */
export class UserSimulator {
  private readonly seen = new Set<string>();
  private queue: AppEvent[] = [];
  private readonly responses: Record<Channel, ChannelResponse>;

  constructor(
    private readonly seed: number,
    responses: Partial<Record<Channel, Partial<ChannelResponse>>> = {},
  ) {
    this.responses = {
      push: { ...defaultResponses.push, ...responses.push },
      sms: { ...defaultResponses.sms, ...responses.sms },
    };
  }

  /** Plans the reactions to messages not seen before. */
  observe(messages: readonly SandboxMessage[]): void {
    for (const message of messages) {
      if (this.seen.has(message.messageId)) continue;
      this.seen.add(message.messageId);
      const response = this.responses[message.channel];
      const random = randomStream(this.seed, message.messageId);
      if (!random.chance(response.click)) continue;
      const clickAt = Date.parse(message.sentAt) + random.exponential(response.meanMinutesToClick) * MINUTE;
      this.queue.push({
        type: 'click',
        userId: message.userId,
        touchId: message.touchId,
        occurredAt: new Date(clickAt).toISOString(),
      });
      if (!random.chance(response.loginAfterClick)) continue;
      const loginAt = clickAt + random.integer(1, 10) * MINUTE;
      this.queue.push({ type: 'login', userId: message.userId, occurredAt: new Date(loginAt).toISOString() });
    }
  }

  /** Removes and returns the events that happen by `time`, oldest first. */
  takeEventsUpTo(time: Date): AppEvent[] {
    const due = this.queue.filter((event) => Date.parse(event.occurredAt) <= time.getTime());
    this.queue = this.queue.filter((event) => Date.parse(event.occurredAt) > time.getTime());
    return due.sort(
      (a, b) =>
        a.occurredAt.localeCompare(b.occurredAt) ||
        a.userId.localeCompare(b.userId) ||
        a.type.localeCompare(b.type),
    );
  }
}
