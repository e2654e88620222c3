import { GetCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../clients/dynamodb';
import { requireEnv } from '../shared/config';
import { type DormancyIndexEntry, dormancyIndexEntryFor } from '../users/dormancy';
import { stampedFields, type User, type UserRecord } from '../users/user';
import { getAll, putAll } from './batch';

const usersTable = requireEnv('USERS_TABLE');
export const DORMANCY_INDEX = 'byDormancy';
export const PHONE_INDEX = 'byPhone';

/**
 * The stored item: the user plus its derived index keys, kept true on every write: the sparse dormancy
 * entry, and `phoneKey` (the phone number) for finding who replied to an SMS.
 */
type UserItem = UserRecord & Partial<DormancyIndexEntry> & { phoneKey?: string };

export const toItem = (record: UserRecord): UserItem =>
  // A pending record (statements about a user not created yet) is on no index: never selected or found.
  record.pending
    ? record
    : {
        ...record,
        ...dormancyIndexEntryFor(record),
        ...(record.contact.phone ? { phoneKey: record.contact.phone } : {}),
      };

const fromItem = ({
  dormancyKey: _key,
  dormantFrom: _from,
  phoneKey: _phone,
  ...record
}: UserItem): UserRecord => ({
  ...record,
  asOf: record.asOf ?? {},
  consentSources: record.consentSources ?? {},
  turnedOffAt: record.turnedOffAt ?? {},
  version: record.version ?? 0,
});

/**
 * Seeds users in bulk without conditions, every field stated as of `asOf`: for the local runtime's tests
 * and the benchmark. Everything that arrives from outside goes through `applyUserUpdate`.
 */
export const seedUsers = async (users: readonly User[], asOf: string): Promise<void> => {
  const stamps = Object.fromEntries(stampedFields.map((field) => [field, asOf]));
  await putAll(
    usersTable,
    users.map((user) => toItem({ ...user, asOf: stamps, consentSources: {}, turnedOffAt: {}, version: 1 })),
  );
};

export const getUserRecord = async (userId: string): Promise<UserRecord | undefined> => {
  const result = await documentClient.send(
    new GetCommand({ TableName: usersTable, Key: { userId }, ConsistentRead: true }),
  );
  return result.Item ? fromItem(result.Item as UserItem) : undefined;
};

/**
 * The users by id; pending records (users not created yet) are absent. `consistent` reads the latest write,
 * as the send step must: an opt-out a moment ago is honoured by the next chunk.
 */
export const getUsers = async (
  userIds: readonly string[],
  options: { consistent?: boolean } = {},
): Promise<Map<string, UserRecord>> => {
  const items = await getAll<UserItem>(
    usersTable,
    userIds.map((userId) => ({ userId })),
    options.consistent ?? false,
  );
  return new Map(items.filter((item) => !item.pending).map((item) => [item.userId, fromItem(item)]));
};

/** Reads only the users of one dormancy partition who become dormant on `localDate`. */
export const queryUserIdsDormantFrom = async (dormancyKey: string, localDate: string): Promise<string[]> => {
  const userIds: string[] = [];
  const pages = paginateQuery(
    { client: documentClient },
    {
      TableName: usersTable,
      IndexName: DORMANCY_INDEX,
      KeyConditionExpression: 'dormancyKey = :key AND dormantFrom = :date',
      ExpressionAttributeValues: { ':key': dormancyKey, ':date': localDate },
      ProjectionExpression: 'userId',
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) userIds.push(item.userId as string);
  }
  return userIds;
};

/** Everyone with this phone number (a family may share one): who replied to an SMS. */
export const queryUserIdsByPhone = async (phone: string): Promise<string[]> => {
  const userIds: string[] = [];
  const pages = paginateQuery(
    { client: documentClient },
    {
      TableName: usersTable,
      IndexName: PHONE_INDEX,
      KeyConditionExpression: 'phoneKey = :phone',
      ExpressionAttributeValues: { ':phone': phone },
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) userIds.push(item.userId as string);
  }
  return userIds;
};
