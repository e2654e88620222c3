import { z } from 'zod';
import type { Channel } from '../campaign/definition';
import { ianaTimeZone, instant } from '../shared/schemas';

/** How tightly the user is bound to the bank: app + own debit card = inner; + other cards = middle; app only = outer. */
export const rings = ['inner', 'middle', 'outer'] as const;
export const valueTiers = ['high', 'medium', 'low'] as const;

export const phoneNumber = z
  .string()
  .regex(/^\+[1-9]\d{6,14}$/, { message: 'must be an E.164 phone number such as +5215512345678' });
export const emailAddress = z.email({ message: 'must be an email address' });
export const pushRegistration = z.strictObject({
  token: z.string().min(1).max(4096),
  platform: z.enum(['fcm', 'apns']),
});
export const locale = z
  .string()
  .regex(/^[a-z]{2}(-[A-Z]{2})?$/, { message: 'must be a locale such as es-MX' });
export const lifecycleSchema = z.strictObject({
  registeredAt: instant,
  lastLoginAt: instant.optional(),
  applicationStartedAt: instant.optional(),
  lastCreditApplyAt: instant.optional(),
  creditGrantedAt: instant.optional(),
  lastDrawdownAt: instant.optional(),
  loanSettledAt: instant.optional(),
});

/**
 * A user as Rekindle stores it, which is also the documented import format (one JSON object per line).
 * Contact fields and push tokens are personal data: they go to providers, never to logs.
 */
export const userSchema = z.strictObject({
  userId: z.string().min(1).max(128),
  contact: z.strictObject({ phone: phoneNumber.optional(), email: emailAddress.optional() }),
  /** The app's push registration; null when the app is uninstalled or push was never registered. */
  push: pushRegistration.nullable(),
  timeZone: ianaTimeZone,
  locale,
  consents: z.strictObject({ push: z.boolean(), sms: z.boolean(), email: z.boolean(), call: z.boolean() }),
  lifecycle: lifecycleSchema,
  ring: z.enum(rings).optional(),
  valueTier: z.enum(valueTiers).optional(),
  tags: z.array(z.string().min(1)).default([]),
});

export type User = z.infer<typeof userSchema>;
export type Lifecycle = User['lifecycle'];

/**
 * The fields whose latest statement wins, each stamped with when it was stated (`asOf`), so an event that
 * arrives late never overwrites a newer value. Lifecycle moments other than registration need no stamp:
 * each keeps the latest moment.
 */
export const stampedFields = [
  'contact.phone',
  'contact.email',
  'push',
  'timeZone',
  'locale',
  'consents.push',
  'consents.sms',
  'consents.email',
  'consents.call',
  'lifecycle.registeredAt',
  'ring',
  'valueTier',
  'tags',
] as const;
export type StampedField = (typeof stampedFields)[number];

/** A stored user: the user, when each stamped field was stated, who set each consent, and a version. */
export interface UserRecord extends User {
  asOf: Partial<Record<StampedField, string>>;
  /** The source of each channel's current consent (`sms-keyword`, `app-settings`, `import` ...). */
  consentSources: Partial<Record<keyof User['consents'], string>>;
  /** When each channel last went from reachable to not (consent withdrawn, address removed). */
  turnedOffAt: Partial<Record<Channel, string>>;
  /** Incremented by every write; each write is conditional on the version it read. */
  version: number;
  /**
   * Statements about a user nobody has created yet (a consent or a login that overtook the profile), kept
   * so that the creating profile or import merges into them. Never selected, never messaged.
   */
  pending?: true;
}

/** A change of whether the user can be reached on a channel, as the consent trail records it. */
export interface ChannelChange {
  channel: Channel;
  change: 'consent-granted' | 'consent-withdrawn' | 'push-registered' | 'push-removed';
  /** False when a newer statement already held: kept in the trail, not applied. */
  applied: boolean;
}
