import { createHash } from 'node:crypto';
import type { EndpointMessageResult } from '@aws-sdk/client-pinpoint';
import { ConflictException, ThrottlingException } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { putOutboxMessage } from '../data/outbox';
import { localSeams, setLocalSeams } from '../shared/local-seams';
import { type ChannelSender, type MessageOn, rethrowThrottling } from './channel';
import { interpretSmsError } from './end-user-messaging-sms';
import { interpretPushResult } from './pinpoint-push';

/**
 * How the sandbox's providers answer. By default they accept everything; the local runtime scripts the
 * refusals real providers give (a dead push token, a number on the SMS opt-out list), in the providers' own
 * shapes, so the same code that reads Pinpoint's and End User Messaging's answers runs here too.
 */
export interface SandboxProviderBehaviour {
  /** Pinpoint's result for a push to this token; undefined means delivered. */
  pushResult(token: string): EndpointMessageResult | undefined;
  /** Whether the number is on the origination identity's opt-out list. */
  smsOptedOut(phone: string): boolean;
  /**
   * Called as a send reaches the provider, before anything is taken: it may throw what a failing provider
   * throws (a 5xx), or stand for the function dying there (the local runtime's fault injection).
   */
  beforeSend?(message: SandboxSend): Promise<void>;
  /**
   * Called once a message is recorded, before the sender returns: what happens while a touch is under way. It
   * may throw, as a provider that took the message and never answered (or a function that died then).
   */
  accepted?(message: SandboxSend & { messageId: string }): Promise<void>;
  /**
   * Whether the provider takes one more message at `sentAt` within its rate; refused, the sender answers with
   * the provider's own throttling (push `THROTTLED`, End User Messaging `ThrottlingException`, SES v2
   * `TooManyRequestsException` "Maximum sending rate exceeded."). Unset: no limit.
   */
  admit?(channel: 'push' | 'sms' | 'email', sentAt: string): boolean;
}

/** A send as the sandbox's hooks see it: who, which run and touch, on which channel, when. */
export interface SandboxSend {
  runId: string;
  touch: number;
  userId: string;
  channel: 'push' | 'sms' | 'email';
  sentAt: string;
}

const acceptingAll: SandboxProviderBehaviour = { pushResult: () => undefined, smsOptedOut: () => false };

/** As the local runtime scripted it (for every copy of this module: see local-seams.ts), else accepting all. */
const behaviourNow = (): SandboxProviderBehaviour => localSeams()?.sandboxBehaviour ?? acceptingAll;

export const useSandboxProviderBehaviour = (scripted: SandboxProviderBehaviour): void => {
  setLocalSeams({ sandboxBehaviour: scripted });
};

const messageIdOf = (message: MessageOn<'push' | 'sms' | 'email'>) =>
  `sandbox-${createHash('sha256').update(`${message.userId}\n${message.touchId}`).digest('hex').slice(0, 24)}`;

/** Records what was accepted in the outbox table, everything but the address. */
const record = async (
  { address: _address, ...message }: MessageOn<'push' | 'sms' | 'email'>,
  messageId: string,
) => {
  await putOutboxMessage({ ...message, messageId });
  await behaviourNow().accepted?.({ ...message, messageId });
};

/**
 * Senders that record each message in the sandbox outbox instead of sending it. Used by the local runtime,
 * and by any deployment made without provider configuration, so nothing reaches a real person.
 */
export const sandboxSenders: { [C in 'push' | 'sms' | 'email']: ChannelSender<C> } = {
  push: {
    async send(message) {
      const behaviour = behaviourNow();
      await behaviour.beforeSend?.(message);
      const messageId = messageIdOf(message);
      const throttled = behaviour.admit?.('push', message.sentAt) === false;
      const receipt = interpretPushResult(
        (throttled
          ? { DeliveryStatus: 'THROTTLED', StatusCode: 429, StatusMessage: 'Rate exceeded' }
          : behaviour.pushResult(message.address.token)) ?? {
          DeliveryStatus: 'SUCCESSFUL',
          StatusCode: 200,
          MessageId: messageId,
        },
      );
      await record(message, messageId);
      return receipt;
    },
  },
  sms: {
    async send(message) {
      const behaviour = behaviourNow();
      await behaviour.beforeSend?.(message);
      if (behaviour.admit?.('sms', message.sentAt) === false) {
        interpretSmsError(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }));
      }
      if (behaviour.smsOptedOut(message.address.phone)) {
        interpretSmsError(
          new ConflictException({
            message: 'The destination phone number is opted out',
            Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT',
            ResourceType: 'opt-out-list',
            ResourceId: 'Default',
            $metadata: {},
          }),
        );
      }
      const messageId = messageIdOf(message);
      await record(message, messageId);
      return { messageId };
    },
  },
  email: {
    async send(message) {
      const behaviour = behaviourNow();
      await behaviour.beforeSend?.(message);
      if (behaviour.admit?.('email', message.sentAt) === false) {
        rethrowThrottling('email')(
          new TooManyRequestsException({ message: 'Maximum sending rate exceeded.', $metadata: {} }),
        );
      }
      const messageId = messageIdOf(message);
      await record(message, messageId);
      return { messageId };
    },
  },
};
