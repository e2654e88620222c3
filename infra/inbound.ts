import { CfnOutput, Duration, Stack, Validations } from 'aws-cdk-lib';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SMS_DETAIL_TYPE, sesDetailTypes } from '../functions/channels/delivery-events';
import { emailFeedbackDetailTypes } from '../functions/channels/email-feedback';
import type { LinkSettings } from '../functions/links/link-settings';
import { allow, allowUserWrites, handlerFunction, userWriteEnvironment } from './functions';
import type { WatchedQueue } from './monitoring';
import type { RekindleTables } from './tables';

/**
 * What people say back, on every channel: inbound SMS (End User Messaging two-way → SNS topic), SES
 * bounces and complaints (configuration-set events on the default bus), and the one-click unsubscribe
 * endpoint (HTTP API) with the keys that sign its links.
 */
export class ChannelFeedback extends Construct {
  /** The topic to name as the two-way channel of the SMS origination number (see README). */
  readonly inboundSmsTopic: Topic;
  readonly linksApi: HttpApi;
  /** Every dead-letter queue of the inbound paths, with what a message in it means (their alarms say it). */
  readonly deadLetterQueues: WatchedQueue[] = [];
  private readonly linkSigningKeys: Secret;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: {
      tables: RekindleTables;
      emailConfigurationSetName: string;
      linkSettings: LinkSettings;
    },
  ) {
    super(scope, id);
    this.inboundSmsTopic = this.inboundSms(props.tables);
    this.emailFeedback(props.tables, props.emailConfigurationSetName);
    this.deliveryEvents(props.tables, props.emailConfigurationSetName);
    this.linkSigningKeys = new Secret(this, 'LinkSigningKeys', {
      description:
        'Keys that sign tracked and one-click unsubscribe links, by id; "current" names the one that signs.',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ current: 'k1' }),
        generateStringKey: 'k1',
        passwordLength: 64,
        excludePunctuation: true,
      },
    });
    Validations.of(this.linkSigningKeys).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Links must keep working for as long as an email exists, so keys are never replaced in place: a rotation adds a key under a new id inside the secret and makes it current, and tokens name the key that signed them.',
    });
    this.linksApi = this.linksEndpoint(props.tables);
    // What an operator needs after deploying: the two-way channel to set on the SMS number (see README).
    new CfnOutput(this, 'InboundSmsTopicArn', { value: this.inboundSmsTopic.topicArn });
    new CfnOutput(this, 'UnsubscribeEndpoint', { value: `${this.linksApi.apiEndpoint}/unsubscribe/{token}` });
    new CfnOutput(this, 'TrackedLinkEndpoint', { value: `${this.linksApi.apiEndpoint}/l/{token}` });
  }

  /**
   * Lets a function sign tracked and unsubscribe links: the endpoint's base URL, the link settings and read
   * access to the signing keys.
   */
  allowLinkSigning(fn: NodejsFunction): void {
    fn.addEnvironment('LINK_SETTINGS', JSON.stringify(this.props.linkSettings));
    // The API's default endpoint (what `apiEndpoint` reads), spelled with Refs the local runtime resolves.
    const stack = Stack.of(this);
    fn.addEnvironment(
      'LINKS_BASE_URL',
      `https://${this.linksApi.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`,
    );
    this.allowReadingSigningKeys(fn);
  }

  private allowReadingSigningKeys(fn: NodejsFunction) {
    fn.addEnvironment('LINK_SIGNING_KEYS_SECRET_ARN', this.linkSigningKeys.secretArn);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [this.linkSigningKeys.secretArn],
      }),
    );
  }

  /** A queue for what could not be delivered or handled, kept two weeks for an operator to inspect. */
  private deadLetterQueue(id: string, holds: string) {
    const queue = new Queue(this, id, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself a dead-letter queue.',
    });
    this.deadLetterQueues.push({ queue, holds });
    return queue;
  }

  private inboundSms(tables: RekindleTables) {
    const stack = Stack.of(this);
    const smsVoice = new ServicePrincipal('sms-voice.amazonaws.com');
    // Only End User Messaging in this account may publish (the confused-deputy conditions AWS recommends).
    const fromOurSmsVoice = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'sms-voice', resource: '*' }) },
    };
    // A customer-managed key: the AWS-managed SNS key's policy cannot let sms-voice encrypt with it.
    const key = new Key(this, 'InboundSmsKey', {
      description: 'Encrypts inbound SMS replies on their SNS topic',
      enableKeyRotation: true,
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [smsVoice],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: fromOurSmsVoice,
      }),
    );
    const topic = new Topic(this, 'InboundSms', {
      displayName: 'Rekindle inbound SMS replies',
      masterKey: key,
      enforceSSL: true,
    });
    topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [smsVoice],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: fromOurSmsVoice,
      }),
    );

    const recorder = handlerFunction(this, 'record-inbound-sms', userWriteEnvironment(tables));
    allowUserWrites(recorder, tables);
    allow(recorder, tables.users, ['Query'], 'byPhone');
    const failures = this.deadLetterQueue(
      'InboundSmsFailures',
      'SMS replies that could not be recorded: a STOP among them is not honoured yet',
    );
    // Deliveries SNS could not make, and replies the function failed on after Lambda's retries.
    topic.addSubscription(new LambdaSubscription(recorder, { deadLetterQueue: failures }));
    recorder.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(failures) });
    return topic;
  }

  private emailFeedback(tables: RekindleTables, configurationSetName: string) {
    const recorder = handlerFunction(this, 'record-email-feedback', userWriteEnvironment(tables));
    allowUserWrites(recorder, tables);
    const failures = this.deadLetterQueue(
      'EmailFeedbackFailures',
      'SES bounces and complaints that could not be recorded: those addresses still get email',
    );
    // SES publishes configuration-set events to the default bus only.
    new Rule(this, 'EmailBouncesAndComplaints', {
      description: 'SES bounces and complaints of Rekindle email, to turn email consent off',
      eventPattern: {
        source: ['aws.ses'],
        detailType: emailFeedbackDetailTypes,
        detail: { mail: { tags: { 'ses:configuration-set': [configurationSetName] } } },
      },
      targets: [new LambdaFunction(recorder, { retryAttempts: 4, deadLetterQueue: failures })],
    });
    recorder.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(failures) });
  }

  /**
   * Every SES configuration-set event of Rekindle's email and every End User Messaging delivery event of
   * Rekindle's SMS (those whose context names a touch), onto each message's delivery record.
   */
  private deliveryEvents(tables: RekindleTables, configurationSetName: string) {
    const recorder = handlerFunction(this, 'record-delivery-event', {
      DELIVERIES_TABLE: tables.deliveries.tableName,
    });
    allow(recorder, tables.deliveries, ['UpdateItem']);
    const failures = this.deadLetterQueue(
      'DeliveryEventFailures',
      'SES and SMS delivery events that could not be recorded: the funnel misses those deliveries, opens and clicks',
    );
    const target = new LambdaFunction(recorder, { retryAttempts: 4, deadLetterQueue: failures });
    new Rule(this, 'EmailDeliveryEvents', {
      description:
        'SES send, delivery, delay, bounce, complaint, open, click and reject events of Rekindle email',
      eventPattern: {
        source: ['aws.ses'],
        detailType: sesDetailTypes,
        detail: { mail: { tags: { 'ses:configuration-set': [configurationSetName] } } },
      },
      targets: [target],
    });
    new Rule(this, 'SmsDeliveryEvents', {
      description: 'End User Messaging delivery status of Rekindle SMS (their context names the touch)',
      eventPattern: {
        source: ['aws.sms-voice'],
        detailType: [SMS_DETAIL_TYPE],
        detail: { context: { touchId: [{ exists: true }] } },
      },
      targets: [target],
    });
    recorder.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(failures) });
  }

  /** The HTTP API of people's links: one-click unsubscribes and tracked links. */
  private linksEndpoint(tables: RekindleTables) {
    const unsubscribe = handlerFunction(this, 'unsubscribe', userWriteEnvironment(tables));
    allowUserWrites(unsubscribe, tables);
    this.allowReadingSigningKeys(unsubscribe);
    const followLink = handlerFunction(this, 'follow-link', {
      CLICKS_TABLE: tables.clicks.tableName,
      LINK_SETTINGS: JSON.stringify(this.props.linkSettings),
    });
    allow(followLink, tables.clicks, ['UpdateItem']);
    this.allowReadingSigningKeys(followLink);

    const api = new HttpApi(this, 'LinksApi', {
      description: 'Tracked links and signed one-click unsubscribe links of Rekindle messages',
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, 'LinksApiAccessLogs', { retention: RetentionDays.ONE_MONTH });
    new HttpStage(this, 'LinksApiStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      // People click in bursts after a send; the limits keep a flood of forged links from costing much.
      throttle: { rateLimit: 500, burstLimit: 1000 },
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs) },
    });
    const routes = [
      ...api.addRoutes({
        path: '/unsubscribe/{token}',
        methods: [HttpMethod.GET, HttpMethod.POST],
        integration: new HttpLambdaIntegration('Unsubscribe', unsubscribe),
      }),
      ...api.addRoutes({
        path: '/l/{token}',
        methods: [HttpMethod.GET, HttpMethod.HEAD],
        integration: new HttpLambdaIntegration('FollowLink', followLink),
      }),
    ];
    for (const route of routes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Public by design: links in messages (RFC 8058 one-click unsubscribe, tracked links) allow no login; the HMAC-signed token in the path is the authorization, and a forged, tampered or expired token changes nothing.',
      });
    }
    return api;
  }
}
