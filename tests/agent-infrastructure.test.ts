import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { createRekindleApp, STACK_NAME } from '../infra/rekindle-app';

/** Synthesizes the whole app with cdk-nag's AwsSolutions checks, as `cdk synth` does (bundling skipped). */
const { app } = createRekindleApp({ skipBundling: true });
const template = Template.fromJSON(app.synth().getStackByName(STACK_NAME).template);
const ofAgentDesk = (type: string) =>
  Object.entries(template.findResources(type)).filter(([id]) => id.startsWith('AgentDesk'));

describe('the agent desk on AWS', () => {
  it('is an HTTP API whose every route needs a token of the agents’ user pool', () => {
    const [[apiId] = []] = ofAgentDesk('AWS::ApiGatewayV2::Api');
    const routes = ofAgentDesk('AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties);
    expect(routes.map((route) => route.RouteKey).sort()).toEqual([
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
    for (const route of routes) {
      expect(route).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
    }
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
      'dynamodb:PutItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    expect(JSON.stringify(statements)).not.toMatch(/dynamodb:\*|DeleteItem|Scan/);
    expect(functionId).toBeDefined();
  });
});
