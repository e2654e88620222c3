import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunSummary } from '../functions/campaign/run';
import { costOfRun, defaultListPrices } from '../functions/reports/cost';
import type { InboundEvent } from '../local/inbound-events';
import {
  parseReportArguments,
  ReportUsageError,
  readRunsFromTables,
  runReport,
  runsForReport,
} from '../report/cli';
import { CAMPAIGN, RUN_DATE, RUN_ID, RUN_START, useLocalRekindle } from './support/local-rekindle';
import { aUser, reachableOn } from './support/users';

const local = useLocalRekindle();
const PHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1';
const PREVIEW = 'Mozilla/5.0 (Macintosh) AppleWebKit/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0';
const fixture = (name: string) =>
  JSON.parse(readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8')) as {
    detail: Record<string, unknown>;
  };

/** What Rekindle hears at `at`, through the real handlers, with the clock there. */
const hear = (event: InboundEvent, at: Date) => {
  local.rekindle.clock.reset(at);
  return local.rekindle.feed.receive(event, 'scripted', at);
};
const later = (at: string, minutes: number) => new Date(Date.parse(at) + minutes * 60_000);

/**
 * A scripted play, counted by hand: u1..u4 get registered-no-visit's push, SMS and email (u4 has no push, so
 * its ladder starts one rung later), then the call task. Afterwards: u1 taps the push and logs in; an SMS
 * preview fetches u2's link within seconds and u2 taps it two hours later; End User Messaging reports u1's
 * and u2's SMS delivered and u3's unreachable; u3 logs in after the email.
 */
const playScripted = async () => {
  await local.rekindle.importUsers([
    aUser('u1'),
    aUser('u2'),
    aUser('u3'),
    reachableOn('u4', ['sms', 'email', 'call']),
  ]);
  await local.rekindle.runCampaign(CAMPAIGN, { runDate: RUN_DATE });
  const messages = await local.rekindle.sandboxMessages();
  const of = (userId: string, channel: string) => {
    const message = messages.find(
      (candidate) => candidate.userId === userId && candidate.channel === channel,
    );
    if (!message) throw new Error(`no ${channel} to ${userId}`);
    return message;
  };
  const linkOf = (message: (typeof messages)[number]) =>
    String(
      /https:\/\/\S+\/l\/[A-Za-z0-9_.-]+/.exec(
        message.channel === 'push' ? String(message.link) : 'body' in message ? message.body : '',
      )?.[0],
    );
  const push1 = of('u1', 'push');
  await hear(
    {
      type: 'link-request',
      occurredAt: later(push1.sentAt, 60).toISOString(),
      url: linkOf(push1),
      userAgent: PHONE,
    },
    later(push1.sentAt, 60),
  );
  await hear(
    { type: 'login', userId: 'u1', occurredAt: later(push1.sentAt, 65).toISOString() },
    later(push1.sentAt, 65),
  );
  const sms2 = of('u2', 'sms');
  const preview = new Date(Date.parse(sms2.sentAt) + 3_000);
  await hear(
    { type: 'link-request', occurredAt: preview.toISOString(), url: linkOf(sms2), userAgent: PREVIEW },
    preview,
  );
  await hear(
    {
      type: 'link-request',
      occurredAt: later(sms2.sentAt, 120).toISOString(),
      url: linkOf(sms2),
      userAgent: PHONE,
    },
    later(sms2.sentAt, 120),
  );
  const smsEvent = (userId: string, name: string) => {
    const message = of(userId, 'sms');
    const event = fixture(name);
    return {
      ...event,
      detail: {
        ...event.detail,
        messageId: message.messageId,
        context: { userId, touchId: message.touchId, campaignId: CAMPAIGN, variant: message.variant },
      },
    };
  };
  for (const [userId, name] of [
    ['u1', 'eventbridge-sms-voice-text-delivered.json'],
    ['u2', 'eventbridge-sms-voice-text-delivered.json'],
    ['u3', 'eventbridge-sms-voice-text-carrier-unreachable.json'],
  ] as const) {
    const at = later(of(userId, 'sms').sentAt, 1);
    await hear(
      { type: 'sms-event', occurredAt: at.toISOString(), event: smsEvent(userId, name) as never },
      at,
    );
  }
  const email3 = of('u3', 'email');
  await hear(
    { type: 'login', userId: 'u3', occurredAt: later(email3.sentAt, 30).toISOString() },
    later(email3.sentAt, 30),
  );
};

describe('the report of a run read from the tables', () => {
  it('counts the funnel, the cost and the lift of a scripted play as counted by hand', async () => {
    // Prepare
    await playScripted();

    // Act: the reader a deployed stack's report uses, here on DynamoDB Local.
    const [run, ...others] = await readRunsFromTables(
      { runId: RUN_ID },
      later(RUN_START.toISOString(), 60 * 24 * 14),
    );

    // Assess
    expect(others).toEqual([]);
    expect(run?.interim).toBe(false);
    const rowOf = (touch: number, channel: string) =>
      run?.funnel.find((row) => row.touch === touch && row.channel === channel);
    // Everything was sent before anyone reacted: u4's ladder starts at SMS, so its touches are SMS, email, call.
    // A member counts under a goal when their latest login came after the touch: u3's (after the email) counts
    // for all of u3's touches, u1's (before the second touch) for the push only.
    expect(rowOf(1, 'push')).toMatchObject({ sent: 3, delivered: null, clicked: 1, scanned: 0, loggedIn: 2 });
    expect(rowOf(1, 'sms')).toMatchObject({
      sent: 1,
      delivered: 0,
      failed: 0,
      unreported: 1,
      clicked: 0,
      loggedIn: 0,
    });
    expect(rowOf(2, 'sms')).toMatchObject({
      sent: 3,
      delivered: 2,
      failed: 1,
      unreported: 0,
      clicked: 1,
      scanned: 1,
      loggedIn: 1,
    });
    expect(rowOf(2, 'email')).toMatchObject({ sent: 1, delivered: 0, unreported: 1, opened: 0, clicked: 0 });
    expect(rowOf(3, 'email')).toMatchObject({
      sent: 3,
      delivered: 0,
      unreported: 3,
      opened: 0,
      clicked: 0,
      loggedIn: 1,
    });
    expect(rowOf(3, 'call')).toMatchObject({ sent: 1, loggedIn: 0 });
    // The run's own count credits conversions within its window, which closed before the logins.
    expect(run?.summary.totalConverted).toBe(0);

    // The cost, at the documented list prices, by hand.
    const sent = (channel: string) =>
      run?.funnel.filter((row) => row.channel === channel).reduce((sum, row) => sum + row.sent, 0) ?? 0;
    const cost = costOfRun({ ...(run?.summary as RunSummary), totalConverted: 2 }, defaultListPrices);
    expect(cost.byChannel.sms).toEqual({
      messages: sent('sms'),
      usd: Math.round(sent('sms') * 0.0226 * 1e6) / 1e6,
    });
    expect(cost.byChannel.push?.usd).toBeCloseTo(3 / 1_000_000, 9);
    expect(cost.byChannel.call?.usd).toBeCloseTo(4 * 0.15, 9);
    expect(cost.orchestrationUsd).toBeCloseTo(4 * 4.63e-6, 9);
    expect(cost.perConversionUsd).toBeCloseTo(cost.totalUsd / 2, 6);
  });

  it('reads every run of a date range from a deployed stack (its outputs name the tables), prints and writes the report', async () => {
    // Prepare: two daily runs (the second cohort registered a day later), a stack whose outputs name the
    // local tables.
    await local.rekindle.importUsers([
      aUser('u1'),
      aUser('u2'),
      aUser('n1', { lifecycle: { registeredAt: '2026-11-20T18:00:00.000Z' } }),
    ]);
    await local.rekindle.runCampaigns([
      { campaignId: CAMPAIGN, input: { runDate: RUN_DATE } },
      {
        campaignId: CAMPAIGN,
        input: { runDate: '2026-11-23' },
        startAt: later(RUN_START.toISOString(), 24 * 60),
      },
    ]);
    const cloudFormation = mockClient(CloudFormationClient);
    const output = (OutputKey: string, variable: string) => ({
      OutputKey,
      OutputValue: String(process.env[variable]),
    });
    cloudFormation.on(DescribeStacksCommand, { StackName: 'Rekindle' }).resolves({
      Stacks: [
        {
          StackName: 'Rekindle',
          CreationTime: new Date(),
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: [
            output('RunsTable', 'RUNS_TABLE'),
            output('ControlsTable', 'CONTROLS_TABLE'),
            output('EnrollmentsTable', 'ENROLLMENTS_TABLE'),
            output('TouchesTable', 'TOUCHES_TABLE'),
            output('DeliveriesTable', 'DELIVERIES_TABLE'),
            output('ClicksTable', 'CLICKS_TABLE'),
            output('UsersTable', 'USERS_TABLE'),
            output('CallTasksTable', 'CALL_TASKS_TABLE'),
          ],
        },
      ],
    });
    const directory = mkdtempSync(path.join(tmpdir(), 'rekindle-report-'));
    const html = path.join(directory, 'week.html');
    const printed: string[] = [];

    // Act
    const week = await runReport(
      [
        '--stack',
        'Rekindle',
        '--region',
        'us-east-1',
        '--from',
        '2026-11-22',
        '--to',
        '2026-11-28',
        '--html',
        html,
      ],
      (line) => printed.push(line),
    );
    const firstDayOnly = await runReport(
      ['--stack', 'Rekindle', '--from', '2026-11-23', '--to', '2026-11-23', '--html', html],
      () => {},
    );
    cloudFormation.restore();

    // Assess
    expect(week.runs.map((run) => [run.summary.runDate, run.summary.cohortSize])).toEqual([
      ['2026-11-22', 2],
      ['2026-11-23', 1],
    ]);
    expect(firstDayOnly.runs.map((run) => run.summary.runId)).toEqual([
      `${CAMPAIGN}#2026-11-23#America/Mexico_City`,
    ]);
    const text = printed.join('\n');
    expect(text).toContain(
      'Rekindle report · stack Rekindle (us-east-1) · run dates 2026-11-22 to 2026-11-28 · 2 runs',
    );
    expect(text).toMatch(/touch +channel +variant +offer +sent +delivered/);
    expect(text).toMatch(/cost \$\d+\.\d+ \(/);
    expect(readFileSync(html, 'utf8')).toContain('data-chart="weekly-registered-no-visit"');
  });

  it('labels a run whose conversion window is still open interim, tallied from its records as they stand', async () => {
    // Prepare: a run as it stands before its summary (what an open run's record looks like).
    await local.rekindle.importUsers([aUser('u1'), aUser('u2')]);
    const final = (await local.rekindle.runCampaign(CAMPAIGN, { runDate: RUN_DATE })).output;
    const { documentClient } = await import('../functions/clients/dynamodb');
    await documentClient.send(
      new UpdateCommand({
        TableName: String(process.env.RUNS_TABLE),
        Key: { runId: RUN_ID, record: 'run' },
        UpdateExpression: 'SET #status = :running REMOVE summary, completedAt',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':running': 'running' },
      }),
    );
    const printed: string[] = [];

    // Act
    const [run] = await readRunsFromTables({ runId: RUN_ID }, new Date());
    const { formatReport } = await import('../report/text');
    const { assembleReport } = await import('../functions/reports/assemble');
    printed.push(
      formatReport(
        assembleReport(run ? [run] : [], {
          source: 'test',
          generatedAt: new Date(),
          from: RUN_DATE,
          to: RUN_DATE,
          prices: defaultListPrices,
        }),
      ),
    );

    // Assess
    expect(run?.interim).toBe(true);
    expect(run?.summary.touches.map((touch) => touch.sent)).toEqual(
      final?.touches.map((touch) => touch.sent),
    );
    expect(printed.join('\n')).toContain('INTERIM: conversion window still open');
  });

  it('reads a local output directory, for one run, and refuses a run it does not hold without writing', async () => {
    // Prepare: what npm start -- --out DIR leaves.
    await local.rekindle.importUsers([aUser('u1'), aUser('u2')]);
    const result = await local.rekindle.runCampaign(CAMPAIGN, { runDate: RUN_DATE });
    const directory = mkdtempSync(path.join(tmpdir(), 'rekindle-out-'));
    writeFileSync(path.join(directory, 'runs.json'), JSON.stringify([result.output]));
    writeFileSync(path.join(directory, 'funnel.json'), JSON.stringify(await local.rekindle.funnels()));
    const printed: string[] = [];

    // Act
    const data = await runReport(['--out', directory, '--run', RUN_ID], (line) => printed.push(line));
    const missing = runReport(
      ['--out', directory, '--run', 'nope', '--html', path.join(directory, 'nope.html')],
      () => {},
    );
    await expect(missing).rejects.toThrow(ReportUsageError);

    // Assess
    expect(data.runs).toHaveLength(1);
    expect(data.runs[0]?.funnel).toEqual(
      runsForReport([result.output as RunSummary], await local.rekindle.funnels())[0]?.funnel,
    );
    expect(printed.join('\n')).toContain(`Wrote ${path.join(directory, 'report.html')}`);
    expect(existsSync(path.join(directory, 'report.html'))).toBe(true);
    expect(existsSync(path.join(directory, 'nope.html'))).toBe(false);
  });
});

describe('the report command line', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'rekindle-args-'));
  afterEach(() => {
    expect(existsSync(path.join(directory, 'report.html'))).toBe(false);
  });

  it.each([
    ['no source', [], /Give either --out DIR or --stack NAME/],
    ['two sources', ['--out', directory, '--stack', 'Rekindle'], /Give either --out DIR or --stack NAME/],
    ['a bad date', ['--out', directory, '--from', '2026-13-01'], /--from must be a date as YYYY-MM-DD/],
    [
      'a range backwards',
      ['--out', directory, '--from', '2026-11-23', '--to', '2026-11-22'],
      /--from is after --to/,
    ],
    ['a run and a range', ['--out', directory, '--run', 'x', '--from', '2026-11-22'], /not both/],
    ['a stray argument', ['--out', directory, 'extra'], /Unexpected arguments: extra/],
  ])('refuses %s with a ReportUsageError', (_case, argv, message) => {
    expect(() => parseReportArguments(argv)).toThrow(ReportUsageError);
    expect(() => parseReportArguments(argv)).toThrow(message);
  });

  it('takes list prices from a file, refusing a negative price', () => {
    const prices = path.join(directory, 'prices.json');
    writeFileSync(prices, JSON.stringify({ sms: 0.0311 }));
    expect(parseReportArguments(['--out', directory, '--prices', prices]).prices).toEqual({
      ...defaultListPrices,
      sms: 0.0311,
    });
    writeFileSync(prices, JSON.stringify({ email: -1 }));
    expect(() => parseReportArguments(['--out', directory, '--prices', prices])).toThrow(/--prices .*email/);
  });
});
