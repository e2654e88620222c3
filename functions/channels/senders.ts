import { PinpointClient } from '@aws-sdk/client-pinpoint';
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { requireEnv } from '../shared/config';
import { tracer } from '../shared/powertools';
import type { ChannelSenders } from './channel';
import { endUserMessagingSmsSender } from './end-user-messaging-sms';
import { pinpointPushSender } from './pinpoint-push';

/** Chooses real providers or the sandbox from CHANNEL_SENDER, which the CDK app sets per deployment. */
export const channelSendersFromEnvironment = async (): Promise<ChannelSenders> => {
  const mode = requireEnv('CHANNEL_SENDER');
  switch (mode) {
    case 'aws':
      return {
        push: pinpointPushSender(
          tracer.captureAWSv3Client(new PinpointClient({})),
          requireEnv('PINPOINT_APPLICATION_ID'),
        ),
        sms: endUserMessagingSmsSender(
          tracer.captureAWSv3Client(new PinpointSMSVoiceV2Client({})),
          requireEnv('SMS_ORIGINATION_IDENTITY'),
        ),
      };
    case 'sandbox': {
      // Imported only in sandbox mode: the outbox table exists only where the sandbox is used.
      const { sandboxSender } = await import('./sandbox');
      return { push: sandboxSender, sms: sandboxSender };
    }
    default:
      throw new Error(`CHANNEL_SENDER must be "aws" or "sandbox", not "${mode}"`);
  }
};
