import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Channel } from '../campaign/definition';
import { withOverrides } from './configuration';

/**
 * How often one person may hear from us, over every campaign and run. Push, SMS and email count together
 * as messages; push also has its own limit (too many pushes make people uninstall); call tasks count apart.
 */
export const frequencyCapsSchema = z.strictObject({
  messagesPerLocalDay: z.number().int().min(1).max(10),
  messagesPer7Days: z.number().int().min(1).max(30),
  pushPer7Days: z.number().int().min(0).max(30),
  callsPer7Days: z.number().int().min(0).max(7),
});
export type FrequencyCaps = z.infer<typeof frequencyCapsSchema>;

/** Field practice for dormant lending users: never annoy. */
export const defaultFrequencyCaps: FrequencyCaps = {
  messagesPerLocalDay: 1,
  messagesPer7Days: 3,
  pushPer7Days: 2,
  callsPer7Days: 1,
};

/** The defaults with the limits a configuration overrides (a JSON string from CDK context, or an object). */
export const frequencyCapsFrom = (override: unknown): FrequencyCaps =>
  withOverrides(
    'frequencyCaps',
    frequencyCapsSchema,
    defaultFrequencyCaps,
    override,
    '{"messagesPer7Days":2}',
  );

/** One message or call task a person got, as their contact record keeps it. */
export interface ContactEntry {
  at: string;
  channel: Channel;
  runId: string;
  /** The run's touch that claimed it (records written before it was kept name none). */
  touch?: number;
}

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Whether one more contact on `channel` at `at` stays within every cap, given the person's recent contacts
 * (their own local day for the daily cap, a rolling 7 days for the others), in whatever order they were
 * claimed.
 */
export const withinCaps = (
  recent: readonly ContactEntry[],
  channel: Channel,
  at: Date,
  timeZone: string,
  caps: FrequencyCaps,
): boolean => {
  // Contacts claimed for a later moment count too: paced sends claim at their slots, and another run's
  // earlier claim may hold a later slot. Any 7 days around `at` holds them: stricter than the window before
  // `at` alone, never looser.
  const inWeek = recent.filter((contact) => Math.abs(Date.parse(contact.at) - at.getTime()) < WEEK_MS);
  if (channel === 'call')
    return inWeek.filter((contact) => contact.channel === 'call').length < caps.callsPer7Days;
  const messages = inWeek.filter((contact) => contact.channel !== 'call');
  const today = DateTime.fromJSDate(at, { zone: timeZone }).toISODate();
  const sameDay = messages.filter(
    (contact) => DateTime.fromISO(contact.at, { zone: timeZone }).toISODate() === today,
  );
  const pushes = messages.filter((contact) => contact.channel === 'push');
  return (
    sameDay.length < caps.messagesPerLocalDay &&
    messages.length < caps.messagesPer7Days &&
    (channel !== 'push' || pushes.length < caps.pushPer7Days)
  );
};

/** The contacts a cap can still count at `at`: the rest are dropped from the record. */
export const stillCounted = (recent: readonly ContactEntry[], at: Date): ContactEntry[] =>
  recent.filter((contact) => Date.parse(contact.at) > at.getTime() - WEEK_MS - 24 * 60 * 60 * 1000);
