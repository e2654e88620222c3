import type { User } from '../../functions/users/user';

/** A reachable, consenting, never-returned user; tests override only what they are about. */
export const aUser = (userId: string, overrides: Partial<User> = {}): User => ({
  userId,
  contact: { phone: '+525512345678', email: `${userId}@example.com` },
  push: { token: `token-${userId}`, platform: 'fcm' },
  timeZone: 'America/Mexico_City',
  locale: 'es-MX',
  consents: { push: true, sms: true, email: true, call: true },
  lifecycle: { registeredAt: '2026-11-01T18:00:00.000Z' },
  tags: [],
  ...overrides,
});
