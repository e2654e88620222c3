import { DateTime } from 'luxon';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { CampaignInput } from '../../functions/campaign/definition';
import { LocalRekindle, type LocalRekindleOptions } from '../../local/runtime';
import { campaignDefinitions } from '../../statemachines/campaigns';

export const CAMPAIGN = 'registered-no-visit';
export const TIME_ZONE = 'America/Mexico_City';
export const RUN_DATE = '2026-11-22';
export const RUN_ID = `${CAMPAIGN}#${RUN_DATE}#${TIME_ZONE}`;
/** 10:30 local on the run date, when the scheduler starts the run. */
export const RUN_START = DateTime.fromISO(`${RUN_DATE}T10:30`, { zone: TIME_ZONE }).toJSDate();

/** The deployed campaigns without holdout, so that every enrolled test user is messaged. */
export const campaignsWithoutHoldout: CampaignInput[] = campaignDefinitions.map((campaign) => ({
  ...campaign,
  holdoutPercent: 0,
}));

/**
 * One local Rekindle (DynamoDB Local + synthesized state machines) per test file, with empty tables and
 * the clock at RUN_START before every test.
 */
export const useLocalRekindle = (
  campaigns: CampaignInput[] = campaignsWithoutHoldout,
  options: Pick<LocalRekindleOptions, 'pauseLimitHours' | 'sendRates' | 'sandboxRates'> = {},
) => {
  const context = {} as { rekindle: LocalRekindle };
  beforeAll(async () => {
    context.rekindle = await LocalRekindle.start({ clockStart: RUN_START, campaigns, ...options });
  });
  beforeEach(async () => {
    await context.rekindle.resetData(RUN_START);
  });
  afterAll(async () => {
    await context.rekindle?.stop();
  });
  return context;
};

/** `count` users reachable on the given channels only: user-000, user-001, ... */
export const usersOn = async (count: number, channels: ('push' | 'sms' | 'email' | 'call')[]) => {
  const { reachableOn } = await import('./users');
  return Array.from({ length: count }, (_, index) =>
    reachableOn(`user-${String(index).padStart(3, '0')}`, channels),
  );
};

/** The most messages in any one-second window [t, t + 1 s) of their send moments. */
export const busiestSecond = (sentAt: readonly string[]): number => {
  const moments = sentAt.map((at) => Date.parse(at)).sort((a, b) => a - b);
  let most = 0;
  for (let first = 0, last = 0; first < moments.length; first += 1) {
    while (last < moments.length && (moments[last] ?? 0) < (moments[first] ?? 0) + 1000) last += 1;
    most = Math.max(most, last - first);
  }
  return most;
};
