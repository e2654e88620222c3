import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { type Channel, channels } from '../campaign/definition';
import { RekindleError } from '../shared/errors';
import { InvalidLinkToken, type LinkSigningKeys } from './link-token';

/** A tracked link past its expiry: it records nothing and redirects nowhere. */
export class LinkExpired extends RekindleError {
  constructor(expiredAt: string) {
    super('LinkExpired', `Link expired at ${expiredAt}`);
  }
}

/** What a tracked link stands for when it is sent: who got it, in which touch, and where it leads. */
export interface TrackedLinkSubject {
  runId: string;
  touch: number;
  channel: Channel;
  userId: string;
  /** An id of the stack's allowlist of destinations, never a URL. */
  destination: string;
  /** The moment of the send; the link expires `validDays` after it. */
  sentAt: string;
  validDays: number;
}

/** What a verified link says. The run and the user come back as their hashes: enough to count the click. */
export interface TrackedLink {
  runCode: string;
  touch: number;
  channel: Channel;
  userHash: string;
  destination: string;
  sentAt: string;
  expiresAt: string;
}

const VERSION = 1;
const RUN_CODE_BYTES = 6;
const USER_HASH_BYTES = 8;
/** 80 bits of HMAC-SHA256: forging one link takes about 2^79 tries against an endpoint throttled per second. */
const MAC_BYTES = 10;
/** Where each field of the payload starts: version, sentAt, validDays, run code, touch, channel, user hash. */
const AT = {
  sentAt: 1,
  validDays: 5,
  runCode: 6,
  touch: 12,
  channel: 13,
  userHash: 14,
  destinationLength: 22,
};
const FIXED_BYTES = AT.destinationLength + 1;
const DAY_SECONDS = 24 * 60 * 60;

const digest = (text: string, bytes: number) => createHash('sha256').update(text).digest().subarray(0, bytes);

/** The 12 hex characters that stand for a run in its links and its click records. */
export const runCodeOf = (runId: string): string => digest(`run:${runId}`, RUN_CODE_BYTES).toString('hex');

/** The 16 hex characters that stand for a user in links and click records: fixed length, whatever the id. */
export const userHashOf = (userId: string): string =>
  digest(`user:${userId}`, USER_HASH_BYTES).toString('hex');

const mac = (key: string, keyId: string, payload: Buffer) =>
  createHmac('sha256', key).update(`${keyId}.`).update(payload).digest().subarray(0, MAC_BYTES);

/**
 * `<keyId>.<base64url of a 23-byte payload + the destination id + a 10-byte MAC>`: about 55 characters for
 * every user and run, short enough for an SMS. The payload holds the send moment and validity, hashes of the
 * run and the user, the touch, the channel and the destination id; the key id lets keys rotate.
 */
export const signTrackedLink = (subject: TrackedLinkSubject, keys: LinkSigningKeys): string => {
  const key = keys.keys[keys.current];
  if (key === undefined) throw new Error(`Link signing key ${keys.current} is missing`);
  const destination = Buffer.from(subject.destination, 'ascii');
  const payload = Buffer.alloc(FIXED_BYTES + destination.length);
  let at = payload.writeUInt8(VERSION, 0);
  at = payload.writeUInt32BE(Math.floor(Date.parse(subject.sentAt) / 1000), at);
  at = payload.writeUInt8(subject.validDays, at);
  at += Buffer.from(runCodeOf(subject.runId), 'hex').copy(payload, at);
  at = payload.writeUInt8(subject.touch, at);
  at = payload.writeUInt8(channels.indexOf(subject.channel), at);
  at += Buffer.from(userHashOf(subject.userId), 'hex').copy(payload, at);
  at = payload.writeUInt8(destination.length, at);
  destination.copy(payload, at);
  const signature = mac(key, keys.current, payload);
  return `${keys.current}.${Buffer.concat([payload, signature]).toString('base64url')}`;
};

const TOKEN = /^([A-Za-z0-9_-]{1,16})\.([A-Za-z0-9_-]+)$/;
const DESTINATION_ID = /^[a-z0-9-]{1,24}$/;

/** Checks a link's signature and expiry; whatever fails, it is a named error and nothing is recorded. */
export const verifyTrackedLink = (token: string, keys: LinkSigningKeys, now: Date): TrackedLink => {
  const [, keyId, encoded] = TOKEN.exec(token) ?? [];
  if (keyId === undefined || encoded === undefined) throw new InvalidLinkToken('malformed');
  const bytes = Buffer.from(encoded, 'base64url');
  // Re-encoding rejects spellings that decode to the same bytes through non-canonical trailing bits.
  if (bytes.toString('base64url') !== encoded || bytes.length < FIXED_BYTES + MAC_BYTES) {
    throw new InvalidLinkToken('malformed');
  }
  const key = Object.hasOwn(keys.keys, keyId) ? keys.keys[keyId] : undefined;
  if (key === undefined) throw new InvalidLinkToken('unknown-key');
  const payload = bytes.subarray(0, bytes.length - MAC_BYTES);
  if (!timingSafeEqual(bytes.subarray(bytes.length - MAC_BYTES), mac(key, keyId, payload))) {
    throw new InvalidLinkToken('bad-signature');
  }
  // Signed by us, so well formed unless a later version wrote it.
  const destinationLength = payload.readUInt8(AT.destinationLength);
  const channel = channels[payload.readUInt8(AT.channel)];
  const destination = payload.subarray(FIXED_BYTES).toString('ascii');
  if (
    payload.readUInt8(0) !== VERSION ||
    payload.length !== FIXED_BYTES + destinationLength ||
    channel === undefined ||
    !DESTINATION_ID.test(destination)
  ) {
    throw new InvalidLinkToken('malformed');
  }
  const sentSeconds = payload.readUInt32BE(AT.sentAt);
  const expiresAt = new Date((sentSeconds + payload.readUInt8(AT.validDays) * DAY_SECONDS) * 1000);
  if (now >= expiresAt) throw new LinkExpired(expiresAt.toISOString());
  return {
    runCode: payload.subarray(AT.runCode, AT.touch).toString('hex'),
    touch: payload.readUInt8(AT.touch),
    channel,
    userHash: payload.subarray(AT.userHash, AT.destinationLength).toString('hex'),
    destination,
    sentAt: new Date(sentSeconds * 1000).toISOString(),
    expiresAt: expiresAt.toISOString(),
  };
};
