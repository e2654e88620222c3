import { DateTime } from 'luxon';
import { RekindleError } from '../functions/shared/errors';
import type { User } from '../functions/users/user';
import type { InboundEvent } from './inbound-events';
import { randomStream } from './random';

/** A population file line that is not valid JSON or not a valid user: `npm start` runs nothing. */
export class PopulationLineInvalid extends RekindleError {
  constructor(
    readonly line: number,
    problem: string,
  ) {
    super('PopulationLineInvalid', `Population line ${line}: ${problem}`);
  }
}

export interface PopulationOptions {
  seed: number;
  /** The first run date: the population holds the dormant cohorts of every campaign from that day on. */
  runDate: string;
  /** How many consecutive days, from `runDate`, hold a dormant cohort (default 1). */
  days?: number;
  timeZone: string;
  /** Users in all, whatever the number of days. */
  size: number;
}

/** Who a synthetic user is, and how likely. */
const profiles = [
  ['registered-no-visit', 0.25],
  ['application-incomplete', 0.15],
  ['credited-no-drawdown', 0.15],
  ['settled-no-reborrow', 0.15],
  ['active', 0.15],
  ['dormant-another-day', 0.1],
  ['other-time-zone', 0.05],
] as const;
type Profile = (typeof profiles)[number][0];

const pickProfile = (draw: number): Profile => {
  let remaining = draw;
  for (const [profile, share] of profiles) {
    remaining -= share;
    if (remaining < 0) return profile;
  }
  return 'active';
};

/**
 * A synthetic population holding, for each of `days` days from the run date, the dormant cohort of each
 * dormancy model (users whose dormancy starts that day; each user on one day, spread evenly), plus active
 * users, users dormant since before the first day and users in another time zone, who must not be
 * selected; with uninstalled apps, missing phones and emails and refused consents, so every rung of the
 * ladder and every skip reason shows up.
 */
export const generatePopulation = ({
  seed,
  runDate,
  days = 1,
  timeZone,
  size,
}: PopulationOptions): User[] => {
  const runDay = DateTime.fromISO(runDate, { zone: timeZone }).startOf('day');
  return Array.from({ length: size }, (_, index): User => {
    const userId = `user-${String(index + 1).padStart(6, '0')}`;
    const random = randomStream(seed, userId);
    const profile = pickProfile(random.fraction());
    // The day this user's dormancy starts, from a stream of its own: one day gives the population it always gave.
    const cohortDay = runDay.plus({ days: randomStream(seed, `day|${userId}`).integer(0, days - 1) });
    // A moment on the local day `days` before the user's cohort day, or before the run date.
    const daysBefore = (days: number, from = cohortDay) =>
      from.minus({ days }).plus({ minutes: random.integer(0, 24 * 60 - 1) });
    const iso = (moment: DateTime) => moment.toUTC().toISO() ?? '';
    const registeredAt = daysBefore(random.integer(40, 400), runDay);
    const lifecycle: User['lifecycle'] = { registeredAt: iso(registeredAt) };
    switch (profile) {
      case 'registered-no-visit':
      case 'other-time-zone':
        lifecycle.registeredAt = iso(daysBefore(3));
        break;
      case 'dormant-another-day':
        lifecycle.registeredAt = iso(daysBefore(random.integer(4, 30), runDay));
        break;
      case 'application-incomplete':
        lifecycle.lastLoginAt = iso(daysBefore(3));
        lifecycle.applicationStartedAt = lifecycle.lastLoginAt;
        break;
      case 'credited-no-drawdown':
        lifecycle.lastLoginAt = iso(daysBefore(7));
        lifecycle.applicationStartedAt = iso(daysBefore(9));
        lifecycle.lastCreditApplyAt = iso(daysBefore(8));
        lifecycle.creditGrantedAt = iso(daysBefore(7));
        break;
      case 'settled-no-reborrow':
        lifecycle.lastLoginAt = iso(daysBefore(30));
        lifecycle.applicationStartedAt = iso(daysBefore(200));
        lifecycle.lastCreditApplyAt = iso(daysBefore(200));
        lifecycle.creditGrantedAt = iso(daysBefore(199));
        lifecycle.lastDrawdownAt = iso(daysBefore(198));
        lifecycle.loanSettledAt = iso(daysBefore(30));
        break;
      case 'active':
        lifecycle.lastLoginAt = iso(daysBefore(random.integer(0, 2), runDay));
        break;
    }
    const installed = random.chance(0.7);
    return {
      userId,
      contact: {
        ...(random.chance(0.93)
          ? { phone: `+5255${String(random.integer(0, 99_999_999)).padStart(8, '0')}` }
          : {}),
        ...(random.chance(0.55) ? { email: `${userId}@example.com` } : {}),
      },
      push: installed ? { token: `token-${userId}`, platform: random.chance(0.6) ? 'fcm' : 'apns' } : null,
      timeZone: profile === 'other-time-zone' ? 'America/Tijuana' : timeZone,
      locale: random.chance(0.8) ? 'es-MX' : 'en-US',
      consents: {
        push: random.chance(0.85),
        sms: random.chance(0.9),
        email: random.chance(0.8),
        call: random.chance(0.6),
      },
      lifecycle,
      ring: random.pick(['inner', 'middle', 'outer'] as const),
      valueTier: random.pick(['high', 'medium', 'low'] as const),
      tags: random.chance(0.3) ? ['payroll-account'] : [],
    };
  });
};

/**
 * Splits a population at the moment it is seeded: users who register later (the sign-ups behind a later
 * day's registered-no-visit cohort) arrive then, as the app's `profile` event on the app-events bus. Other
 * lifecycle moments after `seededAt` (a login, an application started) are seeded ahead of time.
 */
export const arrivalsAfter = (
  users: readonly User[],
  seededAt: Date,
): { seeded: User[]; arriving: InboundEvent[] } => {
  const arrives = (user: User) => Date.parse(user.lifecycle.registeredAt) > seededAt.getTime();
  return {
    seeded: users.filter((user) => !arrives(user)),
    arriving: users
      .filter(arrives)
      .map((user) => ({ type: 'profile', occurredAt: user.lifecycle.registeredAt, ...user })),
  };
};
