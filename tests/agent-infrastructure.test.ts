import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { createRekindleApp, STACK_NAME } from '../infra/rekindle-app';

/** Synthesizes the whole app with cdk-nag's AwsSolutions checks, as `cdk synth` does (bundling skipped). */
const { app } = createRekindleApp({ skipBundling: true });
const template = Template.fromJSON(app.synth().getStackByName(STACK_NAME).template);
const ofAgentDesk = (type: string) =>
  Object.entries(template.findResources(type)).filter(([id]) => id.startsWith('AgentDesk'));

describe('the agent desk on AWS', () => {
  it('is an HTTP API whose every route but the console page needs a token of the agents’ user pool', () => {
    const [[apiId] = []] = ofAgentDesk('AWS::ApiGatewayV2::Api');
    const routes = ofAgentDesk('AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties);
    expect(routes.map((route) => route.RouteKey).sort()).toEqual([
      'GET /',
      'GET /queues/{queue}',
      'GET /tasks/{taskId}',
      'POST /queues/{queue}/next',
      'POST /tasks/{taskId}/outcome',
    ]);
    const [[authorizerId, authorizer] = []] = ofAgentDesk('AWS::ApiGatewayV2::Authorizer');
    expect(authorizer?.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      ApiId: { Ref: apiId },
      JwtConfiguration: { Issuer: expect.anything(), Audience: [expect.anything()] },
    });
    for (const route of routes.filter((candidate) => candidate.RouteKey !== 'GET /')) {
      expect(route).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
    }
    expect(routes.find((route) => route.RouteKey === 'GET /')).toMatchObject({ AuthorizationType: 'NONE' });
  });

  it('keeps agents in a pool nobody can sign up to, with a strong password and a required second factor', () => {
    const [[, pool] = []] = ofAgentDesk('AWS::Cognito::UserPool');
    expect(pool?.Properties).toMatchObject({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      Policies: { PasswordPolicy: expect.objectContaining({ MinimumLength: 12, RequireSymbols: true }) },
    });
    expect(
      ofAgentDesk('AWS::Cognito::UserPoolGroup')
        .map(([, group]) => group.Properties.GroupName)
        .sort(),
    ).toEqual(['agents', 'supervisors']);
  });

  it('lets the agent API read and update call tasks and write users through the user-write path only', () => {
    const [[functionId, fn] = []] = Object.entries(
      template.findResources('AWS::Lambda::Function', { Metadata: { 'rekindle:handler': 'agent-api' } }),
    );
    expect(fn?.Properties.Environment.Variables).toMatchObject({
      CALL_TASKS_TABLE: expect.anything(),
      USERS_TABLE: expect.anything(),
      QUIET_HOURS: expect.stringContaining('"call"'),
    });
    const role = fn?.Properties.Role['Fn::GetAtt'][0];
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => policy.Properties.Roles.some((ref: { Ref: string }) => ref.Ref === role))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    const actions = statements.flatMap((statement) => [statement.Action].flat()).sort();
    expect(actions.filter((action: string) => action.startsWith('dynamodb:'))).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:GetItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    expect(JSON.stringify(statements)).not.toMatch(/dynamodb:\*|DeleteItem|Scan/);
    expect(functionId).toBeDefined();
  });

  it('deploys nothing of Amazon Connect unless configured; configured, the send step may start tasks on that flow only', () => {
    const connectPolicies = (stackTemplate: Template) =>
      JSON.stringify(Object.values(stackTemplate.findResources('AWS::IAM::Policy'))).match(
        /connect:[A-Za-z]+/g,
      ) ?? [];
    expect(connectPolicies(template)).toEqual([]);
    const { app: withConnect } = createRekindleApp({
      skipBundling: true,
      connect: { instanceId: 'inst-1234', contactFlowId: 'flow-5678' },
    });
    const configured = Template.fromJSON(withConnect.synth().getStackByName(STACK_NAME).template);
    expect(connectPolicies(configured)).toEqual(['connect:StartTaskContact']);
    const [[, sendTouch] = []] = Object.entries(
      configured.findResources('AWS::Lambda::Function', { Metadata: { 'rekindle:handler': 'send-touch' } }),
    );
    expect(sendTouch?.Properties.Environment.Variables).toMatchObject({
      CONNECT_INSTANCE_ID: 'inst-1234',
      CONNECT_CONTACT_FLOW_ID: 'flow-5678',
      AGENT_CONSOLE_URL: expect.anything(),
    });
    expect(JSON.stringify(configured.findResources('AWS::IAM::Policy'))).toContain(
      'instance/inst-1234/contact-flow/flow-5678',
    );
  });
});
