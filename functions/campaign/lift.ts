/** The normal quantile of a two-sided 95% interval. */
const Z_95 = 1.959963984540054;

/** Wilson's score interval for a proportion of `count` in `of` (0 ≤ count ≤ of, of > 0). */
export const wilsonInterval = (count: number, of: number, z = Z_95): [number, number] => {
  const p = count / of;
  const z2 = z * z;
  const denominator = 1 + z2 / of;
  const centre = (p + z2 / (2 * of)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / of + z2 / (4 * of * of))) / denominator;
  // Exactly 0 and 1 at the edges, where floating point would land a hair inside.
  return [count === 0 ? 0 : centre - half, count === of ? 1 : centre + half];
};

/**
 * Newcombe's hybrid score interval for the difference of two independent proportions, p1 − p2 (method 10
 * of Newcombe, "Interval estimation for the difference between independent proportions: comparison of eleven
 * methods", Statistics in Medicine 17, 1998): each proportion's Wilson interval, combined. It keeps its
 * coverage with small groups and rates near 0 or 1, where the textbook Wald interval does not.
 */
export const differenceInterval = (
  count1: number,
  of1: number,
  count2: number,
  of2: number,
  z = Z_95,
): [number, number] => {
  const p1 = count1 / of1;
  const p2 = count2 / of2;
  const [low1, high1] = wilsonInterval(count1, of1, z);
  const [low2, high2] = wilsonInterval(count2, of2, z);
  const difference = p1 - p2;
  return [
    difference - Math.sqrt((p1 - low1) ** 2 + (high2 - p2) ** 2),
    difference + Math.sqrt((high1 - p1) ** 2 + (p2 - low2) ** 2),
  ];
};

/** Fewer control members than this, or an interval wider than this, and the holdout cannot tell lift apart. */
export const SMALLEST_TELLING_HOLDOUT = 100;
export const WIDEST_TELLING_INTERVAL_POINTS = 10;

/** The goal rate of the treated minus that of a comparison group, in points, with its 95% interval. */
export interface Lift {
  points: number;
  low: number;
  high: number;
  /** The comparison group is too small (or the interval too wide) to tell this lift from chance. */
  tooSmallToTell: boolean;
}

const points = (fraction: number) => Math.round(fraction * 1000) / 10;

/** Undefined when either group is empty. */
export const liftOf = (
  treated: { converted: number; size: number },
  control: { converted: number; size: number },
): Lift | undefined => {
  if (treated.size === 0 || control.size === 0) return undefined;
  const [low, high] = differenceInterval(treated.converted, treated.size, control.converted, control.size);
  return {
    points: points(treated.converted / treated.size - control.converted / control.size),
    low: points(low),
    high: points(high),
    tooSmallToTell:
      control.size < SMALLEST_TELLING_HOLDOUT || (high - low) * 100 > WIDEST_TELLING_INTERVAL_POINTS,
  };
};
