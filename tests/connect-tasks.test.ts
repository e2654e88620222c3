import { ConnectClient, StartTaskContactCommand } from '@aws-sdk/client-connect';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { useLocalRekindle } from './support/local-rekindle';
import { messageBase } from './support/messages';

const local = useLocalRekindle();
const connect = mockClient(ConnectClient);
afterEach(() => connect.reset());

const target = { instanceId: 'inst-1234', contactFlowId: 'flow-5678', consoleUrl: 'https://agents.example/' };
const callMessage = {
  ...messageBase,
  channel: 'call' as const,
  address: { phone: '+525512345678' },
  script: 'Welcome call: help the customer log in.',
  queue: 'onboarding',
  priority: 2,
  lastTouches: [],
  timeZone: 'America/Mexico_City',
  expiresAt: '2026-11-30T17:00:00.000Z',
};

/** Amazon Connect has no local form: its client is mocked; the task table is DynamoDB Local's. */
const sender = async (onFailure = (_error: unknown) => {}) => {
  const { callTaskQueue } = await import('../functions/channels/call-task-queue');
  const { startConnectTask } = await import('../functions/channels/connect-tasks');
  const client = new ConnectClient({ region: 'us-east-1' });
  return callTaskQueue((task) => startConnectTask(client, target, task), onFailure);
};

describe('call tasks in Amazon Connect', () => {
  it('creates each new call task as a Connect task linking to the console, without the phone, once', async () => {
    // Prepare
    connect.on(StartTaskContactCommand).resolves({ ContactId: 'contact-1' });
    const send = await sender();

    // Act: the send, then a retried batch sending the same task again.
    const first = await send.send(callMessage);
    const again = await send.send(callMessage);

    // Assess
    const taskId = `${messageBase.runId}#${messageBase.userId}`;
    expect(first).toEqual({ messageId: taskId });
    expect(again).toEqual({ messageId: taskId });
    const calls = connect.commandCalls(StartTaskContactCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]?.args[0].input;
    expect(input).toMatchObject({
      InstanceId: 'inst-1234',
      ContactFlowId: 'flow-5678',
      Name: `Call · ${messageBase.campaignId} · priority 2`,
      Description: 'Welcome call: help the customer log in.',
      References: {
        console: { Type: 'URL', Value: `https://agents.example/?task=${encodeURIComponent(taskId)}` },
      },
      Attributes: { rekindleTaskId: taskId, rekindleQueue: 'onboarding', rekindlePriority: '2' },
      ClientToken: taskId,
    });
    expect(JSON.stringify(input)).not.toContain('+525512345678');
    expect(await local.rekindle.scanTable('CallTasks')).toHaveLength(1);
  });

  it('keeps the task in Rekindle’s queue when Connect fails, and reports it', async () => {
    // Prepare
    connect
      .on(StartTaskContactCommand)
      .rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    const failures: string[] = [];
    const send = await sender((error) => failures.push((error as Error).name));

    // Act
    const sent = await send.send(callMessage);

    // Assess
    expect(sent.messageId).toContain(messageBase.userId);
    expect(failures).toEqual(['ThrottlingException']);
    expect(await local.rekindle.scanTable('CallTasks')).toMatchObject([
      { status: 'open', queue: 'onboarding' },
    ]);
  });
});
