import { DateTime } from 'luxon';

/** The local time the scheduler starts each day's run in the local plays (`npm start`, `npm run chaos`). */
const RUN_START = { hour: 10, minute: 30 };

/** `days` consecutive run dates from `runDate` (YYYY-MM-DD), counted in `timeZone`. */
export const runDatesFrom = (runDate: string, days: number, timeZone: string): string[] => {
  const first = DateTime.fromISO(runDate, { zone: timeZone });
  return Array.from({ length: days }, (_, day) => first.plus({ days: day }).toISODate() ?? runDate);
};

/** When the first day's runs start in `timeZone`: where the virtual clock starts. */
export const firstRunStart = (runDate: string, timeZone: string): Date =>
  DateTime.fromISO(runDate, { zone: timeZone }).set(RUN_START).toJSDate();

/**
 * Every campaign's run of every date in every one of its time zones, each starting at 10:30 local of its day,
 * as the schedules start them: `input` is what the start carries (the scheduler's, or an explicit run date).
 */
export const dailyRuns = (
  runDates: readonly string[],
  campaigns: readonly { id: string; timeZones: readonly string[] }[],
  input: (runDate: string, timeZone: string) => unknown,
): { campaignId: string; input: unknown; startAt: Date }[] =>
  runDates.flatMap((date) =>
    campaigns.flatMap((campaign) =>
      campaign.timeZones.map((timeZone) => ({
        campaignId: campaign.id,
        input: input(date, timeZone),
        startAt: firstRunStart(date, timeZone),
      })),
    ),
  );
