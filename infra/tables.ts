import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

const tableDefaults = {
  billingMode: BillingMode.PAY_PER_REQUEST,
  encryption: TableEncryption.AWS_MANAGED,
  pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
  removalPolicy: RemovalPolicy.RETAIN,
} as const;

/**
 * Every table Rekindle keeps. The local runtime creates DynamoDB Local tables from the template these
 * synthesize, so this is the only definition of their keys and indexes.
 */
/** Open call tasks by queue, in the order agents take them (functions/data/call-tasks.ts reads it). */
export const OPEN_CALL_TASKS_INDEX = 'openByQueue';

export class RekindleTables extends Construct {
  /**
   * Users and their lifecycle; sparse index `byDormancy` (model#timeZone, dormantFrom) for selection, and
   * `byPhone` (phoneKey) to find who replied to an SMS.
   */
  readonly users: Table;
  /**
   * One contact record per person over every campaign: the last week's messages and call tasks (frequency
   * caps) and the cool-down of each campaign they were enrolled in; TTL once none counts any more.
   */
  readonly contacts: Table;
  /** Every consent and push-registration change per user (userId, occurredAt#channel#change#eventId): the trail. */
  readonly consentChanges: Table;
  /**
   * Run records, per-(touch, batch) outcomes and per-batch closings, partitioned by run; sparse index
   * `openRuns` (openRun, startedAt) of the runs not yet summarised, for the ops CLI's status.
   */
  readonly runs: Table;
  /** The operator's brakes: `stack` and `campaign#<id>` pauses, `run#<runId>` stop requests and holds. */
  readonly controls: Table;
  /** One item per (run, batch): its members, holdout, and at the end their terminal states. */
  readonly enrollments: Table;
  /** One item per (run, batch, touch, chunk of 25 members): the claim, then each member's result and clicks. */
  readonly touches: Table;
  /** Call tasks for agents; sparse index `openByQueue` (queue of open tasks, priority#createdAt#userId). */
  readonly callTasks: Table;
  /**
   * One ledger item per provider (`provider`): when its next free send slot begins. Every send step of every
   * run reserves its slots here, so the provider's rate holds across all of them.
   */
  readonly pacing: Table;
  /**
   * One delivery record per email and SMS message id: the touch it belongs to and the earliest moment of each
   * kind of provider event (sent, delivered, delayed, bounced, complained, opened, clicked, rejected, failed);
   * TTL after half a year.
   */
  readonly deliveries: Table;
  /**
   * Requests of tracked links: one item per (run, touch, user), by the hashes the link carries, with the
   * first person's click and, apart, what scanners and previews fetched; TTL half a year after expiry.
   */
  readonly clicks: Table;
  /** Messages the sandbox recorded instead of sending; only in sandbox deployments. */
  readonly sandboxOutbox?: Table;

  constructor(scope: Construct, id: string, props: { sandbox: boolean }) {
    super(scope, id);
    this.users = new Table(this, 'Users', {
      ...tableDefaults,
      partitionKey: { name: 'userId', type: AttributeType.STRING },
    });
    this.users.addGlobalSecondaryIndex({
      indexName: 'byDormancy',
      partitionKey: { name: 'dormancyKey', type: AttributeType.STRING },
      sortKey: { name: 'dormantFrom', type: AttributeType.STRING },
      projectionType: ProjectionType.KEYS_ONLY,
    });
    this.users.addGlobalSecondaryIndex({
      indexName: 'byPhone',
      partitionKey: { name: 'phoneKey', type: AttributeType.STRING },
      projectionType: ProjectionType.KEYS_ONLY,
    });
    this.contacts = new Table(this, 'Contacts', {
      ...tableDefaults,
      partitionKey: { name: 'userId', type: AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
    });
    this.consentChanges = new Table(this, 'ConsentChanges', {
      ...tableDefaults,
      partitionKey: { name: 'userId', type: AttributeType.STRING },
      sortKey: { name: 'changeKey', type: AttributeType.STRING },
    });
    this.runs = new Table(this, 'Runs', {
      ...tableDefaults,
      partitionKey: { name: 'runId', type: AttributeType.STRING },
      sortKey: { name: 'record', type: AttributeType.STRING },
    });
    this.runs.addGlobalSecondaryIndex({
      indexName: 'openRuns',
      partitionKey: { name: 'openRun', type: AttributeType.STRING },
      sortKey: { name: 'startedAt', type: AttributeType.STRING },
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: ['runId', 'campaignId', 'runDate', 'timeZone', 'dryRun', 'status'],
    });
    this.controls = new Table(this, 'Controls', {
      ...tableDefaults,
      partitionKey: { name: 'scope', type: AttributeType.STRING },
    });
    this.enrollments = new Table(this, 'Enrollments', {
      ...tableDefaults,
      partitionKey: { name: 'runId', type: AttributeType.STRING },
      sortKey: { name: 'batch', type: AttributeType.STRING },
    });
    this.touches = new Table(this, 'Touches', {
      ...tableDefaults,
      partitionKey: { name: 'runBatch', type: AttributeType.STRING },
      sortKey: { name: 'touchChunk', type: AttributeType.STRING },
    });
    this.callTasks = new Table(this, 'CallTasks', {
      ...tableDefaults,
      partitionKey: { name: 'taskId', type: AttributeType.STRING },
      timeToLiveAttribute: 'ttl',
    });
    this.callTasks.addGlobalSecondaryIndex({
      indexName: OPEN_CALL_TASKS_INDEX,
      partitionKey: { name: 'openQueue', type: AttributeType.STRING },
      sortKey: { name: 'queueOrder', type: AttributeType.STRING },
    });
    this.pacing = new Table(this, 'Pacing', {
      ...tableDefaults,
      partitionKey: { name: 'provider', type: AttributeType.STRING },
      // Only the next free slot of each provider: nothing worth keeping after the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.deliveries = new Table(this, 'Deliveries', {
      ...tableDefaults,
      partitionKey: { name: 'messageId', type: AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
    });
    this.clicks = new Table(this, 'Clicks', {
      ...tableDefaults,
      partitionKey: { name: 'touchKey', type: AttributeType.STRING },
      sortKey: { name: 'userHash', type: AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
    });
    if (props.sandbox) {
      this.sandboxOutbox = new Table(this, 'SandboxOutbox', {
        ...tableDefaults,
        partitionKey: { name: 'messageId', type: AttributeType.STRING },
        removalPolicy: RemovalPolicy.DESTROY,
      });
    }
  }
}
