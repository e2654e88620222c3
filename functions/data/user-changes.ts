import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../clients/dynamodb';
import { requireEnv } from '../shared/config';
import type { ChannelChange, UserRecord } from '../users/user';
import { toItem } from './users';

const usersTable = requireEnv('USERS_TABLE');
const consentChangesTable = requireEnv('CONSENT_CHANGES_TABLE');

/** One entry of a user's consent trail: what changed on which channel, who said so and when. */
export interface ConsentChange extends ChannelChange {
  userId: string;
  /** When the person said so (the statement's time). */
  occurredAt: string;
  /** When Rekindle learned it: from then on no send may use the channel. */
  recordedAt: string;
  source: string;
  eventId: string;
}

/** The trail is sorted by time; the event id makes a redelivered event's entry the same item. */
const consentChangeItem = (change: ConsentChange) => ({
  ...change,
  changeKey: `${change.occurredAt}#${change.channel}#${change.change}#${change.eventId}`,
});

const isCondition = (error: unknown) =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof Error && error.name === 'TransactionCanceledException');

/**
 * Writes the user only if it still has the version that was read (or still does not exist), together with
 * its consent-trail entries, in one transaction. False when another write came first.
 */
export const writeUserRecord = async (
  record: UserRecord,
  expectedVersion: number | undefined,
  trail: readonly ConsentChange[],
): Promise<boolean> => {
  const condition =
    expectedVersion === undefined
      ? { ConditionExpression: 'attribute_not_exists(userId)' }
      : expectedVersion === 0
        ? // Written before users had versions (a seed, an earlier release).
          { ConditionExpression: 'attribute_exists(userId) AND attribute_not_exists(version)' }
        : {
            ConditionExpression: 'version = :expected',
            ExpressionAttributeValues: { ':expected': expectedVersion },
          };
  const put = { TableName: usersTable, Item: toItem(record), ...condition };
  try {
    if (trail.length === 0) await documentClient.send(new PutCommand(put));
    else {
      await documentClient.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: put },
            ...trail.map((change) => ({
              Put: { TableName: consentChangesTable, Item: consentChangeItem(change) },
            })),
          ],
        }),
      );
    }
    return true;
  } catch (error) {
    if (isCondition(error)) return false;
    throw error;
  }
};

/** Trail entries that change no user (a statement a newer one overrides); a redelivery rewrites the same item. */
export const putConsentChanges = async (trail: readonly ConsentChange[]): Promise<void> => {
  for (const change of trail) {
    try {
      // Once written, an entry stays as it was: a redelivery must not rewrite what the trail says.
      await documentClient.send(
        new PutCommand({
          TableName: consentChangesTable,
          Item: consentChangeItem(change),
          ConditionExpression: 'attribute_not_exists(changeKey)',
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
};
