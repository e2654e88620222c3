import { isDeepStrictEqual } from 'node:util';
import type { Channel } from '../campaign/definition';
import { type ConsentChange, putConsentChanges, writeUserRecord } from '../data/user-changes';
import { getUserRecord } from '../data/users';
import { now } from '../shared/clock';
import { RekindleError } from '../shared/errors';
import type { ProfileFields } from './profile';
import { isReachable } from './reachability';
import {
  type ChannelChange,
  type Lifecycle,
  type StampedField,
  stampedFields,
  type User,
  type UserRecord,
} from './user';

/** A profile without the fields a new user needs (time zone, locale, registration time). */
export class InvalidProfile extends RekindleError {
  constructor(message: string) {
    super('InvalidProfile', message);
  }
}

/** A user written by so many others at once that a write kept losing; the caller's retry will land it. */
export class UserUpdateContended extends RekindleError {
  constructor(userId: string) {
    super('UserUpdateContended', `User ${userId} changed under every attempt to update it; retry later`);
  }
}

/** One statement about a user, from any path: profile event, import line, app event, consent, channel feedback. */
export interface UserUpdate {
  userId: string;
  /** When the facts were stated; a field keeps the value of its latest statement. */
  occurredAt: string;
  /** Who stated it: `profile`, `import`, `app-settings`, `sms-keyword`, `ses-bounce` ... */
  source: string;
  /** The event's own id, so a redelivered event adds nothing twice to the consent trail. */
  eventId: string;
  fields: ProfileFields;
  /**
   * When the user does not exist yet: an import line must `create` it (it is a whole user); app-bus
   * statements `keep`: they create the user once they make a whole one (time zone, locale, registration),
   * and are kept in a pending record until then, which the creating profile merges into (events overtake
   * each other); channel feedback, which only concerns users Rekindle messaged, is ignored.
   */
  ifMissing: 'create' | 'keep' | 'ignore';
  /**
   * Applies only while this holds for the stored user, e.g. while the refused push token is still theirs: a
   * statement about one address never lands on a newer one.
   */
  appliesTo?: (user: UserRecord) => boolean;
}

export type UpdateOutcome =
  | 'created'
  | 'updated'
  | 'unchanged'
  | 'pending'
  | 'not-applicable'
  | 'unknown-user';

export interface UserUpdateResult {
  outcome: UpdateOutcome;
  /** Fields whose value changed, as paths (`consents.sms`, `lifecycle.lastLoginAt`). */
  changed: string[];
  /** Fields given but older than what is stored: kept as they were. */
  stale: string[];
  /** Consent and push-registration changes, as recorded in the consent trail. */
  channelChanges: ChannelChange[];
}

const MAX_ATTEMPTS = 8;

const readField = (user: object, field: string): unknown =>
  field
    .split('.')
    .reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], user);

const writeField = (user: User, field: string, value: unknown) => {
  const [head, leaf] = field.split('.') as [string, string | undefined];
  const target = (leaf === undefined ? user : ((user as never)[head] as Record<string, unknown>)) as Record<
    string,
    unknown
  >;
  const key = leaf ?? head;
  // null removes an optional field; push is the one field whose "none" is stored as null.
  if (value === null && field !== 'push') delete target[key];
  else target[key] = value;
};

// Deep and key-order blind: DynamoDB may hand a map back with its keys in another order.
const same = (a: unknown, b: unknown) => isDeepStrictEqual(a ?? null, b ?? null);

const later = (a: string, b: string) => Date.parse(a) > Date.parse(b);

/** The lifecycle moments that simply keep the latest time, whatever order events arrive in. */
const momentFields = [
  'lastLoginAt',
  'applicationStartedAt',
  'lastCreditApplyAt',
  'creditGrantedAt',
  'lastDrawdownAt',
  'loanSettledAt',
] as const satisfies readonly (keyof Lifecycle)[];

/** Consents the person withdrew through a channel themselves: a bulk import never turns them back on. */
const PERSONAL_OPT_OUT_SOURCES = new Set([
  'sms-keyword',
  'sms-opt-out-list',
  'unsubscribe-link',
  'ses-bounce',
  'ses-complaint',
  'do-not-call',
]);

/** The first field a user to create still lacks, from this statement and those kept while it was pending. */
const missingToCreate = (fields: ProfileFields, pending: UserRecord | undefined): string | undefined =>
  [
    fields.timeZone === undefined && !pending?.timeZone && 'timeZone',
    fields.locale === undefined && !pending?.locale && 'locale',
    fields.lifecycle?.registeredAt === undefined &&
      !pending?.lifecycle.registeredAt &&
      'lifecycle.registeredAt',
  ].find((field): field is string => typeof field === 'string');

/** A user nobody stated anything about: consented to nothing until a statement says so. */
const blankUser = (userId: string): User => {
  return {
    userId,
    contact: {},
    push: null,
    timeZone: '',
    locale: '',
    consents: { push: false, sms: false, email: false, call: false },
    lifecycle: { registeredAt: '' },
    tags: [],
  };
};

const channelList = ['push', 'sms', 'email', 'call'] as const;

/**
 * Applies one statement to a stored user (or a new one): each stamped field takes the given value unless
 * a newer statement already set it, lifecycle moments keep the latest time. Pure: the caller writes.
 */
export const mergeUserUpdate = (
  current: UserRecord | undefined,
  update: UserUpdate,
): {
  record: UserRecord;
  changed: string[];
  stale: string[];
  channelChanges: ChannelChange[];
  /** Whether a field's stamp moved forward, even where its value stayed: the record must be written. */
  restated: boolean;
} => {
  const missing = current === undefined || current.pending === true;
  const lacking = missing ? missingToCreate(update.fields, current) : undefined;
  if (missing && update.ifMissing === 'create' && lacking) {
    throw new InvalidProfile(`${lacking}: required to create user ${update.userId}`);
  }
  // A statement about someone not created yet is kept until the statements make a whole user.
  const creating = missing && lacking === undefined;
  const base: UserRecord = current
    ? structuredClone(current)
    : {
        ...blankUser(update.userId),
        asOf: {},
        consentSources: {},
        turnedOffAt: {},
        version: 0,
        ...(creating ? {} : { pending: true as const }),
      };
  if (creating) delete base.pending;
  const reachableBefore = channelList.filter(
    (channel) => !current?.pending && current && isReachable(current, channel),
  );
  const { asOf } = base;
  const changed: string[] = [];
  const stale: string[] = [];
  const channelChanges: ChannelChange[] = [];
  // A newer statement of the same value still moves the stamp, so an older contrary one arriving later loses.
  let restated = false;
  for (const field of stampedFields) {
    const value = readField(update.fields, field);
    if (value === undefined) continue;
    const before = readField(base, field);
    const statedAt = asOf[field];
    const consentChannel = field.startsWith('consents.') ? (field.slice(9) as Channel) : undefined;
    const reGrantByImport =
      update.source === 'import' &&
      consentChannel !== undefined &&
      value === true &&
      base.consents[consentChannel] === false &&
      PERSONAL_OPT_OUT_SOURCES.has(base.consentSources[consentChannel] ?? '');
    if ((statedAt !== undefined && later(statedAt, update.occurredAt)) || reGrantByImport) {
      stale.push(field);
      if (consentChannel && !same(before, value)) {
        channelChanges.push({
          channel: consentChannel,
          change: value ? 'consent-granted' : 'consent-withdrawn',
          applied: false,
        });
      }
      continue;
    }
    if (statedAt !== update.occurredAt) restated = true;
    asOf[field as StampedField] = update.occurredAt;
    if (same(before, value)) continue;
    writeField(base, field, value);
    changed.push(field);
    if (consentChannel) {
      base.consentSources[consentChannel] = update.source;
      if (value || current) {
        channelChanges.push({
          channel: consentChannel,
          change: value ? 'consent-granted' : 'consent-withdrawn',
          applied: true,
        });
      }
    }
    if (field === 'push' && (value === null) !== (before === null || before === undefined)) {
      channelChanges.push({
        channel: 'push',
        change: value ? 'push-registered' : 'push-removed',
        applied: true,
      });
    }
  }
  for (const field of momentFields) {
    const value = update.fields.lifecycle?.[field];
    if (value === undefined) continue;
    const before = base.lifecycle[field];
    if (before !== undefined && !later(value, before)) {
      if (before !== value) stale.push(`lifecycle.${field}`);
      continue;
    }
    base.lifecycle[field] = value;
    changed.push(`lifecycle.${field}`);
  }
  for (const channel of reachableBefore) {
    if (!isReachable(base, channel)) base.turnedOffAt[channel] = update.occurredAt;
  }
  base.version += 1;
  return { record: base, changed, stale, channelChanges, restated };
};

const backoff = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * 2 ** attempt * 5));

/**
 * The one way a user is written, by every path. Each write is conditional on the version it read, so two
 * statements about the same user at the same moment both land (the loser re-reads and merges again); the
 * consent trail is written in the same transaction, so nothing is half-written.
 */
export const applyUserUpdate = async (given: UserUpdate): Promise<UserUpdateResult> => {
  // Stamps compare as instants, and trail keys sort as time: one notation, UTC.
  const update = { ...given, occurredAt: new Date(given.occurredAt).toISOString() };
  for (let attempt = 1; ; attempt += 1) {
    const current = await getUserRecord(update.userId);
    if ((current === undefined || current.pending) && update.ifMissing === 'ignore') {
      return { outcome: 'unknown-user', changed: [], stale: [], channelChanges: [] };
    }
    if (current && update.appliesTo && !update.appliesTo(current)) {
      return { outcome: 'not-applicable', changed: [], stale: [], channelChanges: [] };
    }
    const { record, changed, stale, channelChanges, restated } = mergeUserUpdate(current, update);
    const trail: ConsentChange[] = channelChanges.map((change) => ({
      ...change,
      userId: update.userId,
      occurredAt: update.occurredAt,
      recordedAt: now().toISOString(),
      source: update.source,
      eventId: update.eventId,
    }));
    if (changed.length === 0 && !restated) {
      // Only statements a newer one overrides: they still belong in the trail (a redelivery adds nothing).
      if (trail.length > 0) await putConsentChanges(trail);
      return { outcome: 'unchanged', changed, stale, channelChanges };
    }
    if (await writeUserRecord(record, current?.version, trail)) {
      const outcome = record.pending
        ? 'pending'
        : !current || current.pending
          ? 'created'
          : changed.length > 0
            ? 'updated'
            : 'unchanged';
      return { outcome, changed, stale, channelChanges };
    }
    if (attempt >= MAX_ATTEMPTS) throw new UserUpdateContended(update.userId);
    await backoff(attempt);
  }
};
