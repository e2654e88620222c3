import { createHmac, timingSafeEqual } from 'node:crypto';
import { RekindleError } from '../shared/errors';

/** A link token that was forged, tampered with, truncated or signed with a key we do not have. */
export class InvalidLinkToken extends RekindleError {
  constructor(readonly reason: 'malformed' | 'unknown-key' | 'bad-signature') {
    super('InvalidLinkToken', `Link token is not valid: ${reason}`);
  }
}

/** The signing keys by id, and which one signs new links; older ids stay to verify old links. */
export interface LinkSigningKeys {
  current: string;
  keys: Record<string, string>;
}

/** Who a link speaks for. No contact data: the token travels in URLs, headers and mail logs. */
export interface LinkSubject {
  userId: string;
  campaignId: string;
}

const encode = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const decode = (part: string) => Buffer.from(part, 'base64url').toString('utf8');
const mac = (key: string, signed: string) => createHmac('sha256', key).update(signed).digest();

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * `<keyId>.<base64url userId>.<base64url campaignId>.<base64url HMAC-SHA256>`: about 130 characters for
 * usual ids, well inside an email header. It names its key, so new keys can be added and made current
 * while links signed with older ones keep working. No expiry: an unsubscribe link must always work.
 */
export const signLinkToken = (subject: LinkSubject, keys: LinkSigningKeys): string => {
  const key = keys.keys[keys.current];
  if (key === undefined) throw new Error(`Link signing key ${keys.current} is missing`);
  const signed = `${keys.current}.${encode(subject.userId)}.${encode(subject.campaignId)}`;
  return `${signed}.${mac(key, signed).toString('base64url')}`;
};

/** The subject a token speaks for, and its signature (stable per token: what makes a repeated click the same event). */
export const verifyLinkToken = (
  token: string,
  keys: LinkSigningKeys,
): LinkSubject & { signature: string } => {
  const parts = token.split('.');
  if (parts.length !== 4 || !parts.every((part) => BASE64URL.test(part))) {
    throw new InvalidLinkToken('malformed');
  }
  const [keyId, user, campaign, signature] = parts as [string, string, string, string];
  const key = Object.hasOwn(keys.keys, keyId) ? keys.keys[keyId] : undefined;
  if (key === undefined) throw new InvalidLinkToken('unknown-key');
  const expected = mac(key, `${keyId}.${user}.${campaign}`);
  const given = Buffer.from(signature, 'base64url');
  // Re-encoding rejects signatures that decode to the same bytes through non-canonical trailing bits.
  if (
    given.length !== expected.length ||
    given.toString('base64url') !== signature ||
    !timingSafeEqual(given, expected)
  ) {
    throw new InvalidLinkToken('bad-signature');
  }
  return { userId: decode(user), campaignId: decode(campaign), signature };
};
