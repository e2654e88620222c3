import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SandboxMessage } from '../channels/channel';
import { documentClient } from '../clients/dynamodb';
import { requireEnv } from '../shared/config';

const outboxTable = requireEnv('SANDBOX_OUTBOX_TABLE');

export const putOutboxMessage = async (message: SandboxMessage): Promise<void> => {
  await documentClient.send(new PutCommand({ TableName: outboxTable, Item: message }));
};
