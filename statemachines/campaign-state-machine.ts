import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Choice,
  Condition,
  DistributedMap,
  type IChainable,
  type INextable,
  JsonPath,
  type State,
  type StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  Timeout,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { type Campaign, type Channel, ladderOf } from '../functions/campaign/definition';
import { batchWorkersFor, defaultSendRates, type SendRates } from '../functions/pacing/send-rates';
import { rekindleStateMachine } from './rekindle-state-machine';
import { transientRetry } from './retries';

/** Marks a state machine's template resource with its campaign id, for the local runtime. */
export const CAMPAIGN_METADATA_KEY = 'rekindle:campaign';

const campaignFunctionNames = [
  'prepareRun',
  'selectAudience',
  'planWait',
  'sendTouch',
  'checkProgress',
  'holdTouch',
  'carryOver',
  'closeBatch',
  'summariseRun',
] as const;

export type CampaignFunctions = Record<(typeof campaignFunctionNames)[number], IFunction>;

export interface CampaignStateMachineProps {
  campaign: Campaign;
  functions: CampaignFunctions;
  /**
   * The providers' rates: each touch runs as many parallel batch workers as its channel's rate needs
   * (`batchWorkersFor`); closing the run, as many as the fastest provider's.
   */
  sendRates?: SendRates;
}

/** Lambda's own ceiling; the functions time out sooner (see infra/functions.ts). */
const taskTimeout = Timeout.duration(Duration.minutes(15));

/** The minimum days before each touch: 0 for the first, then the wait step that precedes it. */
export const delaysBeforeTouches = (campaign: Campaign): number[] => {
  const delays: number[] = [];
  let pending = 0;
  for (const step of campaign.steps) {
    if (step.type === 'wait') pending += step.minDays;
    else {
      delays.push(pending);
      pending = 0;
    }
  }
  return delays;
};

/** Days the run stays open after its last touch: late conversions, and call tasks still to be worked. */
const closingDelayDays = (campaign: Campaign) =>
  Math.max(campaign.conversionWindowDays, campaign.callWindowDays);

/**
 * Longest a run can legitimately take: every delay, a day per send window a touch may take (each opens
 * once a day at least), the closing delay, and two days of slack. A run still going after that is stuck.
 */
const runTimeout = (campaign: Campaign) =>
  Duration.days(
    delaysBeforeTouches(campaign).reduce((days, delay) => days + delay + campaign.carryOverWindows, 0) +
      closingDelayDays(campaign) +
      2,
  );

/**
 * Turns a campaign definition into its cohort state machine (Standard, JSONPath). For every touch: plan
 * the next send window, wait for it, send every batch in a Distributed Map of Express children, hold while
 * a pause leaves members unsent, then stop early if nobody is left (or the operator stopped the run). After the last touch the run waits out the conversion and call windows, closes
 * every batch (each member gets a terminal state) and summarises the funnel.
 */
export class CampaignStateMachine extends Construct {
  readonly stateMachine: StateMachine;
  /** Longest a run may take; Step Functions stops a run still going then as TIMED_OUT. */
  readonly runTimeout: Duration;
  private readonly functions: CampaignFunctions;
  private readonly sendRates: SendRates;

  constructor(scope: Construct, id: string, props: CampaignStateMachineProps) {
    super(scope, id);
    const { campaign } = props;
    this.runTimeout = runTimeout(campaign);
    this.functions = props.functions;
    this.sendRates = props.sendRates ?? defaultSendRates;

    // The campaign definition travels inside the execution: a run keeps the definition it started with.
    const prepareRun = this.invoke('PrepareRun', this.functions.prepareRun, {
      input: JsonPath.objectAt('$$.Execution.Input'),
      campaign,
      executionName: JsonPath.stringAt('$$.Execution.Name'),
    });
    const selectAudience = this.invoke(
      'SelectAudience',
      this.functions.selectAudience,
      { run: this.run },
      '$.audience',
    );

    const summarise = this.invoke('Summarise', this.functions.summariseRun, { run: this.run }, '$.summary');
    summarise.next(new Succeed(this, 'RunComplete', { outputPath: '$.summary' }));
    const closeRun = this.overBatches('CloseRun', 'CloseBatch', this.functions.closeBatch, {}, undefined);
    closeRun.next(summarise);
    const closing = this.waitThenRun('Close', closingDelayDays(campaign), false, closeRun).start;

    const delays = delaysBeforeTouches(campaign);
    let next: IChainable = closing;
    for (let touch = delays.length; touch >= 1; touch -= 1) {
      const send = this.overBatches(
        `SendTouch${touch}`,
        `SendTouch${touch}Batch`,
        this.functions.sendTouch,
        { touch, sendAt: JsonPath.stringAt('$.wait.at'), mode: JsonPath.stringAt('$.wait.state') },
        ladderOf(campaign)[touch - 1]?.channel,
      );
      const { start, wait } = this.waitThenRun(`Touch${touch}`, delays[touch - 1] ?? 0, true, send);
      const check = this.invoke(
        `CheckAfterTouch${touch}`,
        this.functions.checkProgress,
        { run: this.run, touch },
        '$.progress',
      );
      // A pause leaves members of the touch unsent: the run looks at the brakes every few minutes, and
      // goes back to the touch when the pause is lifted (at the next send moment), the run is stopped, or
      // the hold outlasts the limit (the touch then records those members `paused`).
      const hold = this.invoke(
        `HoldTouch${touch}`,
        this.functions.holdTouch,
        { run: this.run, touch },
        '$.wait',
      );
      const lookAgain = new Wait(this, `WaitWhileHeld${touch}`, {
        time: WaitTime.timestampPath('$.wait.at'),
      });
      lookAgain.next(hold);
      hold.next(
        new Choice(this, `HeldOrResumed${touch}`)
          .when(Condition.stringEquals('$.wait.state', 'held'), lookAgain)
          .when(Condition.stringEquals('$.wait.state', 'resumed'), wait)
          .otherwise(send),
      );
      // The providers' rates left members unsent: another pass in this window, the next window, or, after
      // the campaign's carryOverWindows, back to the touch to record them `window-missed`.
      const carry = this.invoke(
        `CarryOver${touch}`,
        this.functions.carryOver,
        { run: this.run, touch, progress: JsonPath.objectAt('$.progress') },
        '$.wait',
      );
      carry.next(
        new Choice(this, `GoOnOrGiveUp${touch}`)
          .when(Condition.stringEquals('$.wait.state', 'window-missed'), send)
          .otherwise(wait),
      );
      send.next(check);
      check.next(
        new Choice(this, `AfterTouch${touch}`)
          .when(Condition.booleanEquals('$.progress.stopped', true), closeRun)
          .when(Condition.numberGreaterThan('$.progress.held', 0), hold)
          .when(Condition.numberGreaterThan('$.progress.pending', 0), carry)
          .when(Condition.numberEquals('$.progress.active', 0), closing)
          .otherwise(next),
      );
      next = start;
    }

    const anyoneEnrolled = new Choice(this, 'AnyoneEnrolled')
      .when(Condition.numberEquals('$.audience.cohortSize', 0), summarise)
      .when(Condition.numberEquals('$.audience.messaged', 0), closing)
      .otherwise(next);
    const definition = prepareRun.next(selectAudience).next(anyoneEnrolled);

    this.stateMachine = rekindleStateMachine(this, {
      definition,
      timeout: this.runTimeout,
      comment: `Rekindle campaign ${campaign.id}: ${campaign.description}`,
      functions: campaignFunctionNames.map((name) => this.functions[name]),
      metadata: [CAMPAIGN_METADATA_KEY, campaign.id],
    });
  }

  private get run() {
    return JsonPath.objectAt('$.run');
  }

  private invoke(stateId: string, fn: IFunction, payload: Record<string, unknown>, resultPath?: string) {
    return new LambdaInvoke(this, stateId, {
      lambdaFunction: fn,
      payloadResponseOnly: true,
      payload: TaskInput.fromObject(payload),
      // Without a ResultPath the result replaces the state (PrepareRun's { run }).
      ...(resultPath ? { resultPath } : {}),
      taskTimeout,
    }).addRetry(transientRetry);
  }

  /**
   * Plan<Name> (when: at least `delayDays` from now, in a send window if asked) → DryRun? → WaitFor<Name>
   * → then. A dry run renders as of the planned moment without waiting for it. Returns the chain's start
   * and its Wait state.
   */
  private waitThenRun(name: string, delayDays: number, alignToSendWindow: boolean, then: State & INextable) {
    const plan = this.invoke(
      `Plan${name}`,
      this.functions.planWait,
      { run: this.run, delayDays, alignToSendWindow },
      '$.wait',
    );
    const wait = new Wait(this, `WaitFor${name}`, { time: WaitTime.timestampPath('$.wait.at') });
    wait.next(then);
    const start = plan.next(
      new Choice(this, `DryRunSkipsWaitFor${name}`)
        .when(Condition.booleanEquals('$.run.dryRun', true), then)
        .otherwise(wait),
    );
    return { start, wait };
  }

  /**
   * A Distributed Map over the run's batch numbers: one Express child per batch runs `fn`, as many at once as
   * `channel`'s provider rate needs (the fastest provider's without one).
   */
  private overBatches(
    mapId: string,
    childId: string,
    fn: IFunction,
    extra: Record<string, unknown>,
    channel: Channel | undefined,
  ) {
    const map = new DistributedMap(this, mapId, {
      itemsPath: '$.audience.batches',
      itemSelector: { run: this.run, batch: JsonPath.numberAt('$$.Map.Item.Value'), ...extra },
      mapExecutionType: StateMachineType.EXPRESS,
      maxConcurrency: batchWorkersFor(this.sendRates, channel),
      // Batch results are stored by the workers; the parent keeps no per-batch output, whatever the cohort size.
      resultPath: JsonPath.DISCARD,
    });
    // A child's task tried again in the child; a child that still fails fails the map and the run, which a
    // redrive resumes with only the failed children.
    map.itemProcessor(
      new LambdaInvoke(this, childId, {
        lambdaFunction: fn,
        payloadResponseOnly: true,
        outputPath: JsonPath.DISCARD,
        taskTimeout,
      }).addRetry(transientRetry),
    );
    return map;
  }
}
