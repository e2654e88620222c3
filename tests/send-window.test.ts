import { describe, expect, it } from 'vitest';
import { defaultSendWindows } from '../functions/campaign/definition';
import { isInsideSendWindow, localDateOf, nextSendMoment } from '../functions/campaign/send-window';

const mexicoCity = 'America/Mexico_City'; // UTC-6, no daylight saving time
const madrid = 'Europe/Madrid';

describe('send windows', () => {
  it('keeps a moment that is already inside a window', () => {
    // Prepare
    const at = new Date('2026-11-22T17:30:00Z'); // 11:30 local
    // Act
    const moment = nextSendMoment(at, defaultSendWindows, mexicoCity);
    // Assess
    expect(moment.toISOString()).toBe('2026-11-22T17:30:00.000Z');
  });

  it.each([
    ['before the morning window', '2026-11-22T15:00:00Z', '2026-11-22T17:00:00.000Z'],
    ['between the windows', '2026-11-22T18:00:00Z', '2026-11-23T01:00:00.000Z'],
    ['when the evening window has closed', '2026-11-23T03:30:00Z', '2026-11-23T17:00:00.000Z'],
    ['exactly at a window end (exclusive)', '2026-11-22T18:00:00Z', '2026-11-23T01:00:00.000Z'],
  ])('moves a moment %s to the next opening', (_case, at, expected) => {
    expect(nextSendMoment(new Date(at), defaultSendWindows, mexicoCity).toISOString()).toBe(expected);
  });

  it('opens at 11:00 local time on both sides of a daylight-saving change', () => {
    // Madrid moves from UTC+1 to UTC+2 on 2026-03-29.
    expect(nextSendMoment(new Date('2026-03-28T08:00:00Z'), defaultSendWindows, madrid).toISOString()).toBe(
      '2026-03-28T10:00:00.000Z',
    );
    expect(nextSendMoment(new Date('2026-03-29T08:00:00Z'), defaultSendWindows, madrid).toISOString()).toBe(
      '2026-03-29T09:00:00.000Z',
    );
  });

  it('judges a moment by the local time of the given zone', () => {
    const at = new Date('2026-11-22T17:15:00Z');
    expect(isInsideSendWindow(at, defaultSendWindows, mexicoCity)).toBe(true); // 11:15
    expect(isInsideSendWindow(at, defaultSendWindows, madrid)).toBe(false); // 18:15
  });

  it('gives the local calendar date of an instant', () => {
    expect(localDateOf(new Date('2026-11-22T03:00:00Z'), mexicoCity)).toBe('2026-11-21');
    expect(localDateOf(new Date('2026-11-22T03:00:00Z'), madrid)).toBe('2026-11-22');
  });
});
