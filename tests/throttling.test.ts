import { describe, expect, it } from 'vitest';
import { CAMPAIGN, RUN_DATE, TIME_ZONE, useLocalRekindle } from './support/local-rekindle';
import { reachableOn } from './support/users';

const local = useLocalRekindle();

describe('a throttled provider', () => {
  it('is tried again with backoff: every member gets the touch once, none fails', async () => {
    // Prepare: Pinpoint answers THROTTLED to the first two pushes to each token, then delivers.
    await local.rekindle.importUsers(['a', 'b', 'c'].map((userId) => reachableOn(userId, ['push'])));
    const behaviour = local.rekindle.feed.providerBehaviour;
    const original = behaviour.pushResult;
    const tries = new Map<string, number>();
    behaviour.pushResult = (token) => {
      tries.set(token, (tries.get(token) ?? 0) + 1);
      return (tries.get(token) ?? 0) <= 2
        ? { DeliveryStatus: 'THROTTLED', StatusCode: 429, StatusMessage: 'Throttled' }
        : undefined;
    };

    // Act
    let result: Awaited<ReturnType<typeof local.rekindle.runCampaign>>;
    try {
      result = await local.rekindle.runCampaign(CAMPAIGN, { runDate: RUN_DATE, timeZone: TIME_ZONE });
    } finally {
      behaviour.pushResult = original;
    }

    // Assess
    expect(Object.fromEntries(tries)).toEqual({ 'token-a': 3, 'token-b': 3, 'token-c': 3 });
    const pushes = await local.rekindle.sandboxMessages();
    expect(pushes.map((message) => message.userId).sort()).toEqual(['a', 'b', 'c']);
    expect(result.output?.touches[0]).toMatchObject({ sent: { push: 3 }, skipped: {} });
  });
});
