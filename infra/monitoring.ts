import { ArnFormat, CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  Stats,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { z } from 'zod';
import { type Campaign, ladderOf } from '../functions/campaign/definition';
import { skipReasons } from '../functions/campaign/run';
import { InvalidGuardrails, withOverrides } from '../functions/guardrails/configuration';
import type { CampaignStateMachine } from '../statemachines/campaign-state-machine';
import type { CampaignTriggers } from './triggers';

/**
 * Where the functions' Powertools metrics land (POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME in
 * infra/functions.ts): Powertools adds `service` to every metric's dimensions.
 */
const NAMESPACE = 'Rekindle';
const SERVICE = 'rekindle';

/** A dead-letter queue and what a message in it stands for, which its alarm says. */
export interface WatchedQueue {
  queue: IQueue;
  holds: string;
}

export const alarmThresholdsSchema = z.strictObject({
  /** Percent of a campaign's send attempts in 15 minutes that failed (the provider refused or erred). */
  sendFailureRatePercent: z.number().gt(0).max(100),
  /** Attempts those 15 minutes must hold before their rate counts: two failures out of five say little. */
  sendFailureMinAttempts: z.number().int().min(1),
  /** SES account bounce rate in percent; below 5, where AWS puts the account under review. */
  bounceRatePercent: z.number().gt(0).lt(5),
  /** SES account complaint rate in percent; below 0.1, where AWS puts the account under review. */
  complaintRatePercent: z.number().gt(0).lt(0.1),
});
export type AlarmThresholds = z.infer<typeof alarmThresholdsSchema>;

/**
 * SES reviews an account at a 5% bounce or 0.1% complaint rate and may pause its sending at 10% or 0.5%:
 * the alarms go off at under half the review rates, while there is time to find the list or copy at fault.
 */
export const defaultAlarmThresholds: AlarmThresholds = {
  sendFailureRatePercent: 5,
  sendFailureMinAttempts: 50,
  bounceRatePercent: 2,
  complaintRatePercent: 0.05,
};

/** The defaults with the thresholds a configuration overrides (CDK context `alarmThresholds`, JSON or an object). */
export const alarmThresholdsFrom = (override: unknown): AlarmThresholds =>
  withOverrides(
    'alarmThresholds',
    alarmThresholdsSchema,
    defaultAlarmThresholds,
    override,
    '{"bounceRatePercent":3}',
  );

/** The address that gets the alarms by email (CDK context `alarmEmail`), if any. */
export const alarmEmailFrom = (value: unknown): string | undefined => {
  if (value === undefined) return undefined;
  const parsed = z.email().safeParse(value);
  if (!parsed.success) throw new InvalidGuardrails(`alarmEmail: must be an email address, not "${value}"`);
  return parsed.data;
};

export interface RekindleMonitoringProps {
  campaigns: { campaign: Campaign; machine: CampaignStateMachine; triggers: CampaignTriggers }[];
  userImport: StateMachine;
  /** The stack's other dead-letter queues (the campaigns' schedule queues come with their triggers). */
  deadLetterQueues: WatchedQueue[];
  /** Whether Rekindle sends email through SES (the account's reputation is then Rekindle's concern). */
  sendsEmail: boolean;
  thresholds: AlarmThresholds;
  alarmEmail?: string;
}

/** Counted executions and queues: one failed run or one message left aside is worth a look. */
const COUNT_PERIOD = Duration.minutes(5);
const SEND_FAILURE_PERIOD = Duration.minutes(15);
/** SES updates the reputation rates a few times a day, not every minute. */
const REPUTATION_PERIOD = Duration.hours(1);
/** Sends happen in send windows of an hour or two; runs end once a day at most. */
const SEND_GRAPH_PERIOD = Duration.hours(1);
const RUN_GRAPH_PERIOD = Duration.days(1);

/** Skip reasons that are never a member's result of a touch (throttled and held members are sent later). */
const NOT_FINAL: ReadonlySet<string> = new Set(['throttled', 'held']);
const finalSkipReasons = skipReasons.filter((reason) => !NOT_FINAL.has(reason));

/**
 * The stack's dashboard, a section per campaign, and its alarms, all notifying one SNS topic that
 * operators subscribe to (README "Dashboard and alarms").
 */
export class RekindleMonitoring extends Construct {
  readonly alarmTopic: Topic;
  readonly dashboard: Dashboard;
  private readonly alarms: Alarm[] = [];
  /** Messages waiting in each dead-letter queue, as their alarms watch them. */
  private readonly waitingMessages: IMetric[] = [];
  private readonly stackName: string;

  constructor(scope: Construct, id: string, props: RekindleMonitoringProps) {
    super(scope, id);
    this.stackName = Stack.of(this).stackName;
    this.alarmTopic = this.topic(props.alarmEmail);

    const campaignSections = props.campaigns.flatMap((run) => this.campaignSection(run, props.thresholds));
    const importRuns = this.runAlarms('user-import', 'the user import', props.userImport);
    for (const watched of props.deadLetterQueues) this.queueAlarm(watched.queue.node.id, watched);
    const reputation = props.sendsEmail ? this.reputationAlarms(props.thresholds) : [];

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: this.stackName,
      defaultInterval: Duration.days(14),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: [
          `# ${this.stackName}: campaigns ${props.campaigns.map(({ campaign }) => campaign.id).join(', ')}`,
          'Alarms notify the stack output `AlarmTopicArn`; README "Dashboard and alarms" says what each means.',
        ].join('\n\n'),
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 4 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Dead-letter queues: messages waiting',
        left: this.waitingMessages,
        width: 8,
      }),
      new GraphWidget({ title: 'User import: runs failed, timed out', left: importRuns, width: 8 }),
      ...(reputation.length > 0
        ? [
            new GraphWidget({
              title: 'SES account reputation (%)',
              left: reputation.map(({ metric }) => metric),
              leftAnnotations: reputation.map(({ label, percent }) => ({ label, value: percent })),
              width: 8,
            }),
          ]
        : []),
    );
    for (const row of campaignSections) this.dashboard.addWidgets(...row);

    // Named plainly, like the stack's other outputs operators look up.
    new CfnOutput(this, 'AlarmTopicArn', {
      description:
        'Every Rekindle alarm notifies this topic: subscribe to it (README "Dashboard and alarms")',
      value: this.alarmTopic.topicArn,
    }).overrideLogicalId('AlarmTopicArn');
    new CfnOutput(this, 'DashboardName', { value: this.dashboard.dashboardName }).overrideLogicalId(
      'DashboardName',
    );
  }

  /** Encrypted with a key CloudWatch may use, SSL only, and only this account's alarms may publish. */
  private topic(alarmEmail: string | undefined) {
    const stack = Stack.of(this);
    const cloudWatch = new ServicePrincipal('cloudwatch.amazonaws.com');
    const fromOurAlarms = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: {
        'aws:SourceArn': stack.formatArn({
          service: 'cloudwatch',
          resource: 'alarm',
          resourceName: '*',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    };
    // The AWS-managed SNS key's policy cannot let CloudWatch encrypt with it.
    const key = new Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the notifications of Rekindle alarms on their SNS topic',
      enableKeyRotation: true,
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [cloudWatch],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: fromOurAlarms,
      }),
    );
    const topic = new Topic(this, 'AlarmTopic', {
      displayName: `${stack.stackName} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [cloudWatch],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: fromOurAlarms,
      }),
    );
    if (alarmEmail) topic.addSubscription(new EmailSubscription(alarmEmail));
    return topic;
  }

  private alarm(
    id: string,
    props: {
      name: string;
      description: string;
      metric: IMetric;
      threshold: number;
      comparisonOperator?: ComparisonOperator;
    },
  ) {
    const alarm = new Alarm(this, id, {
      alarmName: `${this.stackName}-${props.name}`,
      alarmDescription: props.description,
      metric: props.metric,
      threshold: props.threshold,
      comparisonOperator: props.comparisonOperator ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // No data is no news: no run ended, nothing waits, nothing was sent.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.alarmTopic));
    this.alarms.push(alarm);
    return alarm;
  }

  /**
   * Alarms on a state machine's failed and timed-out runs; the metrics they watch, for the dashboard. A run
   * times out only past its timeout, which allows for everything a run may legitimately wait for: timed out
   * is stuck.
   */
  private runAlarms(
    name: string,
    what: string,
    machine: StateMachine,
    { liveAliasArn, timeout }: { liveAliasArn?: string; timeout?: Duration } = {},
  ) {
    const failed = executions('ExecutionsFailed', machine, liveAliasArn);
    const timedOut = executions('ExecutionsTimedOut', machine, liveAliasArn);
    const logs = 'Its execution history and log group say at which state and why.';
    this.alarm(`${name}-RunsFailed`, {
      name: `${name}-runs-failed`,
      description: `A run of ${what} failed. ${logs}`,
      metric: failed,
      threshold: 1,
    });
    this.alarm(`${name}-RunsTimedOut`, {
      name: `${name}-runs-timed-out`,
      description: `A run of ${what} was still going at its timeout${timeout ? ` of ${timeout.toDays()} days` : ''}, so Step Functions stopped it: it was stuck. ${logs}`,
      metric: timedOut,
      threshold: 1,
    });
    return [failed, timedOut];
  }

  private queueAlarm(name: string, { queue, holds }: WatchedQueue) {
    const metric = queue.metricApproximateNumberOfMessagesVisible({
      statistic: Stats.MAXIMUM,
      period: COUNT_PERIOD,
      label: name,
    });
    this.alarm(`${name}-Waiting`, {
      name: `${name}-waiting`,
      description: `Messages wait in the dead-letter queue ${name}: ${holds}. They stay 14 days.`,
      metric,
      threshold: 1,
    });
    this.waitingMessages.push(metric);
  }

  private reputationAlarms(thresholds: AlarmThresholds) {
    const rates = [
      { kind: 'bounce', percent: thresholds.bounceRatePercent, review: 5 },
      { kind: 'complaint', percent: thresholds.complaintRatePercent, review: 0.1 },
    ];
    return rates.map(({ kind, percent, review }) => {
      const label = `${kind} rate`;
      const fraction = new Metric({
        namespace: 'AWS/SES',
        metricName: `Reputation.${kind === 'bounce' ? 'BounceRate' : 'ComplaintRate'}`,
        statistic: Stats.MAXIMUM,
        period: REPUTATION_PERIOD,
        label,
      });
      this.alarm(`Ses-${kind}`, {
        name: `ses-${kind}-rate`,
        description: `The SES account's ${label} is above ${percent}% (AWS reviews the account at ${review}%). The Deliveries of the latest runs show which campaign, copy or imported list bounces or draws complaints.`,
        // SES reports the rates as fractions.
        metric: fraction,
        threshold: percent / 100,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      });
      return {
        label: `${label} alarm`,
        percent,
        metric: new MathExpression({
          expression: `100 * ${kind}`,
          usingMetrics: { [kind]: fraction },
          label,
          period: REPUTATION_PERIOD,
        }),
      };
    });
  }

  /** A campaign's alarms, and its rows of the dashboard. */
  private campaignSection(
    { campaign, machine, triggers }: RekindleMonitoringProps['campaigns'][number],
    thresholds: AlarmThresholds,
  ) {
    const id = campaign.id;
    const runs = this.runAlarms(id, `campaign ${id}`, machine.stateMachine, {
      liveAliasArn: triggers.alias.attrArn,
      timeout: machine.runTimeout,
    });
    this.queueAlarm(`${id}-schedule-failures`, {
      queue: triggers.deadLetterQueue,
      holds: `daily starts of campaign ${id} the scheduler could not make: start those runs from the console`,
    });

    const rekindle = (metricName: string, dimensions: Record<string, string> = {}, label?: string) =>
      new Metric({
        namespace: NAMESPACE,
        metricName,
        dimensionsMap: { service: SERVICE, campaign: id, ...dimensions },
        statistic: Stats.SUM,
        period: SEND_GRAPH_PERIOD,
        ...(label ? { label } : {}),
      });
    const failed = rekindle('MembersSkipped', { reason: 'send-failed' }, 'send failures');
    const failureRate = new MathExpression({
      expression: `IF(FILL(sent, 0) + FILL(failed, 0) >= ${thresholds.sendFailureMinAttempts}, 100 * FILL(failed, 0) / (FILL(sent, 0) + FILL(failed, 0)), 0)`,
      usingMetrics: {
        sent: rekindle('MessagesSent').with({ period: SEND_FAILURE_PERIOD }),
        failed: failed.with({ period: SEND_FAILURE_PERIOD }),
      },
      label: 'send failure rate (%)',
      period: SEND_FAILURE_PERIOD,
    });
    this.alarm(`${id}-SendFailureRate`, {
      name: `${id}-send-failure-rate`,
      description: `Over ${thresholds.sendFailureRatePercent}% of campaign ${id}'s sends failed within 15 minutes (at least ${thresholds.sendFailureMinAttempts} attempts). The send-touch logs ("Send failed") name the channel and the provider's error.`,
      metric: failureRate,
      threshold: thresholds.sendFailureRatePercent,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    });

    const channels = [...new Set(ladderOf(campaign).map((step) => step.channel))];
    const runDuration = new MathExpression({
      expression: 'duration / 3600',
      usingMetrics: {
        duration: rekindle('RunDuration').with({ statistic: Stats.MAXIMUM, period: RUN_GRAPH_PERIOD }),
      },
      label: 'longest run (hours)',
      period: RUN_GRAPH_PERIOD,
    });
    const daily = (metric: Metric) => metric.with({ period: RUN_GRAPH_PERIOD });
    return [
      [
        new TextWidget({
          markdown: `## ${id}\n${campaign.description}. Goal: \`${campaign.goal}\`; ladder ${channels.join(' → ')}; a run times out after ${machine.runTimeout.toDays()} days.`,
          width: 24,
          height: 2,
        }),
      ],
      [
        new GraphWidget({
          title: `${id}: sends by channel`,
          left: channels.map((channel) => rekindle('MessagesSent', { channel }, channel)),
          stacked: true,
          width: 8,
        }),
        new GraphWidget({
          title: `${id}: skips by reason`,
          left: finalSkipReasons.map((reason) => rekindle('MembersSkipped', { reason }, reason)),
          stacked: true,
          width: 8,
        }),
        new GraphWidget({
          title: `${id}: enrolled and converted, per day`,
          left: [
            daily(rekindle('UsersEnrolled', {}, 'enrolled')),
            daily(rekindle('UsersConverted', {}, 'converted')),
            daily(rekindle('HoldoutConverted', {}, 'holdout converted')),
          ],
          width: 8,
        }),
      ],
      [
        new GraphWidget({
          title: `${id}: failures`,
          left: [failed, ...runs],
          right: [failureRate],
          rightAnnotations: [{ label: 'alarm', value: thresholds.sendFailureRatePercent }],
          width: 8,
        }),
        new GraphWidget({
          title: `${id}: throttled sends tried again`,
          left: [rekindle('SendThrottleRetries', {}, 'throttle retries')],
          width: 8,
        }),
        new GraphWidget({
          title: `${id}: run duration`,
          left: [runDuration],
          leftAnnotations: [{ label: 'run timeout', value: machine.runTimeout.toHours() }],
          width: 8,
        }),
      ],
    ];
  }
}

/**
 * A state machine's executions that ended in one way (ExecutionsFailed, ExecutionsTimedOut), per 5 minutes.
 * Runs the schedules start through the live alias may be counted under the alias's ARN: the larger of the
 * two counts counts each run once, whether the machine's own count includes them or not.
 */
const executions = (
  metricName: 'ExecutionsFailed' | 'ExecutionsTimedOut',
  machine: StateMachine,
  liveAliasArn: string | undefined,
): IMetric => {
  const [label, id] =
    metricName === 'ExecutionsFailed' ? ['runs failed', 'failed'] : ['runs timed out', 'timedOut'];
  const own = machine.metric(metricName, { statistic: Stats.SUM, period: COUNT_PERIOD, label });
  if (liveAliasArn === undefined) return own;
  return new MathExpression({
    expression: `MAX([FILL(${id}ByMachine, 0), FILL(${id}ByAlias, 0)])`,
    usingMetrics: {
      [`${id}ByMachine`]: own,
      [`${id}ByAlias`]: own.with({ dimensionsMap: { StateMachineArn: liveAliasArn } }),
    },
    label,
    period: COUNT_PERIOD,
  });
};
