import { DateTime } from 'luxon';
import type { CampaignInput } from '../functions/campaign/definition';
import { dormancyModels } from '../functions/users/dormancy';
import type { User } from '../functions/users/user';
import { campaign as registeredNoVisit } from '../statemachines/campaigns/registered-no-visit';

/** us-east-1 list prices in USD. */
export const PRICES = {
  stateTransition: 0.025 / 1_000,
  expressRequest: 1.0 / 1_000_000,
  expressGbSecond: 0.00001667,
  lambdaRequest: 0.2 / 1_000_000,
  lambdaArmGbSecond: 0.0000133334,
  dynamoWriteUnit: 0.625 / 1_000_000,
  dynamoReadUnit: 0.125 / 1_000_000,
};
/** infra/functions.ts gives every handler 512 MB on arm64 (a literal there, so repeated here). */
export const LAMBDA_MEMORY_GB = 512 / 1024;
/** Express duration is billed in 64 MB chunks; a one-task child with a small payload fits the first. */
export const EXPRESS_MEMORY_GB = 64 / 1024;

/** A flag the bench cannot use: printed with the usage, nothing is run. */
export class UsageError extends Error {}

/** A run of a scenario failed: printed, and the bench exits non-zero. */
export class PhaseFailed extends Error {}

export const positiveInteger = (flag: string, value: string): number => {
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new UsageError(`--${flag} must be a positive whole number, not "${value}"`);
  }
  return Number(value);
};

/**
 * The campaign both scenarios run, push → SMS → email → call, in its worst case: no holdout, so everyone
 * is messaged; the deployed cool-down stays, so its writes are counted.
 */
export const CAMPAIGN: CampaignInput = { ...registeredNoVisit, holdoutPercent: 0 };
export const TIME_ZONE = CAMPAIGN.timeZones[0] ?? 'UTC';

const PHONE_GROUP: Record<string, number> = { history: 1, cohort: 2, sample: 3 };

/** Users dormant on `dormantOn`: registered that many days before, never logged in, reachable everywhere. */
export const dormantUsers = (prefix: string, count: number, dormantOn: string): User[] => {
  const registeredAt = DateTime.fromISO(dormantOn, { zone: TIME_ZONE })
    .minus({ days: dormancyModels['registered-no-visit'].dormantAfterDays })
    .set({ hour: 9 })
    .toUTC()
    .toISO();
  if (registeredAt === null) throw new Error(`Invalid date ${dormantOn}`);
  return Array.from({ length: count }, (_, index): User => {
    const userId = `${prefix}-${String(index + 1).padStart(6, '0')}`;
    return {
      userId,
      // Each group has numbers of its own: a STOP from one number speaks for everyone who has it.
      contact: {
        phone: `+52${PHONE_GROUP[prefix] ?? 9}${String(index).padStart(9, '0')}`,
        email: `${userId}@example.com`,
      },
      push: { token: `token-${userId}`, platform: 'fcm' },
      timeZone: TIME_ZONE,
      locale: 'es-MX',
      consents: { push: true, sms: true, email: true, call: true },
      lifecycle: { registeredAt },
      tags: [],
    };
  });
};

export const int = (value: number) => Math.round(value).toLocaleString('en-US');
export const round = (value: number, digits: number) => Number(value.toFixed(digits));
export const mark = (ok: boolean) => (ok ? '✓' : '✗');
