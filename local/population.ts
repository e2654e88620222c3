import { DateTime } from 'luxon';
import { describeFirstIssue, RekindleError } from '../functions/shared/errors';
import { type User, userSchema } from '../functions/users/user';
import { randomStream } from './random';

/** A population file line that is not valid JSON or not a valid user; nothing is imported or run. */
export class PopulationLineInvalid extends RekindleError {
  constructor(
    readonly line: number,
    problem: string,
  ) {
    super('PopulationLineInvalid', `Population line ${line}: ${problem}`);
  }
}

/**
 * Parses users as JSON Lines in the import format (see README). Every line is checked before anything is
 * returned, so a bad line stops the whole import.
 */
export const parsePopulation = (text: string): User[] => {
  const users: User[] = [];
  const seen = new Set<string>();
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new PopulationLineInvalid(line, 'not valid JSON');
    }
    const parsed = userSchema.safeParse(json);
    if (!parsed.success) throw new PopulationLineInvalid(line, `field ${describeFirstIssue(parsed.error)}`);
    if (seen.has(parsed.data.userId)) {
      throw new PopulationLineInvalid(line, `field userId: ${parsed.data.userId} appears twice`);
    }
    seen.add(parsed.data.userId);
    users.push(parsed.data);
  });
  return users;
};

export interface PopulationOptions {
  seed: number;
  /** The run date; lifecycles are laid out in the 60 days before it. */
  runDate: string;
  timeZone: string;
  size: number;
}

/**
 * A synthetic population: registrations spread over the last 60 days, about half of them never back
 * in the app; a mix of uninstalled apps, missing phones, refused consents and a few users in another
 * time zone, so every skip reason shows up.
 */
export const generatePopulation = ({ seed, runDate, timeZone, size }: PopulationOptions): User[] => {
  const runDay = DateTime.fromISO(runDate, { zone: timeZone }).startOf('day');
  return Array.from({ length: size }, (_, index): User => {
    const userId = `user-${String(index + 1).padStart(6, '0')}`;
    const random = randomStream(seed, userId);
    const zone = random.chance(0.9) ? timeZone : 'America/Tijuana';
    const registeredAt = runDay.minus({
      days: random.integer(0, 60),
      minutes: random.integer(0, 24 * 60 - 1),
    });
    const visited = random.chance(0.5);
    const lastLoginAt = visited ? registeredAt.plus({ hours: random.integer(1, 24 * 20) }) : undefined;
    const installed = random.chance(0.7);
    const spanish = random.chance(0.8);
    return {
      userId,
      contact: {
        phone: random.chance(0.93)
          ? `+5255${String(random.integer(0, 99_999_999)).padStart(8, '0')}`
          : undefined,
        email: random.chance(0.55) ? `${userId}@example.com` : undefined,
      },
      push: installed ? { token: `token-${userId}`, platform: random.chance(0.6) ? 'fcm' : 'apns' } : null,
      timeZone: zone,
      locale: spanish ? 'es-MX' : 'en-US',
      consents: {
        push: random.chance(0.85),
        sms: random.chance(0.9),
        email: random.chance(0.8),
        call: random.chance(0.6),
      },
      lifecycle: {
        registeredAt: registeredAt.toUTC().toISO() ?? '',
        // A login "in the future" of the run is a user who has not come back yet.
        lastLoginAt:
          lastLoginAt && lastLoginAt < runDay ? (lastLoginAt.toUTC().toISO() ?? undefined) : undefined,
      },
      tags: [random.pick(['ring:inner', 'ring:middle', 'ring:outer'])],
    };
  });
};
