import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccountRecovery, CfnUserPoolGroup, FeaturePlan, Mfa, UserPool } from 'aws-cdk-lib/aws-cognito';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { AGENT_GROUP, SUPERVISOR_GROUP } from '../functions/agents/agent-identity';
import type { QuietHours } from '../functions/guardrails/quiet-hours';
import { allow, allowUserWrites, handlerFunction, userWriteEnvironment } from './functions';
import { OPEN_CALL_TASKS_INDEX, type RekindleTables } from './tables';

/** An Amazon Connect instance and the contact flow that routes Rekindle's call tasks (CDK context). */
export interface ConnectConfig {
  instanceId: string;
  contactFlowId: string;
}

/**
 * The call center's side: a Cognito user pool of agents and supervisors (no self sign-up; an administrator
 * creates each agent and puts them in a group), and the agent API on an HTTP API whose every route needs a
 * token of that pool.
 */
export class AgentDesk extends Construct {
  readonly userPool: UserPool;
  readonly api: HttpApi;

  constructor(scope: Construct, id: string, props: { tables: RekindleTables; quietHours: QuietHours }) {
    super(scope, id);
    this.userPool = new UserPool(this, 'Agents', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.ESSENTIALS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const plusReason =
      'Threat protection needs the Plus feature plan, priced per active user; agents are a handful of staff signing in with a strong password and a required TOTP second factor, created by an administrator. Switch to Plus if the contact center wants it.';
    Validations.of(this.userPool).acknowledge({ id: 'AwsSolutions-COG3', reason: plusReason });
    Validations.of(this.userPool).acknowledge({ id: 'AwsSolutions-COG8', reason: plusReason });
    for (const group of [AGENT_GROUP, SUPERVISOR_GROUP]) {
      new CfnUserPoolGroup(this, `Group-${group}`, {
        userPoolId: this.userPool.userPoolId,
        groupName: group,
        description:
          group === AGENT_GROUP
            ? 'Call-center agents: take and close call tasks'
            : 'Supervisors: also see whole queues',
      });
    }
    const client = this.userPool.addClient('AgentConsole', {
      // The console signs in with the password and then the TOTP code, over Cognito's JSON API.
      authFlows: { userPassword: true },
      accessTokenValidity: Duration.hours(8),
      idTokenValidity: Duration.hours(8),
      preventUserExistenceErrors: true,
    });

    const api = handlerFunction(this, 'agent-api', {
      ...userWriteEnvironment(props.tables),
      CALL_TASKS_TABLE: props.tables.callTasks.tableName,
      CONTROLS_TABLE: props.tables.controls.tableName,
      QUIET_HOURS: JSON.stringify(props.quietHours),
      AGENT_USER_POOL_CLIENT_ID: client.userPoolClientId,
      // Answers carry phones and notes: X-Ray keeps no copy of them.
      POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
    });
    allow(api, props.tables.callTasks, ['GetItem', 'UpdateItem']);
    allow(api, props.tables.callTasks, ['Query'], OPEN_CALL_TASKS_INDEX);
    allow(api, props.tables.users, ['BatchGetItem']);
    // The operator's brakes: a paused campaign or a stopped run offers no calls.
    allow(api, props.tables.controls, ['GetItem']);
    // Do not call turns the person's call consent off through the one user-write path.
    allowUserWrites(api, props.tables);

    this.api = new HttpApi(this, 'AgentHttpApi', {
      description: 'Rekindle agent API: call tasks for the call center',
      createDefaultStage: false,
      defaultAuthorizer: new HttpUserPoolAuthorizer('Agents', this.userPool, {
        userPoolClients: [client],
      }),
    });
    const accessLogs = new LogGroup(this, 'AgentApiAccessLogs', { retention: RetentionDays.ONE_MONTH });
    new HttpStage(this, 'AgentApiStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs) },
    });
    const integration = new HttpLambdaIntegration('AgentApiIntegration', api);
    const routes: [string, HttpMethod][] = [
      ['/queues/{queue}/next', HttpMethod.POST],
      ['/queues/{queue}', HttpMethod.GET],
      ['/tasks/{taskId}', HttpMethod.GET],
      ['/tasks/{taskId}/outcome', HttpMethod.POST],
    ];
    for (const [path, method] of routes) this.api.addRoutes({ path, methods: [method], integration });
    // The console page itself: no data in it, so no token to load it (every route it calls needs one).
    const [consoleRoute] = this.api.addRoutes({
      path: '/',
      methods: [HttpMethod.GET],
      integration,
      authorizer: new HttpNoneAuthorizer(),
    });
    if (consoleRoute) {
      Validations.of(consoleRoute).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'The agent console page must load before its agent signs in; it carries no data, and every route it calls requires a token of the agents user pool.',
      });
    }

    new CfnOutput(this, 'AgentApiEndpoint', { value: this.api.apiEndpoint });
    new CfnOutput(this, 'AgentConsoleUrl', { value: `${this.api.apiEndpoint}/` });
    new CfnOutput(this, 'AgentUserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'AgentConsoleClientId', { value: client.userPoolClientId });
  }

  /**
   * Lets the send step create each call task as an Amazon Connect task too: the instance, the contact flow
   * that routes them, the console's address for the task's reference link, and StartTaskContact on that
   * flow of that instance only.
   */
  sendToConnect(fn: NodejsFunction, connect: ConnectConfig): void {
    fn.addEnvironment('CONNECT_INSTANCE_ID', connect.instanceId);
    fn.addEnvironment('CONNECT_CONTACT_FLOW_ID', connect.contactFlowId);
    fn.addEnvironment('AGENT_CONSOLE_URL', `${this.api.apiEndpoint}/`);
    const stack = Stack.of(this);
    const instance = (resourceName: string) =>
      stack.formatArn({
        service: 'connect',
        resource: 'instance',
        resourceName,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      });
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['connect:StartTaskContact'],
        resources: [
          instance(`${connect.instanceId}/contact-flow/${connect.contactFlowId}`),
          instance(`${connect.instanceId}/contact/*`),
        ],
      }),
    );
    if (fn.role) {
      Validations.of(fn.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:connect:<AWS::Region>:<AWS::AccountId>:instance/${connect.instanceId}/contact/*]`,
        reason:
          'StartTaskContact creates a new contact whose id is not known before the call; the grant is on the contacts of this one instance, and the flow is named exactly.',
      });
    }
  }
}
