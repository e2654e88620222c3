import { type ConnectClient, StartTaskContactCommand } from '@aws-sdk/client-connect';
import type { CallTask } from './call-task-queue';

/** Where call tasks also go when the stack is configured for an Amazon Connect instance (CDK context). */
export interface ConnectTaskTarget {
  instanceId: string;
  contactFlowId: string;
  /** The agent console's address: each Connect task links to its task there. */
  consoleUrl: string;
}

/**
 * Creates the call task as an Amazon Connect task too, routed by the contact flow: named by campaign and
 * priority, the script as its description, and a reference link to the task in the agent console. No phone or
 * name in it: the console shows the phone to the agent who takes the task. The client token is derived from
 * the task id, so a retried create makes no second Connect task. Answers the Connect contact id.
 */
export const startConnectTask = async (
  client: ConnectClient,
  target: ConnectTaskTarget,
  task: Pick<CallTask, 'taskId' | 'campaignId' | 'priority' | 'queue' | 'script'>,
): Promise<string | undefined> => {
  const link = `${target.consoleUrl.replace(/\/+$/, '')}/?task=${encodeURIComponent(task.taskId)}`;
  const response = await client.send(
    new StartTaskContactCommand({
      InstanceId: target.instanceId,
      ContactFlowId: target.contactFlowId,
      Name: `Call · ${task.campaignId} · priority ${task.priority}`.slice(0, 512),
      Description: task.script.slice(0, 4096),
      References: { console: { Type: 'URL', Value: link } },
      Attributes: {
        rekindleTaskId: task.taskId,
        rekindleQueue: task.queue,
        rekindlePriority: String(task.priority),
      },
      ClientToken: task.taskId.slice(-500),
    }),
  );
  return response.ContactId;
};
