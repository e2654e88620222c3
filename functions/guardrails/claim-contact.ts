import type { Channel } from '../campaign/definition';
import { getContactHistory, putContactHistory } from '../data/frequency-caps';
import { RekindleError } from '../shared/errors';
import { type FrequencyCaps, stillCounted, withinCaps } from './frequency-caps';

/** A person written by so many sends at once that a claim kept losing; the send is not made. */
export class ContactClaimContended extends RekindleError {
  constructor(userId: string) {
    super(
      'ContactClaimContended',
      `Contact history of ${userId} changed under every attempt to claim a send`,
    );
  }
}

const MAX_ATTEMPTS = 8;

/**
 * Claims one contact within the caps, just before the provider is called: true when the send may go, false
 * when it would take the person over a cap. Atomic over every run and batch: each claim is a conditional
 * write on the version it read, so two sends racing for the last slot cannot both win. The first read may
 * be stale (cheaper); a lost race re-reads strongly consistent.
 */
export const claimContact = async (
  userId: string,
  channel: Channel,
  at: Date,
  timeZone: string,
  runId: string,
  caps: FrequencyCaps,
): Promise<boolean> => {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    const history = await getContactHistory(userId, attempt > 1);
    if (!withinCaps(history.contacts, channel, at, timeZone, caps)) return false;
    const contacts = [...stillCounted(history.contacts, at), { at: at.toISOString(), channel, runId }];
    if (await putContactHistory({ userId, contacts, version: history.version }, history.version)) return true;
  }
  throw new ContactClaimContended(userId);
};
