import { createHash } from 'node:crypto';

/** A stable number in [0, 1) for a key: the same user gets the same holdout and variant every time. */
export const stableFraction = (key: string): number =>
  createHash('sha256').update(key).digest().readUInt32BE(0) / 2 ** 32;

/** Holdout is per (campaign, user), so a user is control in every run of the campaign or in none. */
export const isHoldout = (campaignId: string, userId: string, holdoutPercent: number): boolean =>
  stableFraction(`holdout|${campaignId}|${userId}`) * 100 < holdoutPercent;

/** Picks a weighted variant for (run, channel, user). */
export const pickVariant = <T extends { weight: number }>(variants: readonly T[], key: string): T => {
  const total = variants.reduce((sum, variant) => sum + variant.weight, 0);
  let point = stableFraction(`variant|${key}`) * total;
  for (const variant of variants) {
    point -= variant.weight;
    if (point < 0) return variant;
  }
  const last = variants.at(-1);
  if (!last) throw new Error('pickVariant needs at least one variant');
  return last;
};
