import { DateTime } from 'luxon';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { LocalRekindle } from '../../local/runtime';

export const CAMPAIGN = 'registered-no-visit';
export const TIME_ZONE = 'America/Mexico_City';
export const RUN_DATE = '2026-11-22';
/** 10:30 local on the run date, when the scheduler would start the run. */
export const RUN_START = DateTime.fromISO(`${RUN_DATE}T10:30`, { zone: TIME_ZONE }).toJSDate();

/**
 * One local Rekindle (DynamoDB Local + synthesized state machines) per test file, with empty tables and
 * the clock at RUN_START before every test.
 */
export const useLocalRekindle = () => {
  const context = {} as { rekindle: LocalRekindle };
  beforeAll(async () => {
    context.rekindle = await LocalRekindle.start({ clockStart: RUN_START });
  });
  beforeEach(async () => {
    await context.rekindle.resetData(RUN_START);
  });
  afterAll(async () => {
    await context.rekindle?.stop();
  });
  return context;
};
