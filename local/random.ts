import { createHash } from 'node:crypto';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

const RESOLUTION = 1_000_000;

/**
 * A seeded random source for one named stream (a user, a message): the same seed and name always give
 * the same numbers, whatever order the streams are consumed in.
 */
export const randomStream = (seed: number, name: string) => {
  const digest = createHash('sha256').update(`${seed}\n${name}`).digest();
  const rng = xoroshiro128plus(digest.readInt32BE(0));
  const fraction = () => uniformInt(rng, 0, RESOLUTION - 1) / RESOLUTION;
  return {
    /** Uniform in [0, 1). */
    fraction,
    chance: (probability: number) => fraction() < probability,
    integer: (min: number, max: number) => uniformInt(rng, min, max),
    pick: <T>(items: readonly T[]): T => {
      const item = items[uniformInt(rng, 0, items.length - 1)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
    /** Exponentially distributed with the given mean: waiting times of people reacting to a message. */
    exponential: (mean: number) => -mean * Math.log(1 - fraction()),
  };
};
