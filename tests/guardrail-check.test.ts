import { describe, expect, it } from 'vitest';
import { defaultFrequencyCaps } from '../functions/guardrails/frequency-caps';
import { defaultQuietHours } from '../functions/guardrails/quiet-hours';
import { type Contact, checkGuardrails, type GuardrailRecords } from '../local/guardrail-check';

const RUN = 'registered-no-visit#2026-11-22#America/Mexico_City';
const config = {
  quietHours: defaultQuietHours,
  frequencyCaps: defaultFrequencyCaps,
  sendRates: { push: 1000, sms: 2, email: 14 },
};

/** A push at 11:00 Mexico City on 22 November, to user-1 of the run. */
const contact = (overrides: Partial<Contact> = {}): Contact => ({
  userId: 'user-1',
  campaignId: 'registered-no-visit',
  runId: RUN,
  touch: 1,
  channel: 'push',
  sentAt: '2026-11-22T17:00:00.000Z',
  ...overrides,
});

const records = (overrides: Partial<GuardrailRecords> = {}): GuardrailRecords => ({
  contacts: [contact()],
  consentChanges: [],
  enrollments: [
    {
      runId: RUN,
      campaignId: 'registered-no-visit',
      enrolledAt: '2026-11-22T16:30:00.000Z',
      members: ['user-1', 'user-2'],
    },
  ],
  goalEvents: [],
  operatorActions: [],
  timeZoneOf: () => 'America/Mexico_City',
  goalOf: () => 'login',
  ...overrides,
});

const rulesBroken = (input: GuardrailRecords) =>
  checkGuardrails(input, config).violations.map((violation) => violation.rule);

// The check is what the property test and `npm start` trust: each rule must catch what breaks it.
describe('the guardrail check', () => {
  it('passes records that keep every rule, and counts its checks', () => {
    const report = checkGuardrails(records(), config);
    expect(report.violations).toEqual([]);
    expect(report.checks).toEqual({
      consent: 1,
      'quiet-hours': 1,
      'frequency-caps': 1,
      'after-conversion': 1,
      'once-per-touch': 1,
      paused: 1,
      stopped: 1,
      'provider-rate': 1,
    });
  });

  it('catches a provider sent more than its rate within one second, and not at the rate', () => {
    // Three SMS at 2 a second: within 999 ms is one too many, 1 s apart is not.
    const sms = (userId: string, sentAt: string) => contact({ userId, channel: 'sms', sentAt });
    const members = ['user-1', 'user-2', 'user-3'];
    const enrollments = [
      { runId: RUN, campaignId: 'registered-no-visit', enrolledAt: '2026-11-22T16:30:00.000Z', members },
    ];
    const tooFast = [
      sms('user-1', '2026-11-22T17:00:00.000Z'),
      sms('user-2', '2026-11-22T17:00:00.500Z'),
      sms('user-3', '2026-11-22T17:00:00.999Z'),
    ];
    expect(rulesBroken(records({ contacts: tooFast, enrollments }))).toEqual(['provider-rate']);
    const atRate = [...tooFast.slice(0, 2), sms('user-3', '2026-11-22T17:00:01.000Z')];
    expect(rulesBroken(records({ contacts: atRate, enrollments }))).toEqual([]);
  });

  it.each([
    [
      'a push after the person withdrew push consent',
      records({
        consentChanges: [
          {
            userId: 'user-1',
            channel: 'push',
            change: 'consent-withdrawn',
            applied: true,
            occurredAt: '2026-11-22T16:45:00.000Z',
            recordedAt: '2026-11-22T16:45:00.000Z',
            source: 'app-settings',
            eventId: 'e-1',
          },
        ],
      }),
      ['consent'],
    ],
    [
      'an SMS at 22:00 local',
      records({ contacts: [contact({ channel: 'sms', sentAt: '2026-11-23T04:00:00.000Z' })] }),
      ['quiet-hours'],
    ],
    [
      'a push at 11:00 Mexico City to someone in Tokyo (02:00 there)',
      records({ timeZoneOf: () => 'Asia/Tokyo' }),
      ['quiet-hours'],
    ],
    [
      'two messages from two campaigns on one local day',
      records({
        contacts: [
          contact(),
          contact({
            campaignId: 'application-incomplete',
            runId: 'other',
            channel: 'sms',
            sentAt: '2026-11-23T01:30:00.000Z',
          }),
        ],
        enrollments: [
          ...records().enrollments,
          {
            runId: 'other',
            campaignId: 'application-incomplete',
            enrolledAt: '2026-11-22T16:30:00.000Z',
            members: ['user-1'],
          },
        ],
      }),
      ['frequency-caps'],
    ],
    [
      'a fourth message within 7 days',
      records({
        contacts: ['2026-11-22', '2026-11-23', '2026-11-24', '2026-11-25'].map((day, index) =>
          contact({
            touch: index + 1,
            channel: index === 0 ? 'push' : 'email',
            sentAt: `${day}T17:00:00.000Z`,
          }),
        ),
      }),
      ['frequency-caps'],
    ],
    [
      'a third push within 7 days',
      records({
        contacts: ['2026-11-22', '2026-11-24', '2026-11-26'].map((day, index) =>
          contact({ touch: index + 1, sentAt: `${day}T17:00:00.000Z` }),
        ),
      }),
      ['frequency-caps'],
    ],
    [
      'a message after the person logged in',
      records({ goalEvents: [{ userId: 'user-1', type: 'login', occurredAt: '2026-11-22T16:50:00.000Z' }] }),
      ['after-conversion'],
    ],
    [
      'a message to someone the run never enrolled',
      records({ contacts: [contact({ userId: 'user-9' })] }),
      ['after-conversion'],
    ],
    [
      'the same touch twice',
      records({ contacts: [contact(), contact({ channel: 'sms', sentAt: '2026-11-23T02:00:00.000Z' })] }),
      ['frequency-caps', 'once-per-touch'],
    ],
    [
      'a message while the stack was paused',
      records({
        operatorActions: [
          { action: 'pause', all: true, at: '2026-11-22T16:00:00.000Z' },
          { action: 'resume', all: true, at: '2026-11-22T18:00:00.000Z' },
        ],
      }),
      ['paused'],
    ],
    [
      'a message after the run was stopped',
      records({ operatorActions: [{ action: 'stop', runId: RUN, at: '2026-11-22T16:59:00.000Z' }] }),
      ['stopped'],
    ],
  ])('catches %s', (_case, input, rules) => {
    expect(rulesBroken(input)).toEqual(rules);
  });

  it('does not count what another campaign, a later login or a resumed pause allow', () => {
    expect(
      rulesBroken(
        records({
          goalEvents: [{ userId: 'user-1', type: 'drawdown', occurredAt: '2026-11-22T16:50:00.000Z' }],
          operatorActions: [
            { action: 'pause', campaignId: 'application-incomplete', at: '2026-11-22T16:00:00.000Z' },
            { action: 'pause', campaignId: 'registered-no-visit', at: '2026-11-22T15:00:00.000Z' },
            { action: 'resume', campaignId: 'registered-no-visit', at: '2026-11-22T17:00:00.000Z' },
            { action: 'stop', runId: 'another-run', at: '2026-11-22T16:00:00.000Z' },
          ],
        }),
      ),
    ).toEqual([]);
  });
});
