import { ConnectClient } from '@aws-sdk/client-connect';
import { PinpointClient } from '@aws-sdk/client-pinpoint';
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { requireEnv } from '../shared/config';
import { awsClient, logger, metrics } from '../shared/powertools';
import { callTaskQueue } from './call-task-queue';
import type { ChannelSenders } from './channel';
import { startConnectTask } from './connect-tasks';
import { endUserMessagingSmsSender } from './end-user-messaging-sms';
import { pinpointPushSender } from './pinpoint-push';
import { sesEmailSender } from './ses-email';

/**
 * Call tasks go to Rekindle's own queue, and also to Amazon Connect when the stack names an instance
 * (CONNECT_INSTANCE_ID, CONNECT_CONTACT_FLOW_ID, AGENT_CONSOLE_URL).
 */
const callSender = () => {
  const instanceId = process.env.CONNECT_INSTANCE_ID;
  if (!instanceId) return callTaskQueue();
  const client = awsClient(new ConnectClient({}));
  const target = {
    instanceId,
    contactFlowId: requireEnv('CONNECT_CONTACT_FLOW_ID'),
    consoleUrl: requireEnv('AGENT_CONSOLE_URL'),
  };
  return callTaskQueue(
    (task) => startConnectTask(client, target, task),
    (error) => {
      logger.error('Connect task not created', { error: error instanceof Error ? error.name : 'unknown' });
      metrics.addMetric('ConnectTaskFailures', 'Count', 1);
    },
  );
};

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
        call: callSender(),
      };
    case 'sandbox': {
      // Imported only in sandbox mode: the outbox table exists only where the sandbox is used.
      const { sandboxSenders } = await import('./sandbox');
      return { ...sandboxSenders, call: callSender() };
    }
    default:
      throw new Error(`CHANNEL_SENDER must be "aws" or "sandbox", not "${mode}"`);
  }
};
