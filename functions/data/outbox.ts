import { PutCommand, paginateScan } from '@aws-sdk/lib-dynamodb';
import type { SandboxMessage } from '../channels/channel';
import { documentClient } from '../clients/dynamodb';
import { requireEnv } from '../shared/config';

const outboxTable = requireEnv('SANDBOX_OUTBOX_TABLE');

export const putOutboxMessage = async (message: SandboxMessage): Promise<void> => {
  await documentClient.send(new PutCommand({ TableName: outboxTable, Item: message }));
};

/** Every recorded message; for the local runtime and for inspecting a sandbox deployment. */
export const scanOutbox = async (): Promise<SandboxMessage[]> => {
  const messages: SandboxMessage[] = [];
  for await (const page of paginateScan(
    { client: documentClient },
    { TableName: outboxTable, ConsistentRead: true },
  )) {
    messages.push(...((page.Items ?? []) as SandboxMessage[]));
  }
  return messages;
};
