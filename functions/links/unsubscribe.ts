import { now } from '../shared/clock';
import { applyUserUpdate, type UpdateOutcome } from '../users/user-update';
import { verifyLinkToken } from './link-token';
import { linkSigningKeys } from './signing-keys';

export const UNSUBSCRIBE_SOURCE = 'unsubscribe-link';

/** Checks a link's token without changing anything: what a GET (which mail scanners prefetch) may do. */
export const checkUnsubscribeToken = async (token: string) => verifyLinkToken(token, await linkSigningKeys());

/**
 * One-click unsubscribe (RFC 8058): the signed token is the authorization, email consent goes off. The
 * event id is the token's signature, so a repeated POST is the same statement and records nothing twice.
 */
export const unsubscribe = async (
  token: string,
): Promise<{ userId: string; campaignId: string; outcome: UpdateOutcome }> => {
  const { userId, campaignId, signature } = await checkUnsubscribeToken(token);
  const { outcome } = await applyUserUpdate({
    userId,
    occurredAt: now().toISOString(),
    source: UNSUBSCRIBE_SOURCE,
    eventId: `${UNSUBSCRIBE_SOURCE}#${signature}`,
    fields: { consents: { email: false } },
    ifMissing: 'ignore',
  });
  return { userId, campaignId, outcome };
};
