import type { Channel, Offer } from '../campaign/definition';

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
  | (MessageBase & { channel: 'push'; address: PushAddress; title: string; body: string })
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
      lastTouches: { channel: Channel; sentAt: string }[];
      expiresAt: string;
    });

export type MessageOn<C extends Channel> = Extract<OutboundMessage, { channel: C }>;

/** One provider behind one channel; the same journey code sends for real or into the sandbox. */
export interface ChannelSender<C extends Channel = Channel> {
  send(message: MessageOn<C>): Promise<{ messageId: string }>;
}

export type ChannelSenders = { [C in Channel]: ChannelSender<C> };

/** What the sandbox records instead of sending: everything but the address. */
export type SandboxMessage = Omit<MessageOn<'push' | 'sms' | 'email'>, 'address'> & { messageId: string };
