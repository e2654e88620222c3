import { PinpointClient, SendMessagesCommand } from '@aws-sdk/client-pinpoint';
import { PinpointSMSVoiceV2Client, SendTextMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { MessageOn } from '../functions/channels/channel';
import { endUserMessagingSmsSender } from '../functions/channels/end-user-messaging-sms';
import { pinpointPushSender } from '../functions/channels/pinpoint-push';

const base = {
  userId: 'user-1',
  campaignId: 'registered-no-visit',
  runId: 'registered-no-visit#2026-11-22#America/Mexico_City',
  touch: 1,
  touchId: 'registered-no-visit#2026-11-22#America/Mexico_City#000001|t1#c0001',
  variant: 'default',
  sentAt: '2026-11-22T17:00:00.000Z',
};

describe('Pinpoint push by address', () => {
  const pinpoint = mockClient(PinpointClient);
  beforeEach(() => pinpoint.reset());

  const push: MessageOn<'push'> = {
    ...base,
    channel: 'push',
    address: { token: 'device-token-abc', platform: 'apns' },
    title: 'Your credit line is waiting',
    body: 'Finish setting up your account.',
  };

  it('sends SendMessages to the device address and returns the provider message id', async () => {
    // Prepare
    pinpoint.on(SendMessagesCommand).resolves({
      MessageResponse: {
        ApplicationId: 'app-123',
        Result: {
          'device-token-abc': { DeliveryStatus: 'SUCCESSFUL', StatusCode: 200, MessageId: 'pinpoint-msg-1' },
        },
      },
    });
    // Act
    const result = await pinpointPushSender(new PinpointClient({ region: 'us-east-1' }), 'app-123').send(
      push,
    );
    // Assess
    expect(result).toEqual({ messageId: 'pinpoint-msg-1' });
    expect(pinpoint.commandCalls(SendMessagesCommand).map((call) => call.args[0].input)).toEqual([
      {
        ApplicationId: 'app-123',
        MessageRequest: {
          Addresses: { 'device-token-abc': { ChannelType: 'APNS' } },
          MessageConfiguration: {
            DefaultPushNotificationMessage: {
              Action: 'OPEN_APP',
              Title: 'Your credit line is waiting',
              Body: 'Finish setting up your account.',
              Data: { touchId: base.touchId },
            },
          },
          TraceId: base.touchId,
        },
      },
    ]);
  });

  it('uses the GCM channel for FCM tokens', async () => {
    pinpoint.on(SendMessagesCommand).resolves({
      MessageResponse: {
        ApplicationId: 'app-123',
        Result: { t: { DeliveryStatus: 'SUCCESSFUL', StatusCode: 200, MessageId: 'm' } },
      },
    });
    await pinpointPushSender(new PinpointClient({ region: 'us-east-1' }), 'app-123').send({
      ...push,
      address: { token: 't', platform: 'fcm' },
    });
    const input = pinpoint.commandCalls(SendMessagesCommand)[0]?.args[0].input;
    expect(input?.MessageRequest?.Addresses).toEqual({ t: { ChannelType: 'GCM' } });
  });

  it('fails with ChannelSendFailed, without the token, when the address is rejected', async () => {
    pinpoint.on(SendMessagesCommand).resolves({
      MessageResponse: {
        ApplicationId: 'app-123',
        Result: { 'device-token-abc': { DeliveryStatus: 'PERMANENT_FAILURE', StatusCode: 410 } },
      },
    });
    const sending = pinpointPushSender(new PinpointClient({ region: 'us-east-1' }), 'app-123').send(push);
    await expect(sending).rejects.toMatchObject({
      name: 'ChannelSendFailed',
      message: 'push send failed: PERMANENT_FAILURE',
    });
    await expect(sending).rejects.not.toThrow(/device-token-abc/);
  });
});

describe('End User Messaging SMS', () => {
  const sms = mockClient(PinpointSMSVoiceV2Client);
  beforeEach(() => sms.reset());

  it('sends SendTextMessage from the origination identity and returns the message id', async () => {
    // Prepare
    sms.on(SendTextMessageCommand).resolves({ MessageId: 'sms-msg-1' });
    const originationArn = 'arn:aws:sms-voice:us-east-1:111122223333:phone-number/phone-abc';
    // Act
    const result = await endUserMessagingSmsSender(
      new PinpointSMSVoiceV2Client({ region: 'us-east-1' }),
      originationArn,
    ).send({
      ...base,
      channel: 'sms',
      address: { phone: '+525512345678' },
      body: 'Your account is ready.',
    });
    // Assess
    expect(result).toEqual({ messageId: 'sms-msg-1' });
    expect(sms.commandCalls(SendTextMessageCommand).map((call) => call.args[0].input)).toEqual([
      {
        DestinationPhoneNumber: '+525512345678',
        OriginationIdentity: originationArn,
        MessageBody: 'Your account is ready.',
        MessageType: 'PROMOTIONAL',
        Context: { touchId: base.touchId },
      },
    ]);
  });
});
