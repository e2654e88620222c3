import {
  ConflictException,
  type PinpointSMSVoiceV2Client,
  SendTextMessageCommand,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { ChannelSendFailed } from '../shared/errors';
import { type ChannelSender, RecipientOptedOut, rethrowThrottling } from './channel';

/**
 * A refusal because the number is on the origination identity's opt-out list (the person texted STOP)
 * turns SMS off for the user; throttling is the sender's to retry; anything else is the provider's failure.
 */
export const interpretSmsError = (error: unknown): never => {
  if (error instanceof ConflictException && error.Reason === 'DESTINATION_PHONE_NUMBER_OPTED_OUT') {
    throw new RecipientOptedOut('sms', 'sms-opt-out-list', { consents: { sms: false } });
  }
  // Above the origination identity's messages per second: throttled; anything else as it is.
  return rethrowThrottling('sms')(error);
};

/** SMS through AWS End User Messaging (pinpoint-sms-voice-v2). */
export const endUserMessagingSmsSender = (
  client: PinpointSMSVoiceV2Client,
  originationIdentity: string,
): ChannelSender<'sms'> => ({
  async send(message) {
    const response = await client
      .send(
        new SendTextMessageCommand({
          DestinationPhoneNumber: message.address.phone,
          OriginationIdentity: originationIdentity,
          MessageBody: message.body,
          MessageType: 'PROMOTIONAL',
          // Logged with every delivery event of the message: what joins it to its touch (ids only).
          Context: {
            userId: message.userId,
            touchId: message.touchId,
            campaignId: message.campaignId,
            variant: message.variant,
          },
        }),
      )
      .catch(interpretSmsError);
    if (response.MessageId === undefined) throw new ChannelSendFailed('sms', 'no message id returned');
    return { messageId: response.MessageId };
  },
});
