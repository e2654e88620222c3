import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { createRekindleApp, STACK_NAME } from '../infra/rekindle-app';

/** The whole app with cdk-nag's AwsSolutions checks, as `cdk synth` runs it: a finding fails synthesis. */
const synthesize = () => {
  const { app } = createRekindleApp({ skipBundling: true });
  return Template.fromJSON(app.synth().getStackByName(STACK_NAME).template);
};

describe('the user import in the synthesized template', () => {
  const template = synthesize();
  const [[bucketId] = []] = Object.entries(
    template.findResources('AWS::S3::Bucket', {
      Properties: { NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } } },
    }),
  );
  const [[machineId, machine] = []] = Object.entries(
    template.findResources('AWS::StepFunctions::StateMachine', {
      Metadata: { 'rekindle:state-machine': 'user-import' },
    }),
  );
  const functionId = (handler: string) =>
    Object.keys(
      template.findResources('AWS::Lambda::Function', { Metadata: { 'rekindle:handler': handler } }),
    )[0];

  it('keeps import files in an encrypted, private, SSL-only bucket that logs access and sends its events to EventBridge', () => {
    expect(bucketId).toBeDefined();
    template.hasResourceProperties('AWS::S3::Bucket', {
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: { DestinationBucketName: Match.anyValue() },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: 'incoming/', ExpirationInDays: 30 }),
          Match.objectLike({ Prefix: 'reports/', ExpirationInDays: 90 }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('delivers its access logs under a bucket policy for the S3 logging service', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Condition: Match.objectLike({
              ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [bucketId, 'Arn'] } },
            }),
          }),
        ]),
      },
    });
  });

  it('starts the import for every object created under incoming/, with { key }', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { bucket: { name: [{ Ref: bucketId }] }, object: { key: [{ prefix: 'incoming/' }] } },
      },
      Targets: [
        Match.objectLike({
          Arn: { Ref: machineId },
          InputTransformer: {
            InputPathsMap: { 'detail-object-key': '$.detail.object.key' },
            InputTemplate: '{"key":<detail-object-key>}',
          },
          RetryPolicy: { MaximumRetryAttempts: 4 },
          DeadLetterConfig: Match.anyValue(),
        }),
      ],
    });
  });

  it('is a Standard, JSONPath state machine with logging and X-Ray: plan, a Distributed Map of Express children, summary', () => {
    expect(machine?.Properties).toMatchObject({
      StateMachineType: 'STANDARD',
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
      TracingConfiguration: { Enabled: true },
    });
    // The definition is a Fn::Join of text and references (function ARNs); the references do not matter here.
    const parts: unknown[] = machine?.Properties.DefinitionString['Fn::Join'][1] ?? [];
    const definition = JSON.parse(parts.map((part) => (typeof part === 'string' ? part : 'ref')).join(''));
    expect(definition).toMatchObject({
      QueryLanguage: 'JSONPath',
      StartAt: 'PlanImport',
      States: {
        PlanImport: { Type: 'Task', Next: 'ImportChunks' },
        ImportChunks: {
          Type: 'Map',
          ItemsPath: '$.chunks',
          MaxConcurrency: 20,
          ResultPath: null,
          ItemProcessor: {
            ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' },
            States: { ImportChunk: { Type: 'Task', Retry: expect.arrayContaining([expect.anything()]) } },
          },
          Next: 'SummariseImport',
        },
        SummariseImport: { Type: 'Task', Next: 'ImportComplete' },
      },
    });
    // Waves of 20 chunks of the largest file, 90 s each, between planning and the summary.
    expect(definition.TimeoutSeconds).toBe(30 + 100 * 90 + 15 * 60);
  });

  it('grants each function only its prefixes of the bucket, and user writes only to ImportChunk', () => {
    const objects = (prefix: string) => ({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, `/${prefix}*`]],
    });
    const statementsOf = (handler: string) => {
      const role = template.findResources('AWS::Lambda::Function', {
        Metadata: { 'rekindle:handler': handler },
      })[functionId(handler) ?? '']?.Properties.Role['Fn::GetAtt'][0];
      const [policy] = Object.values(
        template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: role }] } }),
      );
      return policy?.Properties.PolicyDocument.Statement as {
        Action: string | string[];
        Resource: unknown;
      }[];
    };
    expect(statementsOf('plan-import')).toContainEqual(
      expect.objectContaining({
        Action: 's3:GetObject',
        Resource: [objects('incoming/'), objects('staged/')],
      }),
    );
    expect(statementsOf('import-chunk')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: 's3:GetObject',
          Resource: [objects('incoming/'), objects('staged/')],
        }),
        expect.objectContaining({ Action: 's3:PutObject', Resource: objects('reports/') }),
        expect.objectContaining({ Action: ['dynamodb:GetItem', 'dynamodb:PutItem'] }),
      ]),
    );
    expect(statementsOf('summarise-import')).toContainEqual(
      expect.objectContaining({ Action: ['s3:GetObject', 's3:PutObject'], Resource: objects('reports/') }),
    );
    for (const handler of ['plan-import', 'summarise-import']) {
      expect(JSON.stringify(statementsOf(handler))).not.toContain('dynamodb:');
    }
  });
});
