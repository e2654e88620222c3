import { DateTime } from 'luxon';
import { z } from 'zod';
import { type Campaign, type Channel, channels, ladderOf } from '../campaign/definition';
import { RekindleError } from '../shared/errors';
import { withOverrides } from './configuration';

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'must be a local time as HH:MM' });

/** A span of the user's local day in which nothing is sent on a channel; it may wrap midnight (21:00–09:00). */
const quietSpan = z
  .strictObject({ start: clockTime, end: clockTime })
  .refine((span) => span.start !== span.end, { message: 'start and end must differ' });
export type QuietSpan = z.infer<typeof quietSpan>;

export const quietHoursSchema = z.strictObject(
  Object.fromEntries(channels.map((channel) => [channel, quietSpan])) as Record<Channel, typeof quietSpan>,
);
export type QuietHours = Record<Channel, QuietSpan>;

/**
 * Field practice: no push, SMS or email from 21:00 to 09:00, no calls outside 09:00–20:00, in each user's
 * own local time. Stack-wide; a deployment changes them with `-c quietHours='{"sms":{...}}'`.
 */
export const defaultQuietHours: QuietHours = {
  push: { start: '21:00', end: '09:00' },
  sms: { start: '21:00', end: '09:00' },
  email: { start: '21:00', end: '09:00' },
  call: { start: '20:00', end: '09:00' },
};

/** A campaign that would send inside quiet hours: it can never send then, so it must not ask to. */
export class CampaignInQuietHours extends RekindleError {
  constructor(message: string) {
    super('CampaignInQuietHours', message);
  }
}

/** The defaults with the channels a configuration overrides (a JSON string from CDK context, or an object). */
export const quietHoursFrom = (override: unknown): QuietHours =>
  withOverrides(
    'quietHours',
    quietHoursSchema,
    defaultQuietHours,
    override,
    '{"sms":{"start":"21:00","end":"09:00"}}',
  );

const minuteOf = (clock: string) => {
  const [hours = 0, minutes = 0] = clock.split(':').map(Number);
  return hours * 60 + minutes;
};

const quietAtMinute = (span: QuietSpan, minute: number): boolean => {
  const start = minuteOf(span.start);
  const end = minuteOf(span.end);
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
};

/** Whether `at` falls in the channel's quiet hours in the user's own time zone. */
export const isQuietHour = (at: Date, span: QuietSpan, timeZone: string): boolean => {
  const local = DateTime.fromJSDate(at, { zone: timeZone });
  return quietAtMinute(span, local.hour * 60 + local.minute);
};

/**
 * Fails when a send window of the campaign overlaps the quiet hours of a channel it sends on. Call steps
 * are exempt: a touch only queues a call task, and agents call within calling hours.
 */
export const assertOutsideQuietHours = (campaign: Campaign, quietHours: QuietHours): void => {
  const sending = new Set(ladderOf(campaign).map((step) => step.channel));
  sending.delete('call');
  for (const channel of sending) {
    const span = quietHours[channel];
    for (const window of campaign.sendWindows) {
      for (let minute = minuteOf(window.start); minute < minuteOf(window.end); minute += 1) {
        if (quietAtMinute(span, minute)) {
          throw new CampaignInQuietHours(
            `Campaign ${campaign.id}: send window ${window.start}–${window.end} falls inside ${channel} quiet hours ${span.start}–${span.end}`,
          );
        }
      }
    }
  }
};
