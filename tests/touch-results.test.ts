import { describe, expect, it } from 'vitest';
import type { TouchResult } from '../functions/campaign/touch';
import { useLocalRekindle } from './support/local-rekindle';

// The data module reads its table name when imported: after the local runtime set it.
useLocalRekindle();
const touches = () => import('../functions/data/touches');

const CLAIMED_AT = '2026-11-22T17:00:00.000Z';

describe('a touch result as stored', () => {
  it.each<[string, TouchResult]>([
    [
      'a send',
      { channel: 'sms', rung: 1, variant: 'b', messageId: 'msg-1', sentAt: '2026-11-22T17:00:01.250Z' },
    ],
    ['a skip on a ladder step', { skipped: 'quiet-hours', channel: 'push', rung: 0 }],
    ['a conversion', { skipped: 'converted', convertedAt: '2026-11-22T16:58:00.000Z', afterTouch: 0 }],
    ['a plain skip', { skipped: 'frequency-capped' }],
    [
      'a send recorded before results named their rung',
      { channel: 'push', variant: 'default', messageId: 'm', sentAt: CLAIMED_AT } as TouchResult,
    ],
  ])('reads back %s exactly, in fewer bytes', async (_case, result) => {
    const { decodeTouchResult, encodeTouchResult } = await touches();
    const stored = encodeTouchResult(result, CLAIMED_AT);
    expect(decodeTouchResult(stored, CLAIMED_AT)).toEqual(result);
    expect(stored.length).toBeLessThan(JSON.stringify(result).length);
  });

  it('reads results stored before the compact form as they are', async () => {
    const { decodeTouchResult } = await touches();
    const legacy: TouchResult = { skipped: 'holdout' };
    expect(decodeTouchResult(legacy, CLAIMED_AT)).toBe(legacy);
  });
});
