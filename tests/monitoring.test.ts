import { Match, Template } from 'aws-cdk-lib/assertions';
import type { Context } from 'aws-lambda';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Run, TouchOutcome } from '../functions/campaign/run';
import { useClock } from '../functions/shared/clock';
import { createRekindleApp, STACK_NAME } from '../infra/rekindle-app';

// The handlers' domain calls stand in for DynamoDB: the tests look at the metrics they publish.
const domain = vi.hoisted(() => ({
  sendTouchToBatch: vi.fn(),
  getTouchOutcome: vi.fn(),
  summariseRun: vi.fn(),
}));
vi.mock('../functions/campaign/send-touch', () => ({ sendTouchToBatch: domain.sendTouchToBatch }));
vi.mock('../functions/data/runs', () => ({ getTouchOutcome: domain.getTouchOutcome }));
vi.mock('../functions/campaign/summary', () => ({ summariseRun: domain.summariseRun }));
vi.mock('../functions/channels/senders', () => ({ channelSendersFromEnvironment: async () => ({}) }));

/** Synthesizes the whole app with cdk-nag's AwsSolutions checks, as `cdk synth` does (bundling skipped). */
const synthesize = (options: Parameters<typeof createRekindleApp>[0] = {}) => {
  const { app } = createRekindleApp({ skipBundling: true, ...options });
  return Template.fromJSON(app.synth().getStackByName(STACK_NAME).template);
};

const withProviders = {
  channels: {
    mode: 'aws',
    pinpointApplicationId: 'app-123',
    smsOriginationIdentityArn: 'arn:aws:sms-voice:us-east-1:111122223333:phone-number/phone-abc',
    emailFromAddress: 'offers@lender.example',
  },
} as const;

const resourcesOf = (template: Template, type: string) => template.findResources(type);
type Resource = ReturnType<typeof resourcesOf>[string];

/** One entry of an alarm's Metrics: an expression, or a metric with its statistic. */
interface AlarmMetric {
  Id: string;
  Expression?: string;
  MetricStat?: {
    Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: unknown }[] };
    Period: number;
    Stat: string;
  };
}

const alarmNamed = (template: Template, name: string) => {
  const found = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).filter(
    (alarm) => alarm.Properties.AlarmName === `${STACK_NAME}-${name}`,
  );
  expect(found, `alarm ${name}`).toHaveLength(1);
  return (found[0] as Resource).Properties;
};

const logicalIdOf = (template: Template, type: string, where: (resource: Resource) => boolean) => {
  const ids = Object.entries(resourcesOf(template, type))
    .filter(([, resource]) => where(resource))
    .map(([id]) => id);
  expect(ids).toHaveLength(1);
  return ids[0] as string;
};

const getAttId = (value: unknown) => (value as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];

/** Each campaign's state machine, the live alias its schedules start, and their dead-letter queue. */
const campaignResources = (template: Template) =>
  Object.entries(resourcesOf(template, 'AWS::StepFunctions::StateMachine'))
    .filter(([, machine]) => machine.Metadata?.['rekindle:campaign'] !== undefined)
    .map(([machineId, machine]) => {
      const versionId = logicalIdOf(
        template,
        'AWS::StepFunctions::StateMachineVersion',
        (version) => version.Properties.StateMachineArn.Ref === machineId,
      );
      const aliasId = logicalIdOf(
        template,
        'AWS::StepFunctions::StateMachineAlias',
        (alias) => getAttId(alias.Properties.RoutingConfiguration[0].StateMachineVersionArn) === versionId,
      );
      const queueIds = Object.values(resourcesOf(template, 'AWS::Scheduler::Schedule'))
        .filter((schedule) => getAttId(schedule.Properties.Target.Arn) === aliasId)
        .map((schedule) => getAttId(schedule.Properties.Target.DeadLetterConfig.Arn));
      expect(new Set(queueIds).size).toBe(1);
      return {
        id: machine.Metadata?.['rekindle:campaign'] as string,
        machineId,
        aliasId,
        queueId: queueIds[0],
      };
    });

/** The metrics an alarm reads: their names and dimensions (tokens as they are). */
const metricsOf = (alarm: Resource) =>
  (alarm.Metrics as AlarmMetric[]).flatMap((entry) => (entry.MetricStat ? [entry.MetricStat.Metric] : []));

type CloudWatchMetric = NonNullable<AlarmMetric['MetricStat']>['Metric'];

const dimensions = (metric: CloudWatchMetric | undefined) =>
  Object.fromEntries((metric?.Dimensions ?? []).map(({ Name, Value }) => [Name, Value]));

describe('the alarms', () => {
  const template = synthesize();
  const topicId = Object.keys(resourcesOf(template, 'AWS::SNS::Topic')).find((id) =>
    id.startsWith('MonitoringAlarmTopic'),
  ) as string;
  const campaigns = campaignResources(template);

  it('notify one topic: encrypted with a rotated key CloudWatch may use, SSL only, ARN in the outputs', () => {
    expect(topicId).toBeDefined();
    const topic = resourcesOf(template, 'AWS::SNS::Topic')[topicId] as Resource;
    const keyId = getAttId(topic.Properties.KmsMasterKeyId);
    const key = resourcesOf(template, 'AWS::KMS::Key')[keyId] as Resource;
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.Properties.KeyPolicy.Statement).toContainEqual(
      expect.objectContaining({
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      }),
    );
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Principal: '*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } }),
          }),
        ]),
      },
    });
    expect(template.findOutputs('AlarmTopicArn')).toEqual({
      AlarmTopicArn: expect.objectContaining({ Value: { Ref: topicId } }),
    });
    // Nobody is subscribed unless alarmEmail names someone.
    expect(Object.keys(resourcesOf(template, 'AWS::SNS::Subscription')).join()).not.toMatch(/Monitoring/);
  });

  it('every one of them notifies the topic, once', () => {
    const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm'));
    // Per campaign: runs failed, runs timed out, schedule DLQ, send failure rate; the import's two; four DLQs.
    expect(alarms).toHaveLength(campaigns.length * 4 + 2 + 4);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties.TreatMissingData).toBe('notBreaching');
    }
  });

  it('go off at one failed or timed-out run of every campaign, whether started on the machine or its live alias', () => {
    expect(campaigns.map(({ id }) => id).sort()).toEqual([
      'application-incomplete',
      'credited-no-drawdown',
      'credited-no-drawdown-inner-ring',
      'registered-no-visit',
      'settled-no-reborrow',
    ]);
    for (const { id, machineId, aliasId } of campaigns) {
      for (const [name, metricName] of [
        ['runs-failed', 'ExecutionsFailed'],
        ['runs-timed-out', 'ExecutionsTimedOut'],
      ] as const) {
        const alarm = alarmNamed(template, `${id}-${name}`);
        expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
        const metrics = metricsOf(alarm);
        expect(metrics.map((metric) => [metric.Namespace, metric.MetricName])).toEqual([
          ['AWS/States', metricName],
          ['AWS/States', metricName],
        ]);
        expect(metrics.map((metric) => dimensions(metric).StateMachineArn)).toEqual([
          { Ref: machineId },
          { 'Fn::GetAtt': [aliasId, 'Arn'] },
        ]);
      }
    }
  });

  it("name each campaign's run timeout, the one its state machine sets, in its stuck alarm", () => {
    for (const { id, machineId } of campaigns) {
      const machine = resourcesOf(template, 'AWS::StepFunctions::StateMachine')[machineId] as Resource;
      // The definition is JSON joined with ARNs; the ARNs read as "TOKEN".
      const parts = machine.Properties.DefinitionString['Fn::Join'][1] as unknown[];
      const definition = JSON.parse(
        parts.map((part) => (typeof part === 'string' ? part : 'TOKEN')).join(''),
      );
      const seconds = definition.TimeoutSeconds as number;
      expect(seconds).toBeGreaterThan(7 * 86_400);
      expect(alarmNamed(template, `${id}-runs-timed-out`).AlarmDescription).toContain(
        `still going at its timeout of ${seconds / 86_400} days`,
      );
    }
  });

  it('go off at one failed or timed-out user import', () => {
    const importMachine = logicalIdOf(
      template,
      'AWS::StepFunctions::StateMachine',
      (machine) => machine.Metadata?.['rekindle:state-machine'] === 'user-import',
    );
    for (const [name, metricName] of [
      ['user-import-runs-failed', 'ExecutionsFailed'],
      ['user-import-runs-timed-out', 'ExecutionsTimedOut'],
    ] as const) {
      const alarm = alarmNamed(template, name);
      expect(alarm.Threshold).toBe(1);
      expect(metricsOf(alarm)).toEqual([
        expect.objectContaining({
          MetricName: metricName,
          Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: importMachine } }],
        }),
      ]);
    }
  });

  it("go off at one message in a campaign's schedule dead-letter queue or in any inbound or import one", () => {
    const waiting = (name: string, queueId: string) => {
      const alarm = alarmNamed(template, `${name}-waiting`);
      expect(alarm.Threshold).toBe(1);
      expect(metricsOf(alarm)).toEqual([
        expect.objectContaining({
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
        }),
      ]);
    };
    for (const { id, queueId } of campaigns) waiting(`${id}-schedule-failures`, queueId as string);
    const queues = Object.keys(resourcesOf(template, 'AWS::SQS::Queue'));
    for (const name of [
      'DeliveryEventFailures',
      'InboundSmsFailures',
      'EmailFeedbackFailures',
      'UploadsNotStarted',
    ]) {
      const queueId = queues.find((id) => new RegExp(`${name}[0-9A-F]{8}$`).test(id)) as string;
      waiting(name, queueId);
    }
    expect(alarmNamed(template, 'DeliveryEventFailures-waiting').AlarmDescription).toContain(
      'delivery events that could not be recorded',
    );
  });

  it("go off when over 5% of a campaign's sends fail in 15 minutes, counted from its own metrics", () => {
    for (const { id } of campaigns) {
      const alarm = alarmNamed(template, `${id}-send-failure-rate`);
      expect(alarm).toMatchObject({ Threshold: 5, ComparisonOperator: 'GreaterThanThreshold' });
      expect(alarm.Metrics[0].Expression).toBe(
        'IF(FILL(sent, 0) + FILL(failed, 0) >= 50, 100 * FILL(failed, 0) / (FILL(sent, 0) + FILL(failed, 0)), 0)',
      );
      const byId = Object.fromEntries(
        (alarm.Metrics as AlarmMetric[]).map((entry) => [entry.Id, entry.MetricStat]),
      );
      expect(byId.sent).toEqual({
        Metric: {
          Namespace: 'Rekindle',
          MetricName: 'MessagesSent',
          Dimensions: [
            { Name: 'campaign', Value: id },
            { Name: 'service', Value: 'rekindle' },
          ],
        },
        Period: 900,
        Stat: 'Sum',
      });
      expect(byId.failed?.Metric.MetricName).toBe('MembersSkipped');
      expect(dimensions(byId.failed?.Metric)).toEqual({
        campaign: id,
        reason: 'send-failed',
        service: 'rekindle',
      });
    }
  });

  it('watch SES reputation only where Rekindle sends email: bounces above 2%, complaints above 0.05%', () => {
    const names = (t: Template) =>
      Object.values(resourcesOf(t, 'AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties.AlarmName);
    expect(names(template).join()).not.toContain('ses-');
    const aws = synthesize(withProviders);
    for (const [name, metricName, threshold] of [
      ['ses-bounce-rate', 'Reputation.BounceRate', 0.02],
      ['ses-complaint-rate', 'Reputation.ComplaintRate', 0.0005],
    ] as const) {
      const alarm = alarmNamed(aws, name);
      expect(alarm).toMatchObject({
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [{ Ref: expect.stringMatching(/^MonitoringAlarmTopic/) }],
      });
      // The account's rates: no dimensions.
      expect(alarm.Metrics).toEqual([
        expect.objectContaining({
          MetricStat: {
            Metric: { Namespace: 'AWS/SES', MetricName: metricName },
            Period: 3600,
            Stat: 'Maximum',
          },
        }),
      ]);
    }
  });

  it('take their thresholds and a subscriber from the app options', () => {
    const tuned = synthesize({
      ...withProviders,
      alarmThresholds: { sendFailureRatePercent: 10, sendFailureMinAttempts: 200, bounceRatePercent: 3 },
      alarmEmail: 'oncall@lender.example',
    });
    const rate = alarmNamed(tuned, 'registered-no-visit-send-failure-rate');
    expect(rate.Threshold).toBe(10);
    expect(rate.Metrics[0].Expression).toContain('>= 200,');
    expect(alarmNamed(tuned, 'ses-bounce-rate').Threshold).toBe(0.03);
    expect(alarmNamed(tuned, 'ses-complaint-rate').Threshold).toBe(0.0005);
    tuned.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@lender.example',
      TopicArn: { Ref: Match.stringLikeRegexp('^MonitoringAlarmTopic') },
    });
  });

  it.each([
    [{ bounceRatePercent: 5 }, 'alarmThresholds.bounceRatePercent: '],
    [{ complaintRatePercent: 0.2 }, 'alarmThresholds.complaintRatePercent: '],
    [{ sendFailureRatePercent: 0 }, 'alarmThresholds.sendFailureRatePercent: '],
    [{ pagerDuty: true }, 'alarmThresholds'],
  ])('fail synthesis for thresholds %j', (thresholds, message) => {
    expect(() => synthesize({ alarmThresholds: thresholds as never })).toThrow(
      expect.objectContaining({ name: 'InvalidGuardrails', message: expect.stringContaining(message) }),
    );
  });

  it('fail synthesis for an alarm email that is not an address', () => {
    expect(() => synthesize({ alarmEmail: 'oncall' })).toThrow('alarmEmail: must be an email address');
  });
});

describe('the dashboard', () => {
  const template = synthesize(withProviders);
  const dashboards = Object.values(resourcesOf(template, 'AWS::CloudWatch::Dashboard'));
  // The body is JSON joined with tokens (ARNs, queue names, the region); the tokens read as "TOKEN".
  const body = () => {
    const parts = dashboards[0]?.Properties.DashboardBody['Fn::Join'][1] as unknown[];
    return JSON.parse(parts.map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('')) as {
      widgets: { type: string; properties: { title?: string; markdown?: string; metrics?: unknown[][] } }[];
    };
  };
  const titled = (title: string) => {
    const widget = body().widgets.find((candidate) => candidate.properties.title === title);
    expect(widget, title).toBeDefined();
    return widget?.properties.metrics ?? [];
  };

  it('is one per stack, named after it', () => {
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]?.Properties.DashboardName).toBe(STACK_NAME);
  });

  it('has a section per campaign: heading, sends, skips, conversions, failures, throttles, durations', () => {
    const campaignIds = campaignResources(template).map(({ id }) => id);
    expect(campaignIds).toHaveLength(5);
    const headings = body()
      .widgets.flatMap((widget) => (widget.type === 'text' ? [widget.properties.markdown ?? ''] : []))
      .filter((markdown) => markdown.startsWith('## '));
    expect(headings.map((heading) => heading.split('\n')[0]).sort()).toEqual(
      campaignIds.map((id) => `## ${id}`).sort(),
    );
    for (const id of campaignIds) {
      for (const graph of [
        'sends by channel',
        'skips by reason',
        'enrolled and converted, per day',
        'failures',
        'throttled sends tried again',
        'run duration',
      ]) {
        titled(`${id}: ${graph}`);
      }
    }
  });

  it("plots each campaign's own metrics in namespace Rekindle by campaign, channel and reason", () => {
    const metric = (name: string, campaign: string, extra: string[] = []) => [
      'Rekindle',
      name,
      'campaign',
      campaign,
      ...extra,
      'service',
      'rekindle',
      expect.anything(),
    ];
    // registered-no-visit: push → SMS → email → call.
    expect(titled('registered-no-visit: sends by channel')).toEqual(
      ['push', 'sms', 'email', 'call'].map((channel) =>
        metric('MessagesSent', 'registered-no-visit', ['channel', channel]),
      ),
    );
    const skips = titled('registered-no-visit: skips by reason');
    for (const reason of ['converted', 'quiet-hours', 'frequency-capped', 'send-failed', 'window-missed']) {
      expect(skips).toContainEqual(metric('MembersSkipped', 'registered-no-visit', ['reason', reason]));
    }
    // Throttled and held members are sent later: never a skip of their own.
    expect(JSON.stringify(skips)).not.toMatch(/"(throttled|held)"/);
    expect(titled('settled-no-reborrow: enrolled and converted, per day')).toEqual([
      metric('UsersEnrolled', 'settled-no-reborrow'),
      metric('UsersConverted', 'settled-no-reborrow'),
      metric('HoldoutConverted', 'settled-no-reborrow'),
    ]);
    expect(titled('settled-no-reborrow: throttled sends tried again')).toEqual([
      metric('SendThrottleRetries', 'settled-no-reborrow'),
    ]);
    expect(titled('settled-no-reborrow: run duration')).toContainEqual(
      metric('RunDuration', 'settled-no-reborrow'),
    );
    const failures = JSON.stringify(titled('settled-no-reborrow: failures'));
    for (const shown of [
      '"send-failed"',
      'ExecutionsFailed',
      'ExecutionsTimedOut',
      'send failure rate (%)',
    ]) {
      expect(failures).toContain(shown);
    }
  });

  it('shows the alarms, the dead-letter queues and the SES reputation stack-wide', () => {
    const alarmWidget = body().widgets.find((widget) => widget.type === 'alarm') as unknown as {
      properties: { alarms: unknown[] };
    };
    expect(alarmWidget.properties.alarms).toHaveLength(
      Object.keys(resourcesOf(template, 'AWS::CloudWatch::Alarm')).length,
    );
    expect(titled('Dead-letter queues: messages waiting')).toHaveLength(5 + 4);
    expect(JSON.stringify(titled('SES account reputation (%)'))).toContain('Reputation.ComplaintRate');
  });
});

/** The EMF records a handler printed: each metric with its value and dimensions. */
const published = (write: { mock: { calls: unknown[][] } }) =>
  write.mock.calls
    .map(([chunk]) => String(chunk))
    .filter((line) => line.includes('"_aws"'))
    .flatMap((line) => {
      const record = JSON.parse(line);
      const [directive] = record._aws.CloudWatchMetrics;
      return directive.Metrics.map(({ Name }: { Name: string }) => ({
        name: Name,
        value: record[Name],
        dimensions: Object.fromEntries(directive.Dimensions[0].map((key: string) => [key, record[key]])),
      }));
    });

const context = { functionName: 'rekindle-test', awsRequestId: 'request-1' } as Context;

describe('the metrics the dashboard reads', () => {
  const run = { runId: 'run-1', campaign: { id: 'registered-no-visit' }, dryRun: false } as unknown as Run;
  const outcome = (counts: Partial<TouchOutcome>): TouchOutcome => ({
    touch: 2,
    batch: 7,
    sent: {},
    skipped: {},
    optedOut: {},
    held: 0,
    pending: 0,
    throttleRetries: 0,
    finishedAt: '2026-11-02T17:00:00.000Z',
    active: 0,
    ...counts,
  });

  beforeAll(() => {
    Object.assign(process.env, {
      QUIET_HOURS: '{}',
      FREQUENCY_CAPS: '{}',
      SEND_RATES: '{}',
      POWERTOOLS_METRICS_DISABLED: 'false',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    useClock({ now: () => new Date() });
  });

  it("count what a send pass added to the batch's outcome: sends per channel, skips per reason, throttle retries", async () => {
    // Prepare: the outcome counts every pass so far; the last pass had sent 40 SMS.
    const { handler } = await import('../functions/handlers/send-touch');
    domain.getTouchOutcome.mockResolvedValue(
      outcome({ sent: { sms: 40 }, skipped: { converted: 3, 'send-failed': 1 }, throttleRetries: 2 }),
    );
    domain.sendTouchToBatch.mockResolvedValue(
      outcome({
        sent: { sms: 100, email: 5 },
        skipped: { converted: 3, 'send-failed': 4, 'quiet-hours': 2 },
        throttleRetries: 7,
      }),
    );
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);

    // Act
    await handler({ run, touch: 2, batch: 7, sendAt: '2026-11-02T17:00:00Z', mode: 'send' }, context);

    // Assess
    expect(domain.getTouchOutcome).toHaveBeenCalledWith('run-1', 2, 7);
    const base = { service: 'rekindle', campaign: 'registered-no-visit' };
    expect(published(write)).toEqual(
      expect.arrayContaining([
        { name: 'MessagesSent', value: 60, dimensions: { ...base, channel: 'sms' } },
        { name: 'MessagesSent', value: 5, dimensions: { ...base, channel: 'email' } },
        { name: 'MembersSkipped', value: 3, dimensions: { ...base, reason: 'send-failed' } },
        { name: 'MembersSkipped', value: 2, dimensions: { ...base, reason: 'quiet-hours' } },
        { name: 'MessagesSent', value: 65, dimensions: base },
        { name: 'SendThrottleRetries', value: 5, dimensions: base },
        { name: 'BatchesTouched', value: 1, dimensions: base },
      ]),
    );
    // Converted members counted by an earlier pass are not counted again.
    expect(published(write)).toHaveLength(7);
  });

  it('count a dry run nowhere: it hands nothing to a provider', async () => {
    // Prepare
    const { handler } = await import('../functions/handlers/send-touch');
    domain.getTouchOutcome.mockClear();
    domain.sendTouchToBatch.mockResolvedValue(outcome({ sent: { push: 9 }, skipped: { holdout: 1 } }));
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);

    // Act
    await handler(
      { run: { ...run, dryRun: true }, touch: 1, batch: 1, sendAt: '2026-11-02T17:00:00Z', mode: 'send' },
      context,
    );

    // Assess
    expect(domain.getTouchOutcome).not.toHaveBeenCalled();
    expect(published(write).map(({ name }) => name)).toEqual(['BatchesTouched']);
  });

  it("record a run's duration, from its start to its summary, beside its conversions", async () => {
    // Prepare: the run started nine and a half days before its summary.
    const { handler } = await import('../functions/handlers/summarise-run');
    useClock({ now: () => new Date('2026-11-11T22:00:00.000Z') });
    domain.summariseRun.mockResolvedValue({ totalConverted: 12, holdout: { converted: 1 } });
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);

    // Act
    await handler({ run: { ...run, startedAt: '2026-11-02T10:00:00.000Z' } }, context);

    // Assess
    const base = { service: 'rekindle', campaign: 'registered-no-visit' };
    const metrics = published(write);
    expect(metrics).toEqual(
      expect.arrayContaining([
        { name: 'UsersConverted', value: 12, dimensions: base },
        { name: 'HoldoutConverted', value: 1, dimensions: base },
        { name: 'RunDuration', value: 9.5 * 24 * 3600, dimensions: base },
      ]),
    );
    expect(metrics).toHaveLength(3);
  });
});
