import { Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { describe, expect, it } from 'vitest';
import type { ChannelFeedback } from '../infra/inbound';
import { createRekindleApp, STACK_NAME } from '../infra/rekindle-app';
import type { RekindleStack } from '../infra/rekindle-stack';

/** Synthesizes the whole app with cdk-nag's AwsSolutions checks, as `cdk synth` does (bundling skipped). */
const synthesize = (options: Parameters<typeof createRekindleApp>[0] = {}) => {
  const { app } = createRekindleApp({ skipBundling: true, ...options });
  return Template.fromJSON(app.synth().getStackByName(STACK_NAME).template);
};

const template = synthesize();
/** This construct's resources of a type (other parts of the stack may have their own). */
const resources = (type: string) =>
  Object.fromEntries(
    Object.entries(template.findResources(type)).filter(([id]) => id.startsWith('ChannelFeedback')),
  );
const single = (type: string) => {
  const found = Object.entries(resources(type));
  expect(found).toHaveLength(1);
  return found[0] as [string, { Properties: Record<string, unknown> }];
};
const functionId = (handler: string) => {
  const [id] = Object.keys(
    template.findResources('AWS::Lambda::Function', { Metadata: { 'rekindle:handler': handler } }),
  );
  if (!id) throw new Error(`no ${handler} function`);
  return id;
};
const policyOf = (handler: string) => {
  const role =
    template.findResources('AWS::Lambda::Function')[functionId(handler)]?.Properties.Role['Fn::GetAtt'][0];
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
    policy.Properties.Roles.some((ref: { Ref: string }) => ref.Ref === role),
  );
  return JSON.stringify(policies.map((policy) => policy.Properties.PolicyDocument.Statement));
};

describe('inbound SMS', () => {
  it('is an SNS topic encrypted with a customer-managed key that End User Messaging of this account may use', () => {
    const [keyId, key] = single('AWS::KMS::Key');
    expect(key.Properties).toMatchObject({ EnableKeyRotation: true });
    expect(JSON.stringify(key.Properties.KeyPolicy)).toContain('"Service":"sms-voice.amazonaws.com"');
    expect(key.Properties.KeyPolicy).toMatchObject({
      Statement: expect.arrayContaining([
        expect.objectContaining({
          Principal: { Service: 'sms-voice.amazonaws.com' },
          Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
          Condition: expect.objectContaining({
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          }),
        }),
      ]),
    });
    const [topicId, topic] = single('AWS::SNS::Topic');
    expect(topic.Properties).toMatchObject({ KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    const [, topicPolicy] = single('AWS::SNS::TopicPolicy');
    expect(topicPolicy.Properties.PolicyDocument).toMatchObject({
      Statement: expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'sms-voice.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: { Ref: topicId },
          Condition: expect.objectContaining({
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          }),
        }),
      ]),
    });
  });

  it('is named in a stack output, for the two-way channel setting of the SMS number', () => {
    const [topicId] = single('AWS::SNS::Topic');
    const outputs = Object.entries(template.toJSON().Outputs as Record<string, { Value: unknown }>);
    expect(outputs).toContainEqual([
      expect.stringMatching(/^ChannelFeedbackInboundSmsTopicArn/),
      { Value: { Ref: topicId } },
    ]);
  });

  it('is delivered to the record-inbound-sms function, with an encrypted, SSL-only dead-letter queue', () => {
    const [, subscription] = single('AWS::SNS::Subscription');
    expect(subscription.Properties).toMatchObject({
      Protocol: 'lambda',
      Endpoint: { 'Fn::GetAtt': [functionId('record-inbound-sms'), 'Arn'] },
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [expect.stringMatching(/InboundSmsFailures/), 'Arn'] },
      },
    });
    // Dead-letter queues of inbound SMS, email feedback and delivery events.
    expect(Object.keys(resources('AWS::SQS::Queue'))).toHaveLength(3);
    for (const queue of Object.values(resources('AWS::SQS::Queue'))) {
      expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true });
    }
    for (const policy of Object.values(resources('AWS::SQS::QueuePolicy'))) {
      expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('lets the recorder find users by phone through the byPhone index, and write them through the one user-write path', () => {
    const policy = policyOf('record-inbound-sms');
    expect(policy).toContain('"dynamodb:Query"');
    expect(policy).toContain('/index/byPhone');
    expect(policy).not.toContain('dynamodb:Scan');
    expect(policy).not.toContain('secretsmanager');
  });
});

describe('SES bounces and complaints', () => {
  it('reach record-email-feedback through a rule on the default bus, for this configuration set only', () => {
    const rules = Object.values(resources('AWS::Events::Rule')).filter(
      (rule) =>
        rule.Properties.EventPattern?.source?.[0] === 'aws.ses' &&
        rule.Properties.Targets?.[0]?.Arn?.['Fn::GetAtt']?.[0] === functionId('record-email-feedback'),
    );
    expect(rules).toHaveLength(1);
    const [rule] = rules;
    expect(rule?.Properties.EventBusName).toBeUndefined();
    expect(rule?.Properties.EventPattern).toEqual({
      source: ['aws.ses'],
      'detail-type': ['Email Bounced', 'Email Complaint Received'],
      detail: { mail: { tags: { 'ses:configuration-set': ['Rekindle-email-events'] } } },
    });
    expect(rule?.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [functionId('record-email-feedback'), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 4 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/EmailFeedbackFailures/), 'Arn'] } },
      }),
    ]);
  });

  it('filter on the configuration set the stack creates with real providers', () => {
    const withProviders = synthesize({
      channels: {
        mode: 'aws',
        pinpointApplicationId: 'app-1',
        smsOriginationIdentityArn: 'arn:aws:sms-voice:us-east-1:111122223333:phone-number/phone-1',
        emailFromAddress: 'hola@mail.rekindle.example',
      },
    });
    const [set] = Object.values(withProviders.findResources('AWS::SES::ConfigurationSet'));
    const rules = Object.values(
      withProviders.findResources('AWS::Events::Rule', {
        Properties: { EventPattern: { source: ['aws.ses'] } },
      }),
    );
    // The consent rule and the delivery-events rule.
    expect(rules).toHaveLength(2);
    for (const rule of rules) {
      expect(rule.Properties.EventPattern.detail.mail.tags['ses:configuration-set']).toEqual([
        set?.Properties.Name,
      ]);
    }
  });
});

describe('delivery and engagement events', () => {
  it('reach record-delivery-event from SES (this configuration set) and End User Messaging (Rekindle’s SMS)', () => {
    const rules = Object.values(resources('AWS::Events::Rule')).filter(
      (rule) =>
        rule.Properties.Targets?.[0]?.Arn?.['Fn::GetAtt']?.[0] === functionId('record-delivery-event'),
    );
    expect(rules.map((rule) => rule.Properties.EventPattern)).toEqual([
      {
        source: ['aws.ses'],
        'detail-type': [
          'Email Sent',
          'Email Delivered',
          'Email Delivery Delayed',
          'Email Bounced',
          'Email Complaint Received',
          'Email Opened',
          'Email Clicked',
          'Email Rejected',
        ],
        detail: { mail: { tags: { 'ses:configuration-set': ['Rekindle-email-events'] } } },
      },
      {
        source: ['aws.sms-voice'],
        'detail-type': ['Text Message Delivery Status Updated'],
        detail: { context: { touchId: [{ exists: true }] } },
      },
    ]);
    for (const rule of rules) {
      expect(rule.Properties.Targets).toEqual([
        expect.objectContaining({
          RetryPolicy: { MaximumRetryAttempts: 4 },
          DeadLetterConfig: {
            Arn: { 'Fn::GetAtt': [expect.stringMatching(/DeliveryEventFailures/), 'Arn'] },
          },
        }),
      ]);
    }
  });

  it('may only update the delivery records', () => {
    const policy = policyOf('record-delivery-event');
    expect(policy).toContain('"dynamodb:UpdateItem"');
    expect(policy).toMatch(/TablesDeliveries/);
    for (const action of ['PutItem', 'GetItem', 'Query', 'Scan', 'DeleteItem'])
      expect(policy).not.toContain(`dynamodb:${action}`);
  });
});

describe('the links endpoint', () => {
  it('is an HTTP API with one-click unsubscribes and tracked links, each on its own function', () => {
    const [apiId, api] = single('AWS::ApiGatewayV2::Api');
    expect(api.Properties).toMatchObject({ ProtocolType: 'HTTP' });
    const routes = Object.values(resources('AWS::ApiGatewayV2::Route')).map((route) => route.Properties);
    expect(routes.map((route) => route.RouteKey).sort()).toEqual([
      'GET /l/{token}',
      'GET /unsubscribe/{token}',
      'HEAD /l/{token}',
      'POST /unsubscribe/{token}',
    ]);
    for (const route of routes) expect(route.ApiId).toEqual({ Ref: apiId });
    const integrations = Object.entries(resources('AWS::ApiGatewayV2::Integration'));
    const targetOf = (routeKey: string) => {
      const route = routes.find((candidate) => candidate.RouteKey === routeKey);
      const integrationId = String(route?.Target['Fn::Join'][1][1].Ref);
      return integrations.find(([id]) => id === integrationId)?.[1].Properties;
    };
    for (const [routeKey, handler] of [
      ['POST /unsubscribe/{token}', 'unsubscribe'],
      ['GET /l/{token}', 'follow-link'],
      ['HEAD /l/{token}', 'follow-link'],
    ] as const) {
      expect(targetOf(routeKey)).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: { 'Fn::GetAtt': [functionId(handler), 'Arn'] },
        PayloadFormatVersion: '2.0',
      });
    }
  });

  it('lets the tracked-link function update the clicks table and nothing else', () => {
    const policy = policyOf('follow-link');
    expect(policy).toContain('"dynamodb:UpdateItem"');
    expect(policy).toMatch(/Clicks/);
    for (const table of ['Users', 'Touches', 'Enrollments', 'Deliveries'])
      expect(policy).not.toContain(`Tables${table}`);
    const fn = template.findResources('AWS::Lambda::Function')[functionId('follow-link')];
    expect(JSON.parse(fn?.Properties.Environment.Variables.LINK_SETTINGS)).toMatchObject({
      destinations: { app: expect.stringMatching(/^https:/) },
      validDays: 30,
    });
  });

  it('logs every request to a log group and throttles its stage', () => {
    const [, stage] = single('AWS::ApiGatewayV2::Stage');
    expect(stage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [expect.stringMatching(/LinksApiAccessLogs/), 'Arn'] },
      },
    });
  });

  it('signs links with keys generated into a secret, readable only by the sender and the endpoint', () => {
    const [secretId, secret] = single('AWS::SecretsManager::Secret');
    expect(secret.Properties.GenerateSecretString).toMatchObject({
      SecretStringTemplate: '{"current":"k1"}',
      GenerateStringKey: 'k1',
    });
    const readers = Object.entries(template.findResources('AWS::Lambda::Function'))
      .filter(([, fn]) => JSON.stringify(fn.Properties.Environment).includes(`"Ref":"${secretId}"`))
      .map(([, fn]) => fn.Metadata['rekindle:handler'])
      .sort();
    expect(readers).toEqual(['follow-link', 'send-touch', 'unsubscribe']);
    for (const handler of readers) {
      expect(policyOf(handler)).toContain(
        JSON.stringify({
          Action: 'secretsmanager:GetSecretValue',
          Effect: 'Allow',
          Resource: { Ref: secretId },
        }),
      );
    }
    const sendTouch = template.findResources('AWS::Lambda::Function')[functionId('send-touch')];
    expect(sendTouch?.Properties.Environment.Variables.LINKS_BASE_URL).toEqual({
      'Fn::Join': [
        '',
        [
          'https://',
          { Ref: expect.stringMatching(/LinksApi/) },
          '.execute-api.',
          { Ref: 'AWS::Region' },
          '.',
          { Ref: 'AWS::URLSuffix' },
        ],
      ],
    });
  });
});

describe('cdk-nag on channel feedback', () => {
  it('passes with every acknowledgement scoped to the resource it explains', () => {
    expect(() => synthesize()).not.toThrow();
  });

  it('still flags a public route added without its own reason', () => {
    const { app, stack } = createRekindleApp({ skipBundling: true });
    const feedback = (stack as RekindleStack).node.findChild('ChannelFeedback') as ChannelFeedback;
    const unsubscribe = feedback.node.findChild('Unsubscribe') as never;
    feedback.linksApi.addRoutes({
      path: '/careless',
      methods: [HttpMethod.GET],
      integration: new HttpLambdaIntegration('Careless', unsubscribe),
    });
    expect(() => app.synth()).toThrow(/AwsSolutions-APIG4/);
  });
});
