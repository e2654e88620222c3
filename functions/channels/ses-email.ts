import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { ChannelSendFailed } from '../shared/errors';
import type { ChannelSender } from './channel';

/** SES tag values allow letters, digits, '_' and '-' only. */
const tagValue = (value: string) => value.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256);

/**
 * Email through SES v2. The configuration set routes delivery, open and click events back; the tags let
 * those events name their campaign and touch.
 */
export const sesEmailSender = (
  client: SESv2Client,
  fromAddress: string,
  configurationSetName: string,
): ChannelSender<'email'> => ({
  async send(message) {
    const response = await client.send(
      new SendEmailCommand({
        FromEmailAddress: fromAddress,
        Destination: { ToAddresses: [message.address.email] },
        Content: {
          Simple: {
            Subject: { Data: message.subject, Charset: 'UTF-8' },
            Body: { Text: { Data: message.body, Charset: 'UTF-8' } },
          },
        },
        ConfigurationSetName: configurationSetName,
        EmailTags: [
          { Name: 'campaign', Value: tagValue(message.campaignId) },
          { Name: 'touch', Value: tagValue(message.touchId) },
          { Name: 'variant', Value: tagValue(message.variant) },
        ],
      }),
    );
    if (response.MessageId === undefined) throw new ChannelSendFailed('email', 'no message id returned');
    return { messageId: response.MessageId };
  },
});
