import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { sesEmailSender } from '../functions/channels/ses-email';

const base = {
  userId: 'user-1',
  campaignId: 'registered-no-visit',
  runId: 'registered-no-visit#2026-11-22#America/Mexico_City',
  touch: 1,
  touchId: 'registered-no-visit#2026-11-22#America/Mexico_City#000001|t1#c0001',
  variant: 'default',
  sentAt: '2026-11-22T17:00:00.000Z',
};

describe('SES v2 email', () => {
  const ses = mockClient(SESv2Client);
  beforeEach(() => ses.reset());

  it('sends SendEmail with the configuration set and tags that name campaign, touch and variant', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-msg-1' });

    // Act
    const result = await sesEmailSender(
      new SESv2Client({ region: 'us-east-1' }),
      'offers@lender.example',
      'rekindle-events',
    ).send({
      ...base,
      channel: 'email',
      address: { email: 'ana@example.com' },
      subject: 'Your account is one step away',
      body: 'Log in to finish your profile.',
      unsubscribeUrl: 'https://links.example/unsubscribe/token',
    });

    // Assess
    expect(result).toEqual({ messageId: 'ses-msg-1' });
    expect(ses.commandCalls(SendEmailCommand).map((call) => call.args[0].input)).toEqual([
      {
        FromEmailAddress: 'offers@lender.example',
        Destination: { ToAddresses: ['ana@example.com'] },
        Content: {
          Simple: {
            Subject: { Data: 'Your account is one step away', Charset: 'UTF-8' },
            Body: { Text: { Data: 'Log in to finish your profile.', Charset: 'UTF-8' } },
          },
        },
        ConfigurationSetName: 'rekindle-events',
        EmailTags: [
          { Name: 'campaign', Value: 'registered-no-visit' },
          { Name: 'touch', Value: 'registered-no-visit_2026-11-22_America_Mexico_City_000001_t1_c0001' },
          { Name: 'variant', Value: 'default' },
        ],
      },
    ]);
  });

  it('fails with ChannelSendFailed when SES returns no message id', async () => {
    ses.on(SendEmailCommand).resolves({});
    const sending = sesEmailSender(
      new SESv2Client({ region: 'us-east-1' }),
      'offers@lender.example',
      'set',
    ).send({
      ...base,
      channel: 'email',
      address: { email: 'ana@example.com' },
      subject: 's',
      body: 'b',
      unsubscribeUrl: 'https://links.example/unsubscribe/token',
    });
    await expect(sending).rejects.toMatchObject({
      name: 'ChannelSendFailed',
      message: 'email send failed: no message id returned',
    });
  });
});
