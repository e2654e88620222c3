import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../functions/campaign/run';
import { type ChaosRecords, checkChaos } from '../local/chaos-checks';

const RUN = 'registered-no-visit#2026-12-07#America/Mexico_City';
const SENT_AT = '2026-12-07T17:00:00.000Z';

const summary = (overrides: Partial<RunSummary> = {}): RunSummary =>
  ({
    runId: RUN,
    campaignId: 'registered-no-visit',
    cohortSize: 3,
    totalConverted: 0,
    completed: 1,
    exited: { unreachable: 1 },
    holdout: { size: 1, converted: 0 },
    touches: [{ touch: 1, sent: { sms: 1 }, skipped: { unreachable: 1 }, optedOut: {} }],
    ...overrides,
  }) as RunSummary;

/** One closed run of three members (one sent an SMS, one unreachable, one holdout), every record agreeing. */
const agreeing = (): ChaosRecords => ({
  results: [{ campaignId: 'registered-no-visit', status: 'SUCCEEDED', output: summary() }],
  runRecords: [{ runId: RUN, status: 'completed', summary: summary() }],
  enrollments: [
    {
      runId: RUN,
      batch: 1,
      members: ['u1', 'u2', 'u3'],
      holdout: ['u3'],
      terminal: {
        u1: { status: 'completed' },
        u2: { status: 'exited', reason: 'unreachable' },
        u3: { status: 'holdout' },
      },
    } as never,
  ],
  touchChunks: [
    {
      runId: RUN,
      batch: 1,
      touch: 1,
      chunk: 1,
      userIds: ['u1', 'u2'],
      status: 'claimed',
      claimedAt: SENT_AT,
      plannedRungs: {},
      results: {
        u1: { channel: 'sms', rung: 1, variant: 'default', messageId: 'm1', sentAt: SENT_AT },
        u2: { skipped: 'unreachable' },
      },
    },
  ],
  messages: [{ messageId: 'm1', runId: RUN, touch: 1, userId: 'u1', channel: 'sms' }],
  callTasks: [],
  acceptances: new Map([[`${RUN}|1|u1`, 1]]),
  guardrailViolations: 0,
});

const withSummary = (records: ChaosRecords, changed: RunSummary): ChaosRecords => ({
  ...records,
  results: [
    { ...records.results[0], campaignId: 'registered-no-visit', status: 'SUCCEEDED', output: changed },
  ],
  runRecords: [{ runId: RUN, status: 'completed', summary: changed }],
});

describe('the chaos checks', () => {
  it('find nothing wrong in records that agree', () => {
    expect(checkChaos(agreeing())).toMatchObject({
      duplicateSends: 0,
      guardrailViolations: 0,
      membersWithoutTerminalState: 0,
      runsUnaccounted: 0,
      runsFailedRedrivable: 0,
      summaryMismatches: 0,
      sendsInDoubt: 0,
      checked: { runs: 1, members: 3, sends: 1, touches: 1 },
      problems: [],
    });
  });

  it.each<[string, (records: ChaosRecords) => ChaosRecords, Record<string, number>]>([
    [
      'a message the provider took twice',
      (records) => ({ ...records, acceptances: new Map([[`${RUN}|1|u1`, 2]]) }),
      { duplicateSends: 1 },
    ],
    ['a guardrail broken', (records) => ({ ...records, guardrailViolations: 2 }), { guardrailViolations: 2 }],
    [
      'a member with no terminal state',
      (records) => ({
        ...records,
        enrollments: [{ ...records.enrollments[0], terminal: { u1: { status: 'completed' } } } as never],
      }),
      { membersWithoutTerminalState: 2, summaryMismatches: 1 },
    ],
    [
      'a member who exited with no reason',
      (records) => ({
        ...records,
        enrollments: [
          {
            ...records.enrollments[0],
            terminal: { ...records.enrollments[0]?.terminal, u2: { status: 'exited' } },
          } as never,
        ],
      }),
      { membersWithoutTerminalState: 1, summaryMismatches: 1 },
    ],
    [
      'a run record left running that no execution accounts for',
      (records) => ({
        ...records,
        runRecords: [...records.runRecords, { runId: `${RUN}-other`, status: 'running' }],
      }),
      { runsUnaccounted: 1 },
    ],
    [
      'an execution that succeeded while its run record stayed open',
      (records) => ({ ...records, runRecords: [{ runId: RUN, status: 'running' }] }),
      { runsUnaccounted: 2 },
    ],
    [
      'an execution that failed where no redrive can resume it',
      (records) => ({
        ...records,
        results: [
          ...records.results,
          { campaignId: 'x', status: 'FAILED', error: { name: 'Error', message: 'x' } },
        ],
      }),
      { runsUnaccounted: 1 },
    ],
    [
      'an execution that failed on its own code, which a redrive would not mend',
      (records) => ({
        ...records,
        results: [
          ...records.results,
          {
            campaignId: 'x',
            status: 'FAILED',
            error: { name: 'TypeError', message: 'x is undefined' },
            failedState: { name: 'SendTouch1', input: {} },
          },
        ],
      }),
      { runsUnaccounted: 1, runsFailedRedrivable: 0 },
    ],
    [
      'a summary counting one send more than the records',
      (records) =>
        withSummary(records, summary({ touches: [{ ...summary().touches[0], sent: { sms: 2 } } as never] })),
      { summaryMismatches: 1 },
    ],
    [
      'a summary with a cohort the enrollments do not hold',
      (records) => withSummary(records, summary({ cohortSize: 4 })),
      { summaryMismatches: 1 },
    ],
    [
      'a summary whose endings differ from the terminal states',
      (records) => withSummary(records, summary({ completed: 2, exited: {} })),
      { summaryMismatches: 1 },
    ],
    [
      'a recorded send no provider took',
      (records) => ({ ...records, messages: [] }),
      { summaryMismatches: 1 },
    ],
    [
      'a message the provider took that the records neither show sent nor report unsent',
      (records) => ({
        ...records,
        messages: [
          ...records.messages,
          { messageId: 'm2', runId: RUN, touch: 1, userId: 'u2', channel: 'sms' },
        ],
      }),
      { summaryMismatches: 1, sendsInDoubt: 1 },
    ],
  ])('flag %s', (_, change, expected) => {
    // Act
    const check = checkChaos(change(agreeing()));

    // Assert
    expect(check).toMatchObject(expected);
    expect(check.problems.length).toBeGreaterThan(0);
  });

  it('account for a refused second start, and for a visibly failed, redrivable run whose members wait for it', () => {
    // Prepare
    const records = agreeing();
    const failedRun = `${RUN}-b`;

    // Act
    const check = checkChaos({
      ...records,
      results: [
        ...records.results,
        {
          campaignId: 'registered-no-visit',
          status: 'FAILED',
          error: {
            name: 'RunAlreadyStarted',
            message: `Run ${RUN} has already started; nobody is enrolled twice`,
          },
        },
        {
          campaignId: 'registered-no-visit',
          status: 'FAILED',
          error: { name: 'Lambda.Unknown', message: 'down' },
          failedState: { name: 'SendTouch2', input: { run: { runId: failedRun } } },
        },
      ],
      runRecords: [...records.runRecords, { runId: failedRun, status: 'running' }],
      enrollments: [
        ...records.enrollments,
        { runId: failedRun, batch: 1, members: ['u9'], holdout: [] } as never,
      ],
    });

    // Assert
    expect(check).toMatchObject({
      runsUnaccounted: 0,
      runsFailedRedrivable: 1,
      membersWithoutTerminalState: 0,
    });
  });

  it('accept a message in doubt that its touch reports unsent', () => {
    // Prepare: a crash after the provider took u2's message left the chunk without results.
    const records = agreeing();
    const changed = summary({
      touches: [{ ...summary().touches[0], skipped: { unreachable: 1, 'already-claimed': 1 } } as never],
    });

    // Act
    const check = checkChaos({
      ...withSummary(records, changed),
      messages: [
        ...records.messages,
        { messageId: 'm2', runId: RUN, touch: 1, userId: 'u2', channel: 'sms' },
      ],
    });

    // Assert
    expect(check).toMatchObject({ summaryMismatches: 0, sendsInDoubt: 1 });
  });
});
