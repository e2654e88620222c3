import { DateTime } from 'luxon';
import type { SendWindow } from './definition';

/** Minutes since midnight of a local clock time HH:MM. */
export const minutesOfDay = (clockTime: string): number => {
  const [hours, minutes] = clockTime.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
};

export const isInsideSendWindow = (at: Date, windows: SendWindow[], timeZone: string): boolean => {
  const local = DateTime.fromJSDate(at, { zone: timeZone });
  const minute = local.hour * 60 + local.minute;
  return windows.some((window) => minute >= minutesOfDay(window.start) && minute < minutesOfDay(window.end));
};

/** The earliest moment at or after `notBefore` that lies inside one of the windows, in `timeZone`. */
export const nextSendMoment = (notBefore: Date, windows: SendWindow[], timeZone: string): Date => {
  if (isInsideSendWindow(notBefore, windows, timeZone)) return notBefore;
  const start = DateTime.fromJSDate(notBefore, { zone: timeZone });
  // Two days always contain the next opening: every window opens once a day.
  for (let dayOffset = 0; dayOffset <= 2; dayOffset += 1) {
    const day = start.startOf('day').plus({ days: dayOffset });
    const openings = windows
      .map((window) => {
        const [hour, minute] = window.start.split(':').map(Number);
        return day.set({ hour: hour ?? 0, minute: minute ?? 0 });
      })
      .filter((opening) => opening >= start)
      .sort((a, b) => a.toMillis() - b.toMillis());
    const first = openings[0];
    if (first) return first.toJSDate();
  }
  throw new Error('No send window opens within two days; windows must not be empty');
};

/**
 * The end of the send window `at` lies in (windows that adjoin run on as one); `at` itself when it lies in
 * none.
 */
export const sendWindowEnd = (at: Date, windows: SendWindow[], timeZone: string): Date => {
  let end = at;
  for (let hops = 0; hops <= windows.length; hops += 1) {
    if (!isInsideSendWindow(end, windows, timeZone)) return end;
    const local = DateTime.fromJSDate(end, { zone: timeZone });
    const minute = local.hour * 60 + local.minute;
    const closing = windows
      .map((window) => minutesOfDay(window.end))
      .filter((close, index) => {
        const window = windows[index];
        return window !== undefined && minute >= minutesOfDay(window.start) && minute < close;
      })
      .sort((a, b) => b - a)[0];
    if (closing === undefined) return end;
    end = local.startOf('day').plus({ minutes: closing }).toJSDate();
  }
  return end;
};

/** The local calendar date of an instant in a time zone, as YYYY-MM-DD. */
export const localDateOf = (at: Date, timeZone: string): string =>
  DateTime.fromJSDate(at, { zone: timeZone }).toISODate() ?? '';
