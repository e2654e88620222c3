import { type PinpointSMSVoiceV2Client, SendTextMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { ChannelSendFailed } from '../shared/errors';
import type { ChannelSender } from './channel';

/** SMS through AWS End User Messaging (pinpoint-sms-voice-v2). */
export const endUserMessagingSmsSender = (
  client: PinpointSMSVoiceV2Client,
  originationIdentity: string,
): ChannelSender<'sms'> => ({
  async send(message) {
    const response = await client.send(
      new SendTextMessageCommand({
        DestinationPhoneNumber: message.address.phone,
        OriginationIdentity: originationIdentity,
        MessageBody: message.body,
        MessageType: 'PROMOTIONAL',
        Context: { touchId: message.touchId },
      }),
    );
    if (response.MessageId === undefined) throw new ChannelSendFailed('sms', 'no message id returned');
    return { messageId: response.MessageId };
  },
});
