import { z } from 'zod';
import { ianaTimeZone, instant } from '../shared/schemas';

/** How tightly the user is bound to the bank: app + own debit card = inner; + other cards = middle; app only = outer. */
export const rings = ['inner', 'middle', 'outer'] as const;
export const valueTiers = ['high', 'medium', 'low'] as const;

/**
 * A user as Rekindle stores it, which is also the documented import format (one JSON object per line).
 * Contact fields and push tokens are personal data: they go to providers, never to logs.
 */
export const userSchema = z.strictObject({
  userId: z.string().min(1).max(128),
  contact: z.strictObject({
    phone: z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, { message: 'must be an E.164 phone number such as +5215512345678' })
      .optional(),
    email: z.email({ message: 'must be an email address' }).optional(),
  }),
  /** The app's push registration; null when the app is uninstalled or push was never registered. */
  push: z.strictObject({ token: z.string().min(1), platform: z.enum(['fcm', 'apns']) }).nullable(),
  timeZone: ianaTimeZone,
  locale: z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, { message: 'must be a locale such as es-MX' }),
  consents: z.strictObject({ push: z.boolean(), sms: z.boolean(), email: z.boolean(), call: z.boolean() }),
  lifecycle: z.strictObject({
    registeredAt: instant,
    lastLoginAt: instant.optional(),
    applicationStartedAt: instant.optional(),
    lastCreditApplyAt: instant.optional(),
    creditGrantedAt: instant.optional(),
    lastDrawdownAt: instant.optional(),
    loanSettledAt: instant.optional(),
  }),
  ring: z.enum(rings).optional(),
  valueTier: z.enum(valueTiers).optional(),
  tags: z.array(z.string().min(1)).default([]),
});

export type User = z.infer<typeof userSchema>;
export type Lifecycle = User['lifecycle'];
