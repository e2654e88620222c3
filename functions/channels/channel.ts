import type { Channel, Offer } from '../campaign/definition';
import { RekindleError } from '../shared/errors';
import type { ProfileFields } from '../users/profile';

interface MessageBase {
  userId: string;
  campaignId: string;
  runId: string;
  /** Which touch of the run (1-based). */
  touch: number;
  /** Identifies the touch in links and provider context, so clicks find their way back. */
  touchId: string;
  variant: string;
  sentAt: string;
}

export type PushAddress = { token: string; platform: 'fcm' | 'apns' };

export type OutboundMessage =
  | (MessageBase & {
      channel: 'push';
      address: PushAddress;
      title: string;
      body: string;
      /** Where a tap leads (a tracked link); without it the tap opens the app. */
      link?: string;
    })
  | (MessageBase & { channel: 'sms'; address: { phone: string }; body: string })
  | (MessageBase & {
      channel: 'email';
      address: { email: string };
      subject: string;
      body: string;
      /** The signed one-click unsubscribe link (RFC 8058 List-Unsubscribe), also shown in the footer. */
      unsubscribeUrl: string;
    })
  | (MessageBase & {
      channel: 'call';
      address: { phone: string };
      script: string;
      queue: string;
      /** 1 (call first) to 5. */
      priority: number;
      offer?: Offer;
      /** The touches so far, with the copy the person got (links shown as `[link: <destination>]`). */
      lastTouches: { channel: Channel; sentAt: string; copy?: string }[];
      /** The person's time zone: agents call within calling hours there. */
      timeZone: string;
      expiresAt: string;
    });

export type MessageOn<C extends Channel> = Extract<OutboundMessage, { channel: C }>;

/** What a provider accepted: its message id, and a push token the platform replaced (FCM may). */
export interface SendReceipt {
  messageId: string;
  replacedPushToken?: string;
}

/** One provider behind one channel; the same journey code sends for real or into the sandbox. */
export interface ChannelSender<C extends Channel = Channel> {
  send(message: MessageOn<C>): Promise<SendReceipt>;
}

/**
 * The provider refused the message because the person left the channel: an SMS number on the provider's
 * opt-out list, a push token the platform reports as unregistered. Carries the change to the user.
 */
export class RecipientOptedOut extends RekindleError {
  constructor(
    readonly channel: Channel,
    /** Recorded in the consent trail: `sms-opt-out-list`, `push-unregistered`. */
    readonly source: string,
    readonly fields: ProfileFields,
  ) {
    super('RecipientOptedOut', `The ${channel} provider refused the message: ${source}`);
  }
}

/**
 * The provider refused for now because it is sent to faster than it takes (SMS and SES throttling, SES
 * "Maximum sending rate exceeded", a push result THROTTLED or TEMPORARY_FAILURE, which Pinpoint does not
 * retry itself): the message was not sent and may be tried again after a pause; it says nothing about the
 * person and is never a failed send.
 */
export class ProviderThrottled extends RekindleError {
  constructor(
    readonly channel: Channel,
    reason: string,
  ) {
    super('ProviderThrottled', `The ${channel} provider is throttling: ${reason}`);
  }
}

/** AWS's error names for "too fast, try later" (the SDK has retried them already by then). */
const THROTTLING_ERRORS: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'Throttling',
]);

/** Rethrows a provider's throttling error as `ProviderThrottled` on `channel`, anything else as it is. */
export const rethrowThrottling =
  (channel: Channel) =>
  (error: unknown): never => {
    if (error instanceof Error && THROTTLING_ERRORS.has(error.name))
      throw new ProviderThrottled(channel, error.name);
    throw error;
  };

export type ChannelSenders = { [C in Channel]: ChannelSender<C> };

/** What the sandbox records instead of sending: everything but the address. */
export type SandboxMessage =
  MessageOn<'push' | 'sms' | 'email'> extends infer M
    ? M extends { address: unknown }
      ? Omit<M, 'address'> & { messageId: string }
      : never
    : never;
