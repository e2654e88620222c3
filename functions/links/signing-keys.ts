import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { z } from 'zod';
import { requireEnv } from '../shared/config';
import { localSeams, setLocalSeams } from '../shared/local-seams';
import type { LinkSigningKeys } from './link-token';

const secretArn = requireEnv('LINK_SIGNING_KEYS_SECRET_ARN');

/**
 * The secret's JSON: `{ "current": "k1", "k1": "<key>", "k2": "<key>" ... }`. The stack generates k1; a
 * rotation adds k2 and points `current` at it, and k1 stays so that links already sent keep working.
 */
const secretSchema = z
  .object({ current: z.string().regex(/^[A-Za-z0-9_-]{1,16}$/) })
  .catchall(z.string().min(32))
  .refine((secret) => typeof secret[secret.current] === 'string', {
    message: 'current must name a key of the secret',
  });

/** Reads the keys from the secret JSON shape, failing loudly on a secret edited into something unusable. */
export const linkSigningKeysFrom = (secret: unknown): LinkSigningKeys => {
  const { current, ...keys } = secretSchema.parse(secret);
  return { current, keys };
};

/**
 * The local runtime and tests have no Secrets Manager: they sign and verify with these keys instead (for every
 * copy of this module: see local-seams.ts).
 */
export const useLinkSigningKeys = (secret: Record<string, string>): void => {
  setLocalSeams({ linkSigningKeys: linkSigningKeysFrom(secret) });
};

/** Cached for five minutes per container, so a rotation reaches every function within that time. */
export const linkSigningKeys = async (): Promise<LinkSigningKeys> =>
  localSeams()?.linkSigningKeys ??
  linkSigningKeysFrom(await getSecret(secretArn, { transform: 'json', maxAge: 300 }));
