import { createHash } from 'node:crypto';
import type { EndpointMessageResult } from '@aws-sdk/client-pinpoint';
import { ConflictException, ThrottlingException } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { putOutboxMessage } from '../data/outbox';
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
  /** Called once a message is recorded, before the sender returns: what happens while a touch is under way. */
  accepted?(message: { userId: string; channel: string; touch: number; sentAt: string }): Promise<void>;
  /**
   * Whether the provider takes one more message at `sentAt` within its rate; refused, the sender answers with
   * the provider's own throttling (push `THROTTLED`, End User Messaging `ThrottlingException`, SES v2
   * `TooManyRequestsException` "Maximum sending rate exceeded."). Unset: no limit.
   */
  admit?(channel: 'push' | 'sms' | 'email', sentAt: string): boolean;
}

let behaviour: SandboxProviderBehaviour = { pushResult: () => undefined, smsOptedOut: () => false };

export const useSandboxProviderBehaviour = (scripted: SandboxProviderBehaviour): void => {
  behaviour = scripted;
};

const messageIdOf = (message: MessageOn<'push' | 'sms' | 'email'>) =>
  `sandbox-${createHash('sha256').update(`${message.userId}\n${message.touchId}`).digest('hex').slice(0, 24)}`;

/** Records what was accepted in the outbox table, everything but the address. */
const record = async (
  { address: _address, ...message }: MessageOn<'push' | 'sms' | 'email'>,
  messageId: string,
) => {
  await putOutboxMessage({ ...message, messageId });
  await behaviour.accepted?.(message);
};

/**
 * Senders that record each message in the sandbox outbox instead of sending it. Used by the local runtime,
 * and by any deployment made without provider configuration, so nothing reaches a real person.
 */
export const sandboxSenders: { [C in 'push' | 'sms' | 'email']: ChannelSender<C> } = {
  push: {
    async send(message) {
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
