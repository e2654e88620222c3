import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { decodeTagId, encodeTagId, sesEmailSender } from '../functions/channels/ses-email';
import { messageBase } from './support/messages';

/** A short email through a client that does not retry (the provider's first answer is the one read). */
const sendShortEmail = () =>
  sesEmailSender(
    new SESv2Client({ region: 'us-east-1', maxAttempts: 1 }),
    'offers@lender.example',
    'set',
  ).send({
    ...messageBase,
    channel: 'email',
    address: { email: 'ana@example.com' },
    subject: 's',
    body: 'b',
    unsubscribeUrl: 'https://links.example/unsubscribe/token',
  });

describe('SES v2 email', () => {
  const ses = mockClient(SESv2Client);
  beforeEach(() => ses.reset());

  it('sends SendEmail with the one-click unsubscribe headers and footer, and tags that name user, campaign, touch and variant', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-msg-1' });

    // Act
    const result = await sesEmailSender(
      new SESv2Client({ region: 'us-east-1' }),
      'offers@lender.example',
      'rekindle-events',
    ).send({
      ...messageBase,
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
            Body: {
              Text: {
                Data: 'Log in to finish your profile.\n\n--\nUnsubscribe: https://links.example/unsubscribe/token',
                Charset: 'UTF-8',
              },
            },
            Headers: [
              { Name: 'List-Unsubscribe', Value: '<https://links.example/unsubscribe/token>' },
              { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
            ],
          },
        },
        ConfigurationSetName: 'rekindle-events',
        EmailTags: [
          { Name: 'user', Value: 'dXNlci0x' },
          { Name: 'campaign', Value: 'registered-no-visit' },
          {
            Name: 'touch',
            Value: Buffer.from(messageBase.touchId).toString('base64url'),
          },
          { Name: 'variant', Value: 'default' },
        ],
      },
    ]);
  });

  it('tags user and touch so that SES events give the exact ids back', () => {
    expect(decodeTagId(encodeTagId(messageBase.touchId))).toBe(messageBase.touchId);
    expect(encodeTagId(messageBase.touchId)).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(encodeTagId('u-1')).toBe('dS0x');
  });

  it('fails with ChannelSendFailed when SES returns no message id', async () => {
    ses.on(SendEmailCommand).resolves({});
    const sending = sendShortEmail();
    await expect(sending).rejects.toMatchObject({
      name: 'ChannelSendFailed',
      message: 'email send failed: no message id returned',
    });
  });
});

describe('SES v2 throttling', () => {
  const ses = mockClient(SESv2Client);
  beforeEach(() => ses.reset());

  it.each([
    ['TooManyRequestsException', 'Maximum sending rate exceeded.'],
    ['ThrottlingException', 'Rate exceeded'],
  ])('reads %s ("%s") as throttling, to be tried again, not a failed send', async (name, message) => {
    // Prepare: SES v2 answers 429 with this body once the account's maximum send rate is exceeded.
    ses
      .on(SendEmailCommand)
      .rejects(Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 429 } }));

    // Act
    const sending = sendShortEmail();

    // Assess
    await expect(sending).rejects.toMatchObject({ name: 'ProviderThrottled', channel: 'email' });
  });
});
