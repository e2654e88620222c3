import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { EventField, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { IMPORT_PREFIXES, REPORTS_PREFIX } from '../functions/imports/import-input';
import { IMPORT_TIMEOUTS, ImportStateMachine } from '../statemachines/import-state-machine';
import { allowUserWrites, handlerFunction, userWriteEnvironment } from './functions';
import type { WatchedQueue } from './monitoring';
import type { RekindleTables } from './tables';

/** The import state machine's name for the local runtime (`runStateMachine('user-import', input)`). */
export const USER_IMPORT_STATE_MACHINE = 'user-import';
const UPLOAD_PREFIX = 'incoming/';

/**
 * Bulk import of users from JSON Lines files in S3, through the same user-write path as every event: a
 * file uploaded under `incoming/` starts the import state machine; files under `staged/` are imported
 * when an operator starts it. Reports go to `reports/`.
 */
export class UserImport extends Construct {
  readonly bucket: Bucket;
  readonly stateMachine: ImportStateMachine;
  /** Uploads whose import could not be started, for their alarm. */
  readonly uploadsNotStarted: WatchedQueue;

  constructor(scope: Construct, id: string, props: { tables: RekindleTables }) {
    super(scope, id);
    // S3 delivers access logs under a bucket policy for its logging service, not through bucket ACLs.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const accessLogs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket receives the import bucket’s server access logs; logging it too would loop.',
    });
    // Import files hold contact data: they are kept a month, long enough to re-run or investigate.
    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'import-bucket/',
      lifecycleRules: [
        ...IMPORT_PREFIXES.map((prefix) => ({ prefix, expiration: Duration.days(30) })),
        { prefix: REPORTS_PREFIX, expiration: Duration.days(90) },
        // A summary that failed mid-report leaves a multipart upload behind.
        { abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Object-created events to EventBridge, set on the bucket itself (CDK's eventBridgeEnabled would add a
    // custom-resource Lambda to do the same).
    (this.bucket.node.defaultChild as CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };

    const IMPORT_BUCKET = this.bucket.bucketName;
    const planImport = handlerFunction(this, 'plan-import', { IMPORT_BUCKET }, IMPORT_TIMEOUTS.plan);
    const importChunk = handlerFunction(
      this,
      'import-chunk',
      { ...userWriteEnvironment(props.tables), IMPORT_BUCKET },
      IMPORT_TIMEOUTS.chunk,
    );
    const summariseImport = handlerFunction(
      this,
      'summarise-import',
      { IMPORT_BUCKET },
      IMPORT_TIMEOUTS.summarise,
    );
    this.allowS3(
      planImport,
      ['s3:GetObject'],
      IMPORT_PREFIXES,
      'Reads the size of any file under the import prefixes.',
    );
    this.allowS3(
      importChunk,
      ['s3:GetObject'],
      IMPORT_PREFIXES,
      'Reads a range of any file under the import prefixes.',
    );
    this.allowS3(
      importChunk,
      ['s3:PutObject'],
      [REPORTS_PREFIX],
      'Writes its part of the report of any import.',
    );
    allowUserWrites(importChunk, props.tables);
    this.allowS3(
      summariseImport,
      ['s3:GetObject', 's3:PutObject'],
      [REPORTS_PREFIX],
      'Reads the parts and writes the report of any import, under reports/.',
    );

    this.stateMachine = new ImportStateMachine(this, 'StateMachine', {
      functions: { planImport, importChunk, summariseImport },
      name: USER_IMPORT_STATE_MACHINE,
    });

    // Uploads whose import could not be started (after EventBridge's retries) wait here to be started by hand.
    const uploadsNotStarted = new Queue(this, 'UploadsNotStarted', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(uploadsNotStarted).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the upload rule; it needs no DLQ of its own.',
    });
    this.uploadsNotStarted = {
      queue: uploadsNotStarted,
      holds: `Files uploaded under ${UPLOAD_PREFIX} whose import could not be started: start them by hand`,
    };
    new Rule(this, 'UploadStartsImport', {
      description: `An object created under ${UPLOAD_PREFIX} in the import bucket starts its import`,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [this.bucket.bucketName] }, object: { key: [{ prefix: UPLOAD_PREFIX }] } },
      },
      targets: [
        new SfnStateMachine(this.stateMachine.stateMachine, {
          input: RuleTargetInput.fromObject({ key: EventField.fromPath('$.detail.object.key') }),
          retryAttempts: 4,
          deadLetterQueue: uploadsNotStarted,
        }),
      ],
    });
  }

  /** Grants S3 actions on object prefixes of the bucket (`incoming/*`): the wildcard is the prefix's objects. */
  private allowS3(fn: NodejsFunction, actions: string[], prefixes: readonly string[], reason: string) {
    fn.addToRolePolicy(
      new PolicyStatement({
        actions,
        resources: prefixes.map((prefix) => this.bucket.arnForObjects(`${prefix}*`)),
      }),
    );
    const stack = Stack.of(this);
    const bucketId = stack.resolve((this.bucket.node.defaultChild as CfnBucket).logicalId);
    for (const prefix of prefixes) {
      // cdk-nag names the finding by the resolved resource, so the id is built the same way.
      Validations.of(fn.role ?? fn).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${prefix}*]`,
        reason,
      });
    }
  }
}
