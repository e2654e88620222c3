import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { ChannelSendFailed } from '../shared/errors';
import { type ChannelSender, rethrowThrottling } from './channel';

/** SES tag values allow letters, digits, '_' and '-' only. */
const tagValue = (value: string) => value.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256);

/** Ids that must come back intact in SES events (user, touch) travel base64url-encoded, which tags allow. */
export const encodeTagId = (id: string) => Buffer.from(id, 'utf8').toString('base64url');
export const decodeTagId = (value: string) => Buffer.from(value, 'base64url').toString('utf8');

/** The tag whose value names the recipient in bounce and complaint events. */
export const USER_TAG = 'user';

/**
 * Email through SES v2. The configuration set routes delivery, open, click, bounce and complaint events
 * back; the tags let those events name their user, campaign and touch. Every email carries the RFC 8058
 * one-click unsubscribe headers, and the same link in its footer.
 */
export const sesEmailSender = (
  client: SESv2Client,
  fromAddress: string,
  configurationSetName: string,
): ChannelSender<'email'> => ({
  async send(message) {
    const response = await client
      .send(
        new SendEmailCommand({
          FromEmailAddress: fromAddress,
          Destination: { ToAddresses: [message.address.email] },
          Content: {
            Simple: {
              Subject: { Data: message.subject, Charset: 'UTF-8' },
              Body: {
                Text: {
                  Data: `${message.body}\n\n--\nUnsubscribe: ${message.unsubscribeUrl}`,
                  Charset: 'UTF-8',
                },
              },
              Headers: [
                { Name: 'List-Unsubscribe', Value: `<${message.unsubscribeUrl}>` },
                { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
              ],
            },
          },
          ConfigurationSetName: configurationSetName,
          EmailTags: [
            { Name: USER_TAG, Value: encodeTagId(message.userId) },
            { Name: 'campaign', Value: tagValue(message.campaignId) },
            { Name: 'touch', Value: encodeTagId(message.touchId) },
            { Name: 'variant', Value: tagValue(message.variant) },
          ],
        }),
      )
      // "Maximum sending rate exceeded." comes as TooManyRequestsException (429) from SES v2.
      .catch(rethrowThrottling('email'));
    if (response.MessageId === undefined) throw new ChannelSendFailed('email', 'no message id returned');
    return { messageId: response.MessageId };
  },
});
