import { GetCommand, PutCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../clients/dynamodb';
import { requireEnv } from '../shared/config';
import { type DormancyIndexEntry, dormancyIndexEntryFor } from '../users/dormancy';
import type { User } from '../users/user';
import { getAll, putAll } from './batch';

const usersTable = requireEnv('USERS_TABLE');
export const DORMANCY_INDEX = 'byDormancy';

/** The stored item: the user plus its sparse dormancy index entry, kept true on every write. */
type UserItem = User & Partial<DormancyIndexEntry>;

const toItem = (user: User): UserItem => ({ ...user, ...dormancyIndexEntryFor(user) });

const fromItem = ({ dormancyKey: _key, dormantFrom: _from, ...user }: UserItem): User => user;

export const putUsers = async (users: readonly User[]): Promise<void> => {
  await putAll(usersTable, users.map(toItem));
};

export const putUser = async (user: User): Promise<void> => {
  await documentClient.send(new PutCommand({ TableName: usersTable, Item: toItem(user) }));
};

export const getUser = async (userId: string): Promise<User | undefined> => {
  const result = await documentClient.send(new GetCommand({ TableName: usersTable, Key: { userId } }));
  return result.Item ? fromItem(result.Item as UserItem) : undefined;
};

export const getUsers = async (userIds: readonly string[]): Promise<Map<string, User>> => {
  const items = await getAll<UserItem>(
    usersTable,
    userIds.map((userId) => ({ userId })),
  );
  return new Map(items.map((item) => [item.userId, fromItem(item)]));
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
