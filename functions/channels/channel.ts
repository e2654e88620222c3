import type { Channel } from '../campaign/definition';

interface MessageBase {
  userId: string;
  runId: string;
  step: string;
  /** Identifies the touch in links and provider context, so clicks and receipts find their way back. */
  touchId: string;
  title?: string;
  body: string;
  sentAt: string;
}

export type PushAddress = { token: string; platform: 'fcm' | 'apns' };

export type OutboundMessage =
  | (MessageBase & { channel: 'push'; address: PushAddress })
  | (MessageBase & { channel: 'sms'; address: { phone: string } });

/** One provider behind one channel; the same journey code sends for real or into the sandbox. */
export interface ChannelSender {
  send(message: OutboundMessage): Promise<{ messageId: string }>;
}

export type ChannelSenders = Record<Channel, ChannelSender>;

/** What the sandbox records instead of sending: everything but the address. */
export type SandboxMessage = Omit<OutboundMessage, 'address'> & { messageId: string };
