import { PinpointClient } from '@aws-sdk/client-pinpoint';
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { requireEnv } from '../shared/config';
import { awsClient } from '../shared/powertools';
import { callTaskQueue } from './call-task-queue';
import type { ChannelSenders } from './channel';
import { endUserMessagingSmsSender } from './end-user-messaging-sms';
import { pinpointPushSender } from './pinpoint-push';
import { sesEmailSender } from './ses-email';

/**
 * Chooses real providers or the sandbox from CHANNEL_SENDER, which the CDK app sets per deployment.
 * Calls always go to Rekindle's own call-task queue: a task reaches nobody until an agent works it.
 */
export const channelSendersFromEnvironment = async (): Promise<ChannelSenders> => {
  const mode = requireEnv('CHANNEL_SENDER');
  switch (mode) {
    case 'aws':
      return {
        push: pinpointPushSender(awsClient(new PinpointClient({})), requireEnv('PINPOINT_APPLICATION_ID')),
        sms: endUserMessagingSmsSender(
          awsClient(new PinpointSMSVoiceV2Client({})),
          requireEnv('SMS_ORIGINATION_IDENTITY'),
        ),
        email: sesEmailSender(
          awsClient(new SESv2Client({})),
          requireEnv('EMAIL_FROM_ADDRESS'),
          requireEnv('EMAIL_CONFIGURATION_SET'),
        ),
        call: callTaskQueue,
      };
    case 'sandbox': {
      // Imported only in sandbox mode: the outbox table exists only where the sandbox is used.
      const { sandboxSenders } = await import('./sandbox');
      return { ...sandboxSenders, call: callTaskQueue };
    }
    default:
      throw new Error(`CHANNEL_SENDER must be "aws" or "sandbox", not "${mode}"`);
  }
};
