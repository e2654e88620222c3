import type { User } from '../../functions/users/user';

/**
 * A reachable, consenting user who registered on 2026-11-19 (local) and never came back: dormant for
 * registered-no-visit on the run date 2026-11-22. Tests override only what they are about.
 */
export const aUser = (userId: string, overrides: Partial<User> = {}): User => ({
  userId,
  contact: { phone: '+525512345678', email: `${userId}@example.com` },
  push: { token: `token-${userId}`, platform: 'fcm' },
  timeZone: 'America/Mexico_City',
  locale: 'es-MX',
  consents: { push: true, sms: true, email: true, call: true },
  lifecycle: { registeredAt: '2026-11-19T18:00:00.000Z' },
  tags: [],
  ...overrides,
});

/** The same user, reachable only on the given channels (address and consent), in ladder order. */
export const reachableOn = (
  userId: string,
  channels: ('push' | 'sms' | 'email' | 'call')[],
  overrides: Partial<User> = {},
) =>
  aUser(userId, {
    push: channels.includes('push') ? { token: `token-${userId}`, platform: 'fcm' } : null,
    contact: {
      ...(channels.includes('sms') || channels.includes('call') ? { phone: '+525512345678' } : {}),
      ...(channels.includes('email') ? { email: `${userId}@example.com` } : {}),
    },
    consents: {
      push: channels.includes('push'),
      sms: channels.includes('sms'),
      email: channels.includes('email'),
      call: channels.includes('call'),
    },
    ...overrides,
  });
