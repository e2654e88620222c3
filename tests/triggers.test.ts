import { App, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, Pass, StateMachine, Succeed } from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { CampaignTriggers } from '../infra/triggers';

const STACK_NAME = 'TriggersTest';
const ZONES = ['America/Mexico_City', 'America/Bogota'];

/** A Standard state machine that passes AwsSolutions on its own, with CampaignTriggers on it. */
const buildApp = () => {
  const app = new App();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new Stack(app, STACK_NAME);
  const stateMachine = new StateMachine(stack, 'Machine', {
    definitionBody: DefinitionBody.fromChainable(new Pass(stack, 'Start').next(new Succeed(stack, 'Done'))),
    tracingEnabled: true,
    logs: {
      destination: new LogGroup(stack, 'ExecutionLogs', { retention: RetentionDays.ONE_WEEK }),
      level: LogLevel.ALL,
      includeExecutionData: true,
    },
  });
  Validations.of(stateMachine).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'Log delivery and X-Ray actions CDK grants the machine role have no resource-level permissions.',
  });
  const triggers = new CampaignTriggers(stack, 'Triggers', {
    campaignId: 'registered-no-visit',
    timeZones: ZONES,
    localTime: '10:30',
    stateMachine,
  });
  return { app, stack, stateMachine, triggers };
};

describe('CampaignTriggers', () => {
  const { app, stack, stateMachine, triggers } = buildApp();
  const machineId = stack.getLogicalId(stateMachine.node.defaultChild as CfnElement);
  const versionId = stack.getLogicalId(triggers.version);
  const aliasArn = { 'Fn::GetAtt': [stack.getLogicalId(triggers.alias), 'Arn'] };
  const queueArn = {
    'Fn::GetAtt': [stack.getLogicalId(triggers.deadLetterQueue.node.defaultChild as CfnElement), 'Arn'],
  };
  /** The app synthesizes once (App caches its assembly); a nag finding would throw here. */
  const synthesize = () => Template.fromJSON(app.synth().getStackByName(STACK_NAME).template);

  it('synthesizes with no unacknowledged cdk-nag AwsSolutions findings', () => {
    // Act & Assess
    expect(synthesize).not.toThrow();
  });

  it('publishes a retained version of the current revision of the machine', () => {
    // Act
    const template = synthesize();
    // Assess
    template.resourceCountIs('AWS::StepFunctions::StateMachineVersion', 1);
    template.hasResource('AWS::StepFunctions::StateMachineVersion', {
      Properties: {
        StateMachineArn: { Ref: machineId },
        StateMachineRevisionId: { 'Fn::GetAtt': [machineId, 'StateMachineRevisionId'] },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('routes all of the live alias to that version', () => {
    // Act
    const template = synthesize();
    // Assess
    template.resourceCountIs('AWS::StepFunctions::StateMachineAlias', 1);
    template.hasResourceProperties('AWS::StepFunctions::StateMachineAlias', {
      Name: 'live',
      RoutingConfiguration: [{ StateMachineVersionArn: { 'Fn::GetAtt': [versionId, 'Arn'] }, Weight: 100 }],
    });
  });

  it('starts the live alias daily at 10:30 local time in each zone, retrying for at most an hour', () => {
    // Act
    const template = synthesize();
    // Assess
    template.resourceCountIs('AWS::Scheduler::Schedule', ZONES.length);
    for (const zone of ZONES) {
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        Name: `registered-no-visit-${zone.replace('/', '-')}`,
        ScheduleExpression: 'cron(30 10 * * ? *)',
        ScheduleExpressionTimezone: zone,
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: Match.objectLike({
          Arn: aliasArn,
          Input: JSON.stringify({ timeZone: zone }),
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: queueArn },
        }),
      });
    }
  });

  it('keeps undeliverable starts for 14 days in one encrypted, TLS-only queue', () => {
    // Act
    const template = synthesize();
    // Assess
    template.resourceCountIs('AWS::SQS::Queue', 1);
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 60 * 60,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('lets the schedule role start executions of the alias only, and dead-letter to the queue', () => {
    // Act
    const template = synthesize();
    const roleIds = Object.values(template.findResources('AWS::Scheduler::Schedule')).map(
      (schedule) => schedule.Properties.Target.RoleArn['Fn::GetAtt'][0],
    );
    const policies = Object.values(
      template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleIds[0] }] } }),
    );
    // Assess
    expect(new Set(roleIds).size).toBe(1);
    expect(policies).toHaveLength(1);
    expect(policies[0]?.Properties.PolicyDocument.Statement).toEqual([
      { Action: 'states:StartExecution', Effect: 'Allow', Resource: aliasArn },
      { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: queueArn },
    ]);
  });

  it("passes each schedule's run only its time zone, as JSON", () => {
    // Act
    const schedules = Object.values(synthesize().findResources('AWS::Scheduler::Schedule'));
    const inputs = schedules.map((schedule) => JSON.parse(schedule.Properties.Target.Input));
    // Assess
    expect(inputs).toEqual(ZONES.map((timeZone) => ({ timeZone })));
  });
});
