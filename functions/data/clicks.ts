import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Channel } from '../campaign/definition';
import { documentClient } from '../clients/dynamodb';
import type { TrackedLink } from '../links/tracked-link';
import { requireEnv } from '../shared/config';

const clicksTable = requireEnv('CLICKS_TABLE');

/** Kept for half a year of weekly reviews after the link expired, then DynamoDB deletes it (TTL). */
const KEPT_SECONDS = 183 * 24 * 60 * 60;

/** How a link request that is not a person's click was told apart (functions/links/link-requests.ts). */
export type ScannerReason = 'head-request' | 'prefetch' | 'no-agent' | 'scanner-agent' | 'too-soon';

/**
 * The clicks on one user's links of one touch: the first person's click, how many requests a person made,
 * and apart from them what scanners and previews fetched. Keyed by the hashes the link carries.
 */
export interface ClickRecord {
  /** `<run code>#<touch>` */
  touchKey: string;
  userHash: string;
  channel: Channel;
  clickedAt?: string;
  clicks?: number;
  scannerAt?: string;
  scannerReason?: ScannerReason;
  scannerRequests?: number;
  expiresAt: number;
}

const touchKeyOf = (runCode: string, touch: number) => `${runCode}#${touch}`;

/**
 * Counts one request of a verified link: a person's click keeps its first moment and adds to the count; a
 * scanner's request is kept apart, with the first reason it was told apart by. Repeats add counts only.
 */
export const recordLinkRequest = async (
  link: TrackedLink,
  at: Date,
  scanner: ScannerReason | undefined,
): Promise<void> => {
  const [first, reason, count] = scanner
    ? (['scannerAt', 'scannerReason', 'scannerRequests'] as const)
    : (['clickedAt', undefined, 'clicks'] as const);
  const sets = [
    '#first = if_not_exists(#first, :at)',
    '#channel = :channel',
    '#expiresAt = if_not_exists(#expiresAt, :expiresAt)',
    ...(reason ? ['#reason = if_not_exists(#reason, :reason)'] : []),
  ];
  await documentClient.send(
    new UpdateCommand({
      TableName: clicksTable,
      Key: { touchKey: touchKeyOf(link.runCode, link.touch), userHash: link.userHash },
      UpdateExpression: `SET ${sets.join(', ')} ADD #count :one`,
      ExpressionAttributeNames: {
        '#first': first,
        '#channel': 'channel',
        '#expiresAt': 'expiresAt',
        '#count': count,
        ...(reason ? { '#reason': reason } : {}),
      },
      ExpressionAttributeValues: {
        ':at': at.toISOString(),
        ':channel': link.channel,
        ':expiresAt': Math.floor(Date.parse(link.expiresAt) / 1000) + KEPT_SECONDS,
        ':one': 1,
        ...(scanner ? { ':reason': scanner } : {}),
      },
    }),
  );
};

/** Every click record of a touch of a run, by user hash (functions/links/tracked-link.ts `userHashOf`). */
export const queryTouchClicks = async (runCode: string, touch: number): Promise<Map<string, ClickRecord>> => {
  const clicks = new Map<string, ClickRecord>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(
      new QueryCommand({
        TableName: clicksTable,
        KeyConditionExpression: 'touchKey = :touchKey',
        ExpressionAttributeValues: { ':touchKey': touchKeyOf(runCode, touch) },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) clicks.set(String(item.userHash), item as ClickRecord);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return clicks;
};
