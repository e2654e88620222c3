import { type PinpointClient, SendMessagesCommand } from '@aws-sdk/client-pinpoint';
import { ChannelSendFailed } from '../shared/errors';
import type { ChannelSender } from './channel';

/** Mobile push through Pinpoint SendMessages by direct address: the part of Pinpoint that lives on. */
export const pinpointPushSender = (client: PinpointClient, applicationId: string): ChannelSender<'push'> => ({
  async send(message) {
    const { token, platform } = message.address;
    const response = await client.send(
      new SendMessagesCommand({
        ApplicationId: applicationId,
        MessageRequest: {
          Addresses: { [token]: { ChannelType: platform === 'apns' ? 'APNS' : 'GCM' } },
          MessageConfiguration: {
            DefaultPushNotificationMessage: {
              Action: 'OPEN_APP',
              Title: message.title,
              Body: message.body,
              Data: { touchId: message.touchId },
            },
          },
          TraceId: message.touchId,
        },
      }),
    );
    const result = response.MessageResponse?.Result?.[token];
    if (result?.DeliveryStatus !== 'SUCCESSFUL' || result.MessageId === undefined) {
      // The status says why (PERMANENT_FAILURE for a dead token, THROTTLED, ...); the token is not repeated.
      throw new ChannelSendFailed('push', result?.DeliveryStatus ?? 'no result for the address');
    }
    return { messageId: result.MessageId };
  },
});
