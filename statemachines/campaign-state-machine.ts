import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  type CfnStateMachine,
  Choice,
  Condition,
  DefinitionBody,
  DistributedMap,
  type IChainable,
  JsonPath,
  LogLevel,
  QueryLanguage,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  Timeout,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct, type IConstruct } from 'constructs';
import type { Campaign, ChannelStep } from '../functions/campaign/definition';

/** Marks a state machine's template resource with its campaign id, for the local runtime. */
export const CAMPAIGN_METADATA_KEY = 'rekindle:campaign';

export interface CampaignFunctions {
  prepareRun: IFunction;
  selectAudience: IFunction;
  planWait: IFunction;
  sendStep: IFunction;
  summariseRun: IFunction;
}

export interface CampaignStateMachineProps {
  campaign: Campaign;
  functions: CampaignFunctions;
  /** Parallel batch workers per step; with the per-worker concurrency this paces the provider. */
  maxBatchConcurrency?: number;
}

/** Lambda's own ceiling; the functions time out sooner (see infra/functions.ts). */
const taskTimeout = Timeout.duration(Duration.minutes(15));

/**
 * Longest a run can legitimately take: every delay, a day per step to reach its send window, the
 * conversion window, and two days of slack. A run still going after that is stuck.
 */
const runTimeout = (campaign: Campaign) =>
  Duration.days(
    campaign.steps.reduce((days, step) => days + step.delayDays + 1, 0) + campaign.conversionWindowDays + 2,
  );

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/**
 * Turns one campaign definition into its cohort state machine (Standard, JSONPath):
 * PrepareRun → SelectAudience → for each step: plan the send window, wait for it, send every batch in a
 * Distributed Map of Express children → wait for late conversions → Summarise → Succeed.
 */
export class CampaignStateMachine extends Construct {
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: CampaignStateMachineProps) {
    super(scope, id);
    const { campaign, functions } = props;
    const invoke = (stateId: string, fn: IFunction, payload: Record<string, unknown>, resultPath: string) =>
      new LambdaInvoke(this, stateId, {
        lambdaFunction: fn,
        payloadResponseOnly: true,
        payload: TaskInput.fromObject(payload),
        resultPath,
        taskTimeout,
      });
    const run = JsonPath.objectAt('$.run');

    // The campaign definition travels inside the execution: a run keeps the definition it started with.
    const prepareRun = new LambdaInvoke(this, 'PrepareRun', {
      lambdaFunction: functions.prepareRun,
      payloadResponseOnly: true,
      payload: TaskInput.fromObject({ input: JsonPath.objectAt('$$.Execution.Input'), campaign }),
      // No ResultPath: the result ({ run }) replaces the execution input as the state.
      taskTimeout,
    });
    const selectAudience = invoke('SelectAudience', functions.selectAudience, { run }, '$.audience');
    const summarise = invoke(
      'Summarise',
      functions.summariseRun,
      { run, batchCount: JsonPath.numberAt('$.audience.batchCount') },
      '$.summary',
    );
    const done = new Succeed(this, 'RunComplete', { outputPath: '$.summary' });
    summarise.next(done);

    const waitForConversions = invoke(
      'PlanConversionWait',
      functions.planWait,
      { run, delayDays: campaign.conversionWindowDays, alignToSendWindow: false },
      '$.wait',
    ).next(new Wait(this, 'WaitForConversions', { time: WaitTime.timestampPath('$.wait.at') }));

    const steps = campaign.steps.map((step) =>
      this.channelStep(step, functions, props.maxBatchConcurrency ?? 10),
    );
    let chain: IChainable = waitForConversions;
    waitForConversions.next(summarise);
    for (const step of [...steps].reverse()) {
      step.last.next(chain);
      chain = step.first;
    }

    const anyoneEnrolled = new Choice(this, 'AnyoneEnrolled')
      .when(Condition.numberEquals('$.audience.cohortSize', 0), summarise)
      .otherwise(chain);
    const definition = prepareRun.next(selectAudience).next(anyoneEnrolled);

    const logGroup = new LogGroup(this, 'ExecutionLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      definitionBody: DefinitionBody.fromChainable(definition),
      stateMachineType: StateMachineType.STANDARD,
      queryLanguage: QueryLanguage.JSON_PATH,
      tracingEnabled: true,
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: true },
      timeout: runTimeout(campaign),
      comment: `Rekindle campaign ${campaign.id}: ${campaign.description}`,
    });
    (this.stateMachine.node.defaultChild as CfnStateMachine).addMetadata(CAMPAIGN_METADATA_KEY, campaign.id);
    this.acknowledgeGeneratedWildcards(functions);
  }

  /**
   * CDK generates these wildcards for the state machine's own role; each is scoped to this state machine's
   * functions or executions. cdk-nag names findings by resolved resource, so the ids are built the same way.
   */
  private acknowledgeGeneratedWildcards(functions: CampaignFunctions) {
    const stack = Stack.of(this);
    const logicalIdOf = (construct: IConstruct) =>
      stack.resolve((construct.node.defaultChild as CfnElement).logicalId);
    const acknowledge = (resource: string, reason: string) =>
      Validations.of(this).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
    for (const fn of [
      functions.prepareRun,
      functions.selectAudience,
      functions.planWait,
      functions.sendStep,
      functions.summariseRun,
    ]) {
      acknowledge(`<${logicalIdOf(fn)}.Arn>:*`, 'Invokes a version or alias of its own Lambda function.');
    }
    acknowledge('*', 'X-Ray PutTraceSegments and PutTelemetryRecords have no resource-level permissions.');
    const ownExecutions = `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${logicalIdOf(this.stateMachine)}"}]}]}`;
    const childReason =
      'Distributed Map: starts, describes and stops its own child executions, only of this state machine.';
    acknowledge(`${ownExecutions}:*`, childReason);
    acknowledge(`${ownExecutions}/*:*`, childReason);
  }

  /** Plan<Step>Window → WaitFor<Step>Window → Send<Step> (Distributed Map over batch numbers). */
  private channelStep(step: ChannelStep, functions: CampaignFunctions, maxConcurrency: number) {
    const name = pascal(step.name);
    const plan = new LambdaInvoke(this, `Plan${name}Window`, {
      lambdaFunction: functions.planWait,
      payloadResponseOnly: true,
      payload: TaskInput.fromObject({
        run: JsonPath.objectAt('$.run'),
        delayDays: step.delayDays,
        alignToSendWindow: true,
      }),
      resultPath: '$.wait',
      taskTimeout,
    });
    const wait = new Wait(this, `WaitFor${name}Window`, { time: WaitTime.timestampPath('$.wait.at') });
    const send = new DistributedMap(this, `Send${name}`, {
      itemsPath: '$.audience.batches',
      itemSelector: {
        run: JsonPath.objectAt('$.run'),
        step: step.name,
        batch: JsonPath.numberAt('$$.Map.Item.Value'),
      },
      mapExecutionType: StateMachineType.EXPRESS,
      maxConcurrency,
      // Batch outcomes are stored by the send step; the parent keeps no per-batch output.
      resultPath: JsonPath.DISCARD,
    });
    send.itemProcessor(
      new LambdaInvoke(this, `Send${name}Batch`, {
        lambdaFunction: functions.sendStep,
        payloadResponseOnly: true,
        outputPath: JsonPath.DISCARD,
        taskTimeout,
      }),
    );
    plan.next(wait).next(send);
    return { first: plan, last: send };
  }
}
