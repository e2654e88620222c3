import { z } from 'zod';
import { ianaTimeZone, instant } from '../shared/schemas';
import {
  emailAddress,
  lifecycleSchema,
  locale,
  phoneNumber,
  pushRegistration,
  rings,
  valueTiers,
} from './user';

/**
 * Any fields of the import format, each optional: a `profile` event states only what it knows. `null`
 * removes an optional field (`"push": null` = the app was uninstalled or push was unregistered).
 */
export const profileFieldsSchema = z.strictObject({
  contact: z
    .strictObject({ phone: phoneNumber.nullable().optional(), email: emailAddress.nullable().optional() })
    .optional(),
  push: pushRegistration.nullable().optional(),
  timeZone: ianaTimeZone.optional(),
  locale: locale.optional(),
  consents: z
    .strictObject({
      push: z.boolean().optional(),
      sms: z.boolean().optional(),
      email: z.boolean().optional(),
      call: z.boolean().optional(),
    })
    .optional(),
  lifecycle: lifecycleSchema.partial().optional(),
  ring: z.enum(rings).nullable().optional(),
  valueTier: z.enum(valueTiers).nullable().optional(),
  tags: z.array(z.string().min(1)).optional(),
});
export type ProfileFields = z.infer<typeof profileFieldsSchema>;

/** Who or what stated a change: kebab-case, e.g. `app-settings`, `sms-keyword`, `do-not-call`. */
export const changeSource = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,63}$/, { message: 'must be a kebab-case source such as app-settings' });

export const userId = z.string().min(1).max(128);

/** A `profile` event on the app-events bus: creates the user, or updates just the fields given. */
export const profileEventSchema = profileFieldsSchema.extend({
  type: z.literal('profile'),
  userId,
  occurredAt: instant,
});
export type ProfileEvent = z.infer<typeof profileEventSchema>;
