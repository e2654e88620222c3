import { DateTime } from 'luxon';
import type { Channel } from '../campaign/definition';
import type { Run } from '../campaign/run';
import { getContactRecord, putContactRecord } from '../data/contacts';
import { RekindleError } from '../shared/errors';
import { type ContactEntry, type FrequencyCaps, stillCounted, withinCaps } from './frequency-caps';

/**
 * One record per person over every campaign: the messages and call tasks of the last week (frequency
 * caps), and until when they may not re-enter each campaign (cool-downs). Every write is conditional on
 * the version read, so what two runs write at once both hold, and no cap is ever exceeded.
 */
export interface ContactRecord {
  userId: string;
  contacts: ContactEntry[];
  /** Campaign id → the local date from which the person may be enrolled again. */
  cooldowns: Record<string, string>;
  version: number;
}

/** A person written by so many sends at once that a claim kept losing; the send is not made. */
export class ContactClaimContended extends RekindleError {
  constructor(userId: string) {
    super('ContactClaimContended', `Contact record of ${userId} changed under every attempt to write it`);
  }
}

/** Enrolled on `runDate`: not again in this campaign before `until`. */
export interface Cooldown {
  campaignId: string;
  until: string;
}

export const cooldownAfter = (campaignId: string, runDate: string, days: number): Cooldown => ({
  campaignId,
  until: DateTime.fromISO(runDate, { zone: 'UTC' }).plus({ days }).toISODate() ?? runDate,
});

/** The cool-down a run's enrollment starts; none for a dry run, a user-list launch or a campaign without one. */
export const cooldownOf = (run: Run): Cooldown | undefined =>
  run.dryRun || run.userIds !== undefined || run.campaign.reentryCooldownDays === 0
    ? undefined
    : cooldownAfter(run.campaign.id, run.runDate, run.campaign.reentryCooldownDays);

export const isCoolingDown = (record: ContactRecord, campaignId: string, onDate: string): boolean =>
  (record.cooldowns[campaignId] ?? '') > onDate;

const MAX_ATTEMPTS = 8;
const DAY_S = 24 * 60 * 60;

/** The record's TTL: a day after the last contact's week and the last cool-down have passed. */
const expiryOf = (record: ContactRecord): number => {
  const lastContact = Math.max(
    0,
    ...record.contacts.map((contact) => Date.parse(contact.at) / 1000 + 7 * DAY_S),
  );
  const lastCooldown = Math.max(
    0,
    ...Object.values(record.cooldowns).map((until) => Date.parse(until) / 1000),
  );
  return Math.floor(Math.max(lastContact, lastCooldown)) + DAY_S;
};

/**
 * Changes a record by `change` (undefined: nothing to write) with a conditional write, starting from
 * `prefetched` (maybe stale) and re-reading strongly consistent after a lost race.
 */
const changeRecord = async <T>(
  userId: string,
  prefetched: ContactRecord | undefined,
  change: (record: ContactRecord) => { record?: ContactRecord; result: T },
): Promise<T> => {
  let current = prefetched;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    const read = current ?? (await getContactRecord(userId));
    const { record, result } = change(read);
    if (record === undefined) return result;
    if (await putContactRecord(record, read.version, expiryOf(record))) return result;
    current = undefined;
  }
  throw new ContactClaimContended(userId);
};

/**
 * Claims one contact within the caps, just before the provider is called: true when the send may go, false
 * when it would take the person over a cap. A claim also records the run's cool-down, if it has one.
 *
 * A touch claims once per person: a claim the same touch of the same run made before is replaced, not
 * added to. Such a claim sent nothing (a send is tried again in a later pass only when the provider
 * throttled it to the worker's deadline), so it must not hold the person's cap against its own retry.
 */
export const claimContact = (
  prefetched: ContactRecord | undefined,
  contact: { userId: string; channel: Channel; at: Date; timeZone: string; runId: string; touch: number },
  caps: FrequencyCaps,
  cooldown: Cooldown | undefined,
): Promise<boolean> =>
  changeRecord(contact.userId, prefetched, (record) => {
    const others = record.contacts.filter(
      (entry) => entry.runId !== contact.runId || entry.touch !== contact.touch,
    );
    if (!withinCaps(others, contact.channel, contact.at, contact.timeZone, caps)) {
      return { result: false };
    }
    const entry = {
      at: contact.at.toISOString(),
      channel: contact.channel,
      runId: contact.runId,
      touch: contact.touch,
    };
    return {
      result: true,
      record: {
        ...record,
        contacts: [...stillCounted(others, contact.at), entry],
        cooldowns: cooldown
          ? { ...record.cooldowns, [cooldown.campaignId]: cooldown.until }
          : record.cooldowns,
      },
    };
  });

/** Records a cool-down for someone no send has recorded it for (holdout, a member skipped at touch 1). */
export const recordCooldown = (
  prefetched: ContactRecord | undefined,
  userId: string,
  cooldown: Cooldown,
): Promise<void> =>
  changeRecord(userId, prefetched, (record) =>
    (record.cooldowns[cooldown.campaignId] ?? '') >= cooldown.until
      ? { result: undefined }
      : {
          result: undefined,
          record: { ...record, cooldowns: { ...record.cooldowns, [cooldown.campaignId]: cooldown.until } },
        },
  );
