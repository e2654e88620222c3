import { Duration, RemovalPolicy, TimeZone, Validations } from 'aws-cdk-lib';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { CfnStateMachineAlias, CfnStateMachineVersion, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface CampaignTriggersProps {
  /** Campaign id, e.g. 'registered-no-visit'; part of every schedule name. */
  campaignId: string;
  /** IANA time zones, e.g. ['America/Mexico_City', 'America/Bogota']; one daily run per zone. */
  timeZones: string[];
  /** 'HH:MM': the local time each zone's daily run starts. */
  localTime: string;
  /** The campaign's Standard state machine. */
  stateMachine: StateMachine;
}

/** The alias schedules start: always the latest published version of the campaign. */
const LIVE_ALIAS_NAME = 'live';

/**
 * Starts a campaign every day at the same local time in each of its time zones, through a `live` alias
 * on a published version, so a deploy never changes the definition under an execution already running.
 */
export class CampaignTriggers extends Construct {
  readonly version: CfnStateMachineVersion;
  readonly alias: CfnStateMachineAlias;
  readonly schedules: Schedule[];
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: CampaignTriggersProps) {
    super(scope, id);
    // The campaign schema has already checked the time and the zones.
    const [hour = '0', minute = '0'] = props.localTime.split(':').map((part) => String(Number(part)));

    // A new revision id replaces this resource, publishing a version; retained versions keep serving the
    // executions that started on them.
    this.version = new CfnStateMachineVersion(this, 'Version', {
      stateMachineArn: props.stateMachine.stateMachineArn,
      stateMachineRevisionId: props.stateMachine.stateMachineRevisionId,
    });
    this.version.applyRemovalPolicy(RemovalPolicy.RETAIN);

    this.alias = new CfnStateMachineAlias(this, 'LiveAlias', {
      name: LIVE_ALIAS_NAME,
      routingConfiguration: [{ stateMachineVersionArn: this.version.attrArn, weight: 100 }],
    });

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the campaign schedules; it needs no DLQ of its own.',
    });

    // The scheduler target takes a state machine; importing the alias ARN as one makes the schedules
    // start the alias and grants states:StartExecution on the alias ARN, not on the unqualified machine.
    const liveAlias = StateMachine.fromStateMachineArn(this, 'LiveAliasTarget', this.alias.attrArn);
    this.schedules = props.timeZones.map((timeZone) => {
      const name = `${props.campaignId}-${zoneSlug(timeZone)}`;
      return new Schedule(this, name, {
        scheduleName: name,
        description: `Starts campaign ${props.campaignId} daily at ${props.localTime} ${timeZone}`,
        schedule: ScheduleExpression.cron({ minute, hour, timeZone: TimeZone.of(timeZone) }),
        target: new StepFunctionsStartExecution(liveAlias, {
          input: ScheduleTargetInput.fromObject({ timeZone }),
          // A run that starts hours late would miss its send windows: give up after an hour.
          retryAttempts: 3,
          maxEventAge: Duration.hours(1),
          deadLetterQueue: this.deadLetterQueue,
        }),
      });
    });
  }
}

/** Schedule names allow only [0-9a-zA-Z-_.]: 'America/Mexico_City' becomes 'America-Mexico_City'. */
const zoneSlug = (timeZone: string) => timeZone.replace(/[^\w.-]/g, '-');
