import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PinpointClient, SendMessagesCommand } from '@aws-sdk/client-pinpoint';
import {
  ConflictException,
  PinpointSMSVoiceV2Client,
  SendTextMessageCommand,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { MessageOn } from '../functions/channels/channel';
import { endUserMessagingSmsSender } from '../functions/channels/end-user-messaging-sms';
import { pinpointPushSender } from '../functions/channels/pinpoint-push';
import { messageBase } from './support/messages';

describe('Pinpoint push by address', () => {
  const pinpoint = mockClient(PinpointClient);
  beforeEach(() => pinpoint.reset());

  const push: MessageOn<'push'> = {
    ...messageBase,
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
              Data: { touchId: messageBase.touchId },
            },
          },
          TraceId: messageBase.touchId,
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

describe('Pinpoint push results', () => {
  const pinpoint = mockClient(PinpointClient);
  beforeEach(() => pinpoint.reset());
  const results = JSON.parse(
    readFileSync(path.join(import.meta.dirname, 'fixtures', 'pinpoint-send-messages-results.json'), 'utf8'),
  );
  const sendWith = (name: string) => {
    const { _confidence, ...result } = results[name];
    pinpoint.on(SendMessagesCommand).resolves({
      MessageResponse: { ApplicationId: 'app-123', Result: { 'device-token-abc': result } },
    });
    return pinpointPushSender(new PinpointClient({ region: 'us-east-1' }), 'app-123').send({
      ...messageBase,
      channel: 'push',
      address: { token: 'device-token-abc', platform: 'apns' },
      title: 't',
      body: 'b',
    });
  };

  it.each(['apnsUnregistered410', 'fcmUnregistered404'])(
    'reads %s as the user gone from push: the token is to be removed',
    async (name) => {
      await expect(sendWith(name)).rejects.toMatchObject({
        name: 'RecipientOptedOut',
        channel: 'push',
        source: 'push-unregistered',
        fields: { push: null },
      });
    },
  );

  it('reads apnsBadDeviceToken400 as a failed send that says nothing about the user', async () => {
    await expect(sendWith('apnsBadDeviceToken400')).rejects.toMatchObject({ name: 'ChannelSendFailed' });
  });

  it.each(['throttled', 'temporaryFailure'])(
    'reads %s as throttling, to be tried again (Pinpoint does not retry it), not a failed send',
    async (name) => {
      await expect(sendWith(name)).rejects.toMatchObject({ name: 'ProviderThrottled', channel: 'push' });
    },
  );

  it('reads a throttled SendMessages request as throttling', async () => {
    pinpoint
      .on(SendMessagesCommand)
      .rejects(
        Object.assign(new Error('Too many requests'), { name: 'TooManyRequestsException', $metadata: {} }),
      );
    const sending = pinpointPushSender(
      new PinpointClient({ region: 'us-east-1', maxAttempts: 1 }),
      'app-123',
    ).send({
      ...messageBase,
      channel: 'push',
      address: { token: 'device-token-abc', platform: 'apns' },
      title: 't',
      body: 'b',
    });
    await expect(sending).rejects.toMatchObject({ name: 'ProviderThrottled', channel: 'push' });
  });

  it('returns the replaced token of a delivered push', async () => {
    pinpoint.on(SendMessagesCommand).resolves({
      MessageResponse: {
        ApplicationId: 'app-123',
        Result: {
          'device-token-abc': {
            DeliveryStatus: 'SUCCESSFUL',
            StatusCode: 200,
            MessageId: 'm',
            UpdatedToken: 'new',
          },
        },
      },
    });
    const receipt = await pinpointPushSender(new PinpointClient({ region: 'us-east-1' }), 'app-123').send({
      ...messageBase,
      channel: 'push',
      address: { token: 'device-token-abc', platform: 'fcm' },
      title: 't',
      body: 'b',
    });
    expect(receipt).toEqual({ messageId: 'm', replacedPushToken: 'new' });
  });
});

describe('End User Messaging SMS', () => {
  const sms = mockClient(PinpointSMSVoiceV2Client);
  beforeEach(() => sms.reset());
  const smsMessage = {
    ...messageBase,
    channel: 'sms' as const,
    address: { phone: '+525512345678' },
    body: 'Your account is ready.',
  };

  it('reads a refusal for a number on the opt-out list as the user leaving SMS', async () => {
    sms.on(SendTextMessageCommand).rejects(
      new ConflictException({
        message: 'Conflict',
        Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT',
        ResourceType: 'opt-out-list',
        ResourceId: 'Default',
        $metadata: {},
      }),
    );
    const sending = endUserMessagingSmsSender(
      new PinpointSMSVoiceV2Client({ region: 'us-east-1' }),
      'arn',
    ).send(smsMessage);
    await expect(sending).rejects.toMatchObject({
      name: 'RecipientOptedOut',
      source: 'sms-opt-out-list',
      fields: { consents: { sms: false } },
    });
  });

  it('reads ThrottlingException (above the origination identity rate) as throttling, not a failure', async () => {
    sms.on(SendTextMessageCommand).rejects(
      Object.assign(new Error('Rate exceeded'), {
        name: 'ThrottlingException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const sending = endUserMessagingSmsSender(
      new PinpointSMSVoiceV2Client({ region: 'us-east-1', maxAttempts: 1 }),
      'arn',
    ).send(smsMessage);
    await expect(sending).rejects.toMatchObject({ name: 'ProviderThrottled', channel: 'sms' });
  });

  it('lets other refusals through as failures', async () => {
    sms
      .on(SendTextMessageCommand)
      .rejects(
        new ConflictException({ message: 'Conflict', Reason: 'RESOURCE_NOT_ACTIVE', $metadata: {} } as never),
      );
    const sending = endUserMessagingSmsSender(
      new PinpointSMSVoiceV2Client({ region: 'us-east-1' }),
      'arn',
    ).send(smsMessage);
    await expect(sending).rejects.toMatchObject({ name: 'ConflictException' });
  });

  it('sends SendTextMessage from the origination identity and returns the message id', async () => {
    // Prepare
    sms.on(SendTextMessageCommand).resolves({ MessageId: 'sms-msg-1' });
    const originationArn = 'arn:aws:sms-voice:us-east-1:111122223333:phone-number/phone-abc';
    // Act
    const result = await endUserMessagingSmsSender(
      new PinpointSMSVoiceV2Client({ region: 'us-east-1' }),
      originationArn,
    ).send({
      ...messageBase,
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
        // Ids only, which every delivery event of the message carries back.
        Context: {
          userId: 'user-1',
          touchId: messageBase.touchId,
          campaignId: 'registered-no-visit',
          variant: 'default',
        },
      },
    ]);
  });
});
