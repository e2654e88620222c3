import { describe, expect, it } from 'vitest';
import { differenceInterval, liftOf, wilsonInterval } from '../functions/campaign/lift';

describe('the interval of a difference of proportions', () => {
  // Newcombe (1998), Statistics in Medicine 17:873–890, Table II, method 10 (hybrid score), to 4 places.
  it.each([
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
    [6, 7, 2, 7, 0.0582, 0.8062],
    [5, 56, 0, 29, -0.0381, 0.1926],
    [0, 10, 0, 20, -0.1611, 0.2775],
    [10, 10, 0, 20, 0.6791, 1.0],
  ])('of %i/%i − %i/%i is Newcombe’s published %f to %f', (count1, of1, count2, of2, low, high) => {
    const [computedLow, computedHigh] = differenceInterval(count1, of1, count2, of2);
    expect(computedLow).toBeCloseTo(low, 4);
    expect(computedHigh).toBeCloseTo(high, 4);
  });

  it('builds on Wilson’s score interval, which stays inside 0 to 1 at the edges', () => {
    expect(wilsonInterval(0, 10)[0]).toBe(0);
    expect(wilsonInterval(10, 10)[1]).toBe(1);
    const [low, high] = wilsonInterval(56, 70);
    expect(low).toBeCloseTo(0.6918, 4);
    expect(high).toBeCloseTo(0.877, 3);
  });
});

describe('a run’s lift over its holdout', () => {
  it('is in points with its interval, and warns when the holdout is too small to tell', () => {
    // A 44-member holdout: the interval is wide, so the warning is on.
    expect(liftOf({ converted: 71, size: 455 }, { converted: 1, size: 44 })).toEqual({
      points: 13.3,
      low: 3.3,
      high: 17.4,
      tooSmallToTell: true,
    });
    // 2,000 in each group: a 5-point lift is told apart.
    const large = liftOf({ converted: 400, size: 2000 }, { converted: 300, size: 2000 });
    expect(large?.points).toBe(5);
    expect(large?.low).toBeGreaterThan(0);
    expect(large?.tooSmallToTell).toBe(false);
    // No holdout, no lift.
    expect(liftOf({ converted: 10, size: 100 }, { converted: 0, size: 0 })).toBeUndefined();
  });
});
