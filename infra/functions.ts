import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type CfnFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { FrequencyCaps } from '../functions/guardrails/frequency-caps';
import type { QuietHours } from '../functions/guardrails/quiet-hours';
import type { SendRates } from '../functions/pacing/send-rates';
import type { RekindleTables } from './tables';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where messages go: real providers, or the sandbox outbox (the default, so a bare deploy sends nothing). */
export type ChannelConfig =
  | { mode: 'sandbox' }
  | {
      mode: 'aws';
      pinpointApplicationId: string;
      smsOriginationIdentityArn: string;
      emailFromAddress: string;
    };

/** Marks a function's template resource with its handler module, which the local runtime loads in-process. */
export const HANDLER_METADATA_KEY = 'rekindle:handler';
/** Marks a state machine that is not a campaign (the user import) with its name, for the local runtime. */
export const STATE_MACHINE_METADATA_KEY = 'rekindle:state-machine';

export type HandlerName =
  | 'prepare-run'
  | 'select-audience'
  | 'plan-wait'
  | 'send-touch'
  | 'check-progress'
  | 'hold-touch'
  | 'carry-over'
  | 'close-batch'
  | 'summarise-run'
  | 'record-app-event'
  | 'record-inbound-sms'
  | 'record-email-feedback'
  | 'record-delivery-event'
  | 'unsubscribe'
  | 'follow-link'
  | 'agent-api'
  | 'plan-import'
  | 'import-chunk'
  | 'summarise-import';

/** Grants exactly these DynamoDB actions on the table (and, if named, one of its indexes), nothing more. */
export const allow = (fn: NodejsFunction, table: Table, actions: string[], indexName?: string) => {
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: actions.map((action) => `dynamodb:${action}`),
      resources: indexName ? [`${table.tableArn}/index/${indexName}`] : [table.tableArn],
    }),
  );
};

/** What a function needs to write users through the one user-write path (data/user-changes.ts). */
export const userWriteEnvironment = (tables: RekindleTables) => ({
  USERS_TABLE: tables.users.tableName,
  CONSENT_CHANGES_TABLE: tables.consentChanges.tableName,
});

/** A user write reads the user, then puts it conditionally with its consent-trail entries (a transaction). */
export const allowUserWrites = (fn: NodejsFunction, tables: RekindleTables) => {
  allow(fn, tables.users, ['GetItem', 'PutItem']);
  allow(fn, tables.consentChanges, ['PutItem']);
};

export class RekindleFunctions extends Construct {
  readonly prepareRun: NodejsFunction;
  readonly selectAudience: NodejsFunction;
  readonly planWait: NodejsFunction;
  readonly sendTouch: NodejsFunction;
  readonly checkProgress: NodejsFunction;
  readonly holdTouch: NodejsFunction;
  readonly carryOver: NodejsFunction;
  readonly closeBatch: NodejsFunction;
  readonly summariseRun: NodejsFunction;
  readonly recordAppEvent: NodejsFunction;

  constructor(
    scope: Construct,
    id: string,
    props: {
      tables: RekindleTables;
      channels: ChannelConfig;
      quietHours: QuietHours;
      frequencyCaps: FrequencyCaps;
      /** How long a pause may hold a touch before it is given up. */
      pauseLimitHours: number;
      /** Messages per second each provider takes. */
      sendRates: SendRates;
      /** With real providers: the SES configuration set that sends delivery, open and click events back. */
      emailConfigurationSetName?: string;
    },
  ) {
    super(scope, id);
    const { users, runs, enrollments, touches, contacts, callTasks, controls, pacing, sandboxOutbox } =
      props.tables;
    const names = {
      USERS_TABLE: users.tableName,
      RUNS_TABLE: runs.tableName,
      ENROLLMENTS_TABLE: enrollments.tableName,
      TOUCHES_TABLE: touches.tableName,
      CONTACTS_TABLE: contacts.tableName,
      CALL_TASKS_TABLE: callTasks.tableName,
      CONTROLS_TABLE: controls.tableName,
    };

    this.prepareRun = handlerFunction(this, 'prepare-run', { RUNS_TABLE: names.RUNS_TABLE });
    allow(this.prepareRun, runs, ['PutItem']);

    const {
      USERS_TABLE,
      RUNS_TABLE,
      ENROLLMENTS_TABLE,
      TOUCHES_TABLE,
      CONTACTS_TABLE,
      CALL_TASKS_TABLE,
      CONTROLS_TABLE,
    } = names;
    this.selectAudience = handlerFunction(
      this,
      'select-audience',
      { USERS_TABLE, RUNS_TABLE, ENROLLMENTS_TABLE, CONTACTS_TABLE },
      Duration.minutes(15),
    );
    allow(this.selectAudience, users, ['Query'], 'byDormancy');
    allow(this.selectAudience, users, ['BatchGetItem']);
    allow(this.selectAudience, contacts, ['BatchGetItem', 'GetItem', 'PutItem']);
    allow(this.selectAudience, enrollments, ['BatchWriteItem']);
    allow(this.selectAudience, runs, ['UpdateItem']);

    this.planWait = handlerFunction(this, 'plan-wait', {});

    const channelEnvironment: Record<string, string> =
      props.channels.mode === 'aws'
        ? {
            CHANNEL_SENDER: 'aws',
            PINPOINT_APPLICATION_ID: props.channels.pinpointApplicationId,
            SMS_ORIGINATION_IDENTITY: props.channels.smsOriginationIdentityArn,
            EMAIL_FROM_ADDRESS: props.channels.emailFromAddress,
            EMAIL_CONFIGURATION_SET: props.emailConfigurationSetName ?? '',
          }
        : { CHANNEL_SENDER: 'sandbox', SANDBOX_OUTBOX_TABLE: sandboxOutbox?.tableName ?? '' };
    this.sendTouch = handlerFunction(
      this,
      'send-touch',
      {
        ...userWriteEnvironment(props.tables),
        RUNS_TABLE,
        ENROLLMENTS_TABLE,
        TOUCHES_TABLE,
        CALL_TASKS_TABLE,
        QUIET_HOURS: JSON.stringify(props.quietHours),
        FREQUENCY_CAPS: JSON.stringify(props.frequencyCaps),
        SEND_RATES: JSON.stringify(props.sendRates),
        PACING_TABLE: pacing.tableName,
        CONTACTS_TABLE,
        CONTROLS_TABLE,
        ...channelEnvironment,
      },
      // An Express child lives 5 minutes: its sends end by 3.5 (SEND_BUDGET_MS), the results are written by 4.5.
      Duration.seconds(270),
    );
    allow(this.sendTouch, users, ['BatchGetItem']);
    // A provider's refusal (SMS opt-out list, dead push token) turns the channel off for the user.
    allowUserWrites(this.sendTouch, props.tables);
    allow(this.sendTouch, contacts, ['BatchGetItem', 'GetItem', 'PutItem']);
    allow(this.sendTouch, enrollments, ['GetItem']);
    allow(this.sendTouch, touches, ['Query', 'PutItem', 'UpdateItem']);
    // Each (touch, batch) outcome: read before a pass (a blocked worker's look, the metrics), put after it.
    allow(this.sendTouch, runs, ['GetItem', 'PutItem']);
    allow(this.sendTouch, callTasks, ['PutItem']);
    // Each provider's ledger of send slots.
    allow(this.sendTouch, pacing, ['GetItem', 'UpdateItem']);
    // The operator's brakes, read before every chunk (and a paused touch's hold).
    allow(this.sendTouch, controls, ['GetItem']);
    if (props.channels.mode === 'aws')
      this.allowProviders(props.channels, props.emailConfigurationSetName ?? '');
    // Sends recorded at the same moment share one BatchWriteItem (functions/data/outbox.ts).
    else if (sandboxOutbox) allow(this.sendTouch, sandboxOutbox, ['BatchWriteItem']);

    this.checkProgress = handlerFunction(this, 'check-progress', { RUNS_TABLE, CONTROLS_TABLE });
    allow(this.checkProgress, runs, ['Query']);
    allow(this.checkProgress, controls, ['GetItem']);

    this.holdTouch = handlerFunction(this, 'hold-touch', {
      CONTROLS_TABLE,
      PAUSE_LIMIT_HOURS: String(props.pauseLimitHours),
    });
    allow(this.holdTouch, controls, ['GetItem', 'UpdateItem']);

    this.carryOver = handlerFunction(this, 'carry-over', { CONTROLS_TABLE });
    allow(this.carryOver, controls, ['GetItem', 'UpdateItem']);

    this.closeBatch = handlerFunction(
      this,
      'close-batch',
      { USERS_TABLE, RUNS_TABLE, ENROLLMENTS_TABLE, TOUCHES_TABLE, CALL_TASKS_TABLE, CONTROLS_TABLE },
      Duration.minutes(5),
    );
    allow(this.closeBatch, controls, ['GetItem']);
    allow(this.closeBatch, users, ['BatchGetItem']);
    allow(this.closeBatch, enrollments, ['GetItem', 'UpdateItem']);
    allow(this.closeBatch, touches, ['Query']);
    allow(this.closeBatch, runs, ['PutItem']);
    allow(this.closeBatch, callTasks, ['UpdateItem', 'BatchGetItem']);

    this.summariseRun = handlerFunction(
      this,
      'summarise-run',
      { RUNS_TABLE, CONTROLS_TABLE },
      Duration.minutes(5),
    );
    allow(this.summariseRun, runs, ['GetItem', 'Query', 'UpdateItem']);
    // A stopped run's stop request leaves the brakes item when the run closes.
    allow(this.summariseRun, controls, ['GetItem', 'UpdateItem']);

    this.recordAppEvent = handlerFunction(this, 'record-app-event', {
      ...userWriteEnvironment(props.tables),
      TOUCHES_TABLE,
    });
    allowUserWrites(this.recordAppEvent, props.tables);
    allow(this.recordAppEvent, touches, ['UpdateItem']);
  }

  private allowProviders(
    channels: Extract<ChannelConfig, { mode: 'aws' }>,
    emailConfigurationSetName: string,
  ) {
    const stack = Stack.of(this);
    const emailDomain = channels.emailFromAddress.split('@')[1] ?? channels.emailFromAddress;
    this.sendTouch.addToRolePolicy(
      new PolicyStatement({
        actions: ['mobiletargeting:SendMessages'],
        resources: [
          stack.formatArn({
            service: 'mobiletargeting',
            resource: 'apps',
            resourceName: `${channels.pinpointApplicationId}/messages`,
          }),
        ],
      }),
    );
    this.sendTouch.addToRolePolicy(
      new PolicyStatement({
        actions: ['sms-voice:SendTextMessage'],
        resources: [channels.smsOriginationIdentityArn],
      }),
    );
    this.sendTouch.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [
          stack.formatArn({ service: 'ses', resource: 'identity', resourceName: emailDomain }),
          stack.formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: emailConfigurationSetName,
          }),
        ],
      }),
    );
  }
}

/**
 * One Lambda function per handler module: Node 22 on arm64, traced, its own log group and a role that may
 * write only there; callers grant the rest.
 */
export const handlerFunction = (
  scope: Construct,
  name: HandlerName,
  environment: Record<string, string>,
  timeout = Duration.seconds(30),
): NodejsFunction => {
  const id = name.replace(/(^|-)(\w)/g, (_match, _dash, letter: string) => letter.toUpperCase());
  const logGroup = new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.ONE_MONTH });
  // An explicit role with write access to its own log group only, instead of the managed basic role.
  const role = new Role(scope, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  const fn = new NodejsFunction(scope, id, {
    entry: path.join(repositoryRoot, 'functions', 'handlers', `${name}.ts`),
    handler: 'handler',
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    memorySize: 512,
    timeout,
    tracing: Tracing.ACTIVE,
    role,
    logGroup,
    environment: {
      ...environment,
      POWERTOOLS_SERVICE_NAME: 'rekindle',
      POWERTOOLS_METRICS_NAMESPACE: 'Rekindle',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    },
    bundling: {
      format: OutputFormat.ESM,
      target: 'node22',
      minify: true,
      sourceMap: true,
      mainFields: ['module', 'main'],
      // Some dependencies still call require(); ESM bundles need it defined.
      banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  });
  (fn.node.defaultChild as CfnFunction).addMetadata(HANDLER_METADATA_KEY, name);
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'Active tracing: X-Ray PutTraceSegments and PutTelemetryRecords have no resource-level permissions.',
  });
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason:
      'Pinned to nodejs22.x, the Node version the local runtime and the tests run on, so tests run what deploys.',
  });
  return fn;
};
