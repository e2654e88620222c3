import { DateTime } from 'luxon';
import type { Channel, Goal } from '../functions/campaign/definition';
import type { ConsentChange } from '../functions/data/user-changes';
import type { FrequencyCaps } from '../functions/guardrails/frequency-caps';
import { isQuietHour, type QuietHours } from '../functions/guardrails/quiet-hours';
import { BRAKES_FRESH_MS } from '../functions/operations/pause-limit';
import type { SendRates } from '../functions/pacing/send-rates';
import { checkConsentHonoured } from './consent-check';

/** A message or call task as the records show it. */
export interface Contact {
  userId: string;
  campaignId: string;
  runId: string;
  touch: number;
  channel: Channel;
  sentAt: string;
}

/** What the check reads: the records a local run leaves (its output files hold the same). */
export interface GuardrailRecords {
  contacts: readonly Contact[];
  consentChanges: readonly ConsentChange[];
  /** Each enrollment: the run, its campaign, when, who (holdout included). */
  enrollments: readonly {
    runId: string;
    campaignId: string;
    enrolledAt: string;
    members: readonly string[];
  }[];
  /** Goal events Rekindle received (login, credit_apply, drawdown), at the later of when they happened and when Rekindle received them. */
  goalEvents: readonly { userId: string; type: string; occurredAt: string }[];
  /** Operator actions carried out (refused ones left out), in time order. */
  operatorActions: readonly {
    action: 'pause' | 'resume' | 'stop';
    campaignId?: string;
    all?: true;
    runId?: string;
    at: string;
  }[];
  timeZoneOf: (userId: string) => string;
  goalOf: (campaignId: string) => Goal;
}

export type GuardrailRule =
  | 'consent'
  | 'quiet-hours'
  | 'frequency-caps'
  | 'after-conversion'
  | 'once-per-touch'
  | 'paused'
  | 'stopped'
  | 'provider-rate';

export interface GuardrailReport {
  /** Rule → how many (contact, rule) pairs were checked. */
  checks: Record<GuardrailRule, number>;
  violations: { rule: GuardrailRule; contact: Contact; detail: string }[];
}

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

/** An instant plus some milliseconds, in the records' ISO form. */
const later = (at: string, milliseconds: number) => new Date(Date.parse(at) + milliseconds).toISOString();

const groupBy = <T>(items: readonly T[], key: (item: T) => string) => {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
};

/**
 * Checks from the records alone, contact by contact, every rule Rekindle promises: no send on a channel
 * the person had turned off, none inside quiet hours (push, SMS, email: a call task only queues a call),
 * none over a frequency cap (their own local day, any rolling 7 days), none to someone who had reached the
 * campaign's goal since enrolling, none twice for one (run, touch, user), none from a paused campaign
 * between pause and resume, none from a run after its stop. Written apart from the code it checks.
 */
export const checkGuardrails = (
  records: GuardrailRecords,
  config: { quietHours: QuietHours; frequencyCaps: FrequencyCaps; sendRates?: SendRates },
): GuardrailReport => {
  const checks: GuardrailReport['checks'] = {
    consent: 0,
    'quiet-hours': 0,
    'frequency-caps': 0,
    'after-conversion': 0,
    'once-per-touch': 0,
    paused: 0,
    stopped: 0,
    'provider-rate': 0,
  };
  const violations: GuardrailReport['violations'] = [];
  const violation = (rule: GuardrailRule, contact: Contact, detail: string) =>
    violations.push({ rule, contact, detail });

  // Consent, per person (the trail of one person only concerns their own contacts).
  const trails = groupBy(records.consentChanges, (change) => change.userId);
  for (const [userId, contacts] of groupBy(records.contacts, (contact) => contact.userId)) {
    checks.consent += contacts.length;
    for (const found of checkConsentHonoured(contacts, trails.get(userId) ?? []).violations) {
      const contact = contacts.find(
        (candidate) => candidate.sentAt === found.sentAt && candidate.channel === found.channel,
      );
      if (contact) violation('consent', contact, `turned off at ${found.turnedOffAt} (${found.source})`);
    }
  }

  for (const contact of records.contacts) {
    if (contact.channel === 'call') continue;
    checks['quiet-hours'] += 1;
    const zone = records.timeZoneOf(contact.userId);
    if (isQuietHour(new Date(contact.sentAt), config.quietHours[contact.channel], zone)) {
      violation(
        'quiet-hours',
        contact,
        `${DateTime.fromISO(contact.sentAt, { zone }).toFormat('HH:mm')} in ${zone}`,
      );
    }
  }

  // Caps: within any window ending at a contact, counting it and everything before it in the window.
  const caps = config.frequencyCaps;
  for (const [userId, contacts] of groupBy(records.contacts, (contact) => contact.userId)) {
    const zone = records.timeZoneOf(userId);
    const sorted = [...contacts].sort((a, b) => a.sentAt.localeCompare(b.sentAt));
    for (const contact of sorted) {
      checks['frequency-caps'] += 1;
      const at = Date.parse(contact.sentAt);
      const week = sorted.filter(
        (other) => Date.parse(other.sentAt) > at - WEEK_MS && Date.parse(other.sentAt) <= at,
      );
      if (contact.channel === 'call') {
        const calls = week.filter((other) => other.channel === 'call').length;
        if (calls > caps.callsPer7Days) violation('frequency-caps', contact, `${calls} call tasks in 7 days`);
        continue;
      }
      const messages = week.filter((other) => other.channel !== 'call');
      const day = DateTime.fromMillis(at, { zone }).toISODate();
      const sameDay = messages.filter(
        (other) => DateTime.fromISO(other.sentAt, { zone }).toISODate() === day,
      ).length;
      const pushes = messages.filter((other) => other.channel === 'push').length;
      if (sameDay > caps.messagesPerLocalDay)
        violation('frequency-caps', contact, `${sameDay} messages on ${day}`);
      if (messages.length > caps.messagesPer7Days)
        violation('frequency-caps', contact, `${messages.length} messages in 7 days`);
      if (contact.channel === 'push' && pushes > caps.pushPer7Days)
        violation('frequency-caps', contact, `${pushes} pushes in 7 days`);
    }
  }

  // The campaign's goal reached after enrolling, at or before the send: nothing more may go out.
  const enrolledAt = new Map<string, string>();
  for (const enrollment of records.enrollments) {
    for (const userId of enrollment.members)
      enrolledAt.set(`${enrollment.runId}|${userId}`, enrollment.enrolledAt);
  }
  const goals = groupBy(records.goalEvents, (event) => `${event.userId}|${event.type}`);
  for (const contact of records.contacts) {
    checks['after-conversion'] += 1;
    const since = enrolledAt.get(`${contact.runId}|${contact.userId}`);
    const goal = records.goalOf(contact.campaignId);
    const converted = (goals.get(`${contact.userId}|${goal}`) ?? []).find(
      (event) => since !== undefined && event.occurredAt >= since && event.occurredAt <= contact.sentAt,
    );
    if (since === undefined) violation('after-conversion', contact, 'sent to someone the run never enrolled');
    else if (converted) violation('after-conversion', contact, `${goal} at ${converted.occurredAt}`);
  }

  const seen = new Set<string>();
  for (const contact of records.contacts) {
    checks['once-per-touch'] += 1;
    const key = `${contact.runId}|${contact.touch}|${contact.userId}`;
    if (seen.has(key)) violation('once-per-touch', contact, 'a second contact for this touch');
    seen.add(key);
  }

  // Pauses as intervals per scope (the stack, each campaign); stops per run.
  const pauses: { scope: string; from: string; until: string }[] = [];
  const open = new Map<string, string>();
  const stops = new Map<string, string>();
  for (const action of records.operatorActions) {
    const scope = action.all ? 'stack' : `campaign#${action.campaignId}`;
    if (action.action === 'pause' && !open.has(scope)) open.set(scope, action.at);
    if (action.action === 'resume' && open.has(scope)) {
      pauses.push({ scope, from: open.get(scope) ?? '', until: action.at });
      open.delete(scope);
    }
    if (action.action === 'stop' && action.runId && !stops.has(action.runId))
      stops.set(action.runId, action.at);
  }
  for (const [scope, from] of open) pauses.push({ scope, from, until: '9999' });
  for (const contact of records.contacts) {
    checks.paused += 1;
    const pause = pauses.find(
      (candidate) =>
        (candidate.scope === 'stack' || candidate.scope === `campaign#${contact.campaignId}`) &&
        contact.sentAt >= later(candidate.from, BRAKES_FRESH_MS) &&
        contact.sentAt < candidate.until,
    );
    if (pause) violation('paused', contact, `${pause.scope} paused from ${pause.from} to ${pause.until}`);
    checks.stopped += 1;
    const stoppedAt = stops.get(contact.runId);
    if (stoppedAt !== undefined && contact.sentAt >= later(stoppedAt, BRAKES_FRESH_MS))
      violation('stopped', contact, `stopped at ${stoppedAt}`);
  }

  // No provider took more than its configured rate in any one-second window (of send moments).
  const rates = config.sendRates;
  if (rates) {
    for (const channel of ['push', 'sms', 'email'] as const) {
      const sent = records.contacts
        .filter((contact) => contact.channel === channel)
        .sort((a, b) => a.sentAt.localeCompare(b.sentAt));
      let start = 0;
      for (const [end, contact] of sent.entries()) {
        checks['provider-rate'] += 1;
        const at = Date.parse(contact.sentAt);
        while (Date.parse(sent[start]?.sentAt ?? contact.sentAt) <= at - 1000) start += 1;
        if (end - start + 1 > rates[channel])
          violation('provider-rate', contact, `${end - start + 1} ${channel} messages within one second`);
      }
    }
  }
  return { checks, violations };
};

/** One line for a terminal: the checks made and the violations found, by rule. */
export const formatGuardrailCheck = (report: GuardrailReport): string => {
  const made = Object.values(report.checks).reduce((sum, count) => sum + count, 0);
  const byRule = Object.keys(report.checks)
    .map((rule) => `${rule} ${report.violations.filter((violation) => violation.rule === rule).length}`)
    .join(', ');
  return `guardrails: ${made} checks · violations: ${report.violations.length} (${byRule})`;
};
