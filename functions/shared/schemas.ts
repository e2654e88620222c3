import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';

export const ianaTimeZone = z.string().refine((zone) => IANAZone.isValidZone(zone), {
  message: 'must be an IANA time zone such as Europe/Madrid',
});

export const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date as YYYY-MM-DD' })
  .refine((value) => DateTime.fromISO(value).isValid, { message: 'must be a real calendar date' });

export const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 timestamp' });
