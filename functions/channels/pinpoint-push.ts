import {
  type EndpointMessageResult,
  type PinpointClient,
  SendMessagesCommand,
} from '@aws-sdk/client-pinpoint';
import { ChannelSendFailed } from '../shared/errors';
import {
  type ChannelSender,
  ProviderThrottled,
  RecipientOptedOut,
  rethrowThrottling,
  type SendReceipt,
} from './channel';

/** Platform answers that are configuration errors of ours (sandbox vs production, wrong app), not the user leaving. */
const CONFIGURATION_ERRORS =
  /BadDeviceToken|DeviceTokenNotForTopic|TopicDisallowed|MismatchSenderId|SENDER_ID_MISMATCH|InvalidRegistration|INVALID_ARGUMENT/;
const UNREGISTERED = /\bUnregistered\b|\bUNREGISTERED\b|\bNotRegistered\b/;

/**
 * Whether the platform says the token is gone (APNs 410 Unregistered, FCM UNREGISTERED). Pinpoint wraps the
 * platform's answer as JSON in StatusMessage; its own errorMessage reads "Unregistered or expired token" even
 * for BadDeviceToken, so only the platform's status and error decide.
 */
const tokenUnregistered = (statusMessage: string | undefined): boolean => {
  let platformAnswer = statusMessage ?? '';
  try {
    const parsed = JSON.parse(platformAnswer) as Record<string, unknown>;
    if (parsed.pushProviderStatusCode === '410') return true;
    platformAnswer = `${parsed.pushProviderError ?? ''} ${parsed.pushProviderResponse ?? ''}`;
  } catch {
    // Not JSON: read the text as it is.
  }
  return !CONFIGURATION_ERRORS.test(platformAnswer) && UNREGISTERED.test(platformAnswer);
};

/** Reads Pinpoint's result for one address: sent (maybe with a replaced token), gone, or failed. */
export const interpretPushResult = (result: EndpointMessageResult | undefined): SendReceipt => {
  if (result?.DeliveryStatus === 'SUCCESSFUL' && result.MessageId) {
    return {
      messageId: result.MessageId,
      ...(result.UpdatedToken ? { replacedPushToken: result.UpdatedToken } : {}),
    };
  }
  if (result?.DeliveryStatus === 'PERMANENT_FAILURE' && tokenUnregistered(result.StatusMessage)) {
    throw new RecipientOptedOut('push', 'push-unregistered', { push: null });
  }
  // Pinpoint does not retry these itself; they say nothing about the token.
  if (result?.DeliveryStatus === 'THROTTLED' || result?.DeliveryStatus === 'TEMPORARY_FAILURE') {
    throw new ProviderThrottled('push', result.DeliveryStatus);
  }
  // The status says why (PERMANENT_FAILURE, UNKNOWN_FAILURE, ...); the token is not repeated.
  throw new ChannelSendFailed('push', result?.DeliveryStatus ?? 'no result for the address');
};

/** Mobile push through Pinpoint SendMessages by direct address: the part of Pinpoint that lives on. */
export const pinpointPushSender = (client: PinpointClient, applicationId: string): ChannelSender<'push'> => ({
  async send(message) {
    const { token, platform } = message.address;
    const response = await client
      .send(
        new SendMessagesCommand({
          ApplicationId: applicationId,
          MessageRequest: {
            Addresses: { [token]: { ChannelType: platform === 'apns' ? 'APNS' : 'GCM' } },
            MessageConfiguration: {
              DefaultPushNotificationMessage: {
                ...(message.link ? { Action: 'URL', Url: message.link } : { Action: 'OPEN_APP' }),
                Title: message.title,
                Body: message.body,
                Data: { touchId: message.touchId },
              },
            },
            TraceId: message.touchId,
          },
        }),
      )
      // Above the project's API rate Pinpoint refuses the whole request.
      .catch(rethrowThrottling('push'));
    return interpretPushResult(response.MessageResponse?.Result?.[token]);
  },
});
