import { DateTime } from 'luxon';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { CampaignInput } from '../../functions/campaign/definition';
import { LocalRekindle } from '../../local/runtime';
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
  options: { pauseLimitHours?: number } = {},
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
