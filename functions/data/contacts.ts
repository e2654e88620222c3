import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../clients/dynamodb';
import type { ContactRecord } from '../guardrails/contacts';
import { requireEnv } from '../shared/config';
import { getAll } from './batch';

const contactsTable = requireEnv('CONTACTS_TABLE');

const blank = (userId: string): ContactRecord => ({ userId, contacts: [], cooldowns: {}, version: 0 });

/** The people's contact records (eventually consistent: a stale one only makes a claim re-read). */
export const getContactRecords = async (userIds: readonly string[]): Promise<Map<string, ContactRecord>> => {
  const found = await getAll<ContactRecord>(
    contactsTable,
    userIds.map((userId) => ({ userId })),
  );
  const byUser = new Map(found.map((record) => [record.userId, record]));
  return new Map(userIds.map((userId) => [userId, byUser.get(userId) ?? blank(userId)]));
};

export const getContactRecord = async (userId: string): Promise<ContactRecord> => {
  const result = await documentClient.send(
    new GetCommand({ TableName: contactsTable, Key: { userId }, ConsistentRead: true }),
  );
  return (result.Item as ContactRecord | undefined) ?? blank(userId);
};

/**
 * Writes the record only if nobody else wrote since `expectedVersion` was read: two sends racing for the
 * last slot of a cap cannot both win. False when another write came first. The item expires (TTL) once
 * neither a contact nor a cool-down in it counts any more.
 */
export const putContactRecord = async (
  record: ContactRecord,
  expectedVersion: number,
  expiresAt: number,
): Promise<boolean> => {
  try {
    await documentClient.send(
      new PutCommand({
        TableName: contactsTable,
        Item: { ...record, version: expectedVersion + 1, expiresAt },
        ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(userId)' : 'version = :expected',
        ...(expectedVersion === 0 ? {} : { ExpressionAttributeValues: { ':expected': expectedVersion } }),
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};
