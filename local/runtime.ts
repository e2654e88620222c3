import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  paginateScan,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context } from 'aws-lambda';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';

type JSONValue = Parameters<StateMachine['run']>[0];

import { JSONPath } from 'jsonpath-plus';
import { type Campaign, type CampaignInput, goals } from '../functions/campaign/definition';
import type { EnrollmentBatch } from '../functions/campaign/enrollment';
import type { FunnelRow, VariantComparison } from '../functions/campaign/funnel';
import type { RunSummary } from '../functions/campaign/run';
import type { CallTask } from '../functions/channels/call-task-queue';
import type { SandboxMessage } from '../functions/channels/channel';
import type { ConsentChange } from '../functions/data/user-changes';
import { type FrequencyCaps, frequencyCapsFrom } from '../functions/guardrails/frequency-caps';
import { type QuietHours, quietHoursFrom } from '../functions/guardrails/quiet-hours';
import { type SendRates, sendRatesFrom } from '../functions/pacing/send-rates';
import { useClock } from '../functions/shared/clock';
import { setLocalSeams } from '../functions/shared/local-seams';
import type { User } from '../functions/users/user';
import type { HandlerName } from '../infra/functions';
import { campaignDefinitions, validateCampaign } from '../statemachines/campaigns';
import { isTransientError } from '../statemachines/retries';
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local';
import { FaultInjector, type FaultPlan } from './faults';
import type { GuardrailRecords } from './guardrail-check';
import type { InboundEvent } from './inbound-events';
import { InboundFeed, type ReceivedEvent, type SmsReply } from './inbound-feed';
import { ProviderRateLimits } from './provider-rates';
import {
  type AslDefinition,
  type LocalTemplate,
  localFunctionArn,
  synthesizeLocalTemplate,
} from './template';
import type { Delivery, Enrollee, SimulatedUsers } from './user-simulator';
import { VirtualClock } from './virtual-clock';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface RunResult {
  status: 'SUCCEEDED' | 'FAILED';
  output?: RunSummary;
  error?: { name: string; message: string };
}

/** Parallel scan segments when the runtime reads a whole table back. */
const SCAN_SEGMENTS = 4;

export interface LocalRekindleOptions {
  /** Campaign definitions to synthesize; defaults to the ones the CDK app deploys. */
  campaigns?: CampaignInput[];
  /** Where the virtual clock starts. */
  clockStart?: Date;
  /** How long a pause may hold a touch (the stack's `pauseLimitHours`). */
  pauseLimitHours?: number;
  /** The stack's provider rates (CDK context `sendRates`): what the send step paces to. */
  sendRates?: Partial<SendRates>;
  /**
   * What the sandbox providers actually take, if not the configured rates: a provider slower than its
   * configuration throttles, and the send step must retry.
   */
  sandboxRates?: Partial<SendRates>;
  /** A run of many minutes, such as a benchmark: DynamoDB Local may spend CPU on optimizing its code. */
  longRun?: boolean;
  /** Faults to inject at every boundary (local/faults.ts): `npm run chaos`. */
  faults?: FaultPlan;
  /**
   * Run every function from its esbuild bundle exactly as `cdk synth` builds it for deployment, instead of its
   * TypeScript module: a bundling, import or environment mistake fails here (`npm start -- --bundled`).
   */
  bundled?: boolean;
}

/** Functions behind the HTTP APIs: their caller sees a 5xx and tries again itself; no faults are injected. */
const HTTP_HANDLERS: ReadonlySet<HandlerName> = new Set(['agent-api', 'follow-link', 'unsubscribe']);

/**
 * Lambda tries an asynchronous invocation (EventBridge, SNS) whose function failed twice more, then hands it to
 * the failure destination (a dead-letter queue); a throttled one it keeps trying (for up to six hours on AWS).
 */
const ASYNC_ATTEMPTS = 3;
const ASYNC_THROTTLED_ATTEMPTS = 50;

/**
 * The context a handler sees. Its remaining time counts down, in real time, from the function's configured
 * timeout (middy cuts a handler off when it runs out, as Lambda would).
 */
const lambdaContext = (functionName: string, timeoutSeconds: number): Context => {
  const deadline = performance.now() + timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: localFunctionArn(functionName),
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, Math.round(deadline - performance.now())),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};

/** A function whose code failed to load (its cold start on Lambda would fail the same way). */
export class HandlerLoadFailed extends Error {
  override name = 'HandlerLoadFailed';
  constructor(logicalId: string, handler: string, cause: unknown) {
    super(
      `Function ${logicalId} (${handler}) failed to load: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
  }
}

/** A handler module's `handler` export; a module without one fails here. */
export const importHandler = async (source: string, fresh = false): Promise<LambdaHandler> => {
  // `fresh`: a module instance of its own, not the one an earlier import cached (a test's second look).
  const url = `${pathToFileURL(source).href}${fresh ? `?fresh=${randomUUID()}` : ''}`;
  const module = (await import(url)) as { handler?: unknown };
  if (typeof module.handler !== 'function') throw new Error(`${source} exports no handler`);
  return module.handler as LambdaHandler;
};

/**
 * Runs `load` with the process environment holding `environment` in place of every function's variables, then
 * puts the process environment back as it was.
 */
export const withEnvironment = async <T>(
  environment: { unset: readonly string[]; set: Record<string, string> },
  load: () => Promise<T>,
): Promise<T> => {
  const before = { ...process.env };
  for (const name of environment.unset) delete process.env[name];
  Object.assign(process.env, environment.set);
  try {
    return await load();
  } finally {
    for (const name of Object.keys(process.env)) if (!(name in before)) delete process.env[name];
    Object.assign(process.env, before);
  }
};

/** One function's environment: its own variables set, every other function's unset. */
const fnEnvironment = (own: Record<string, string>, union: Record<string, string>) => ({
  unset: Object.keys(union).filter((name) => !(name in own)),
  set: Object.fromEntries(Object.entries(own).filter(([name]) => name !== 'POWERTOOLS_LOG_LEVEL')),
});

/** Every Task and Wait state of a definition, including those inside Map and Parallel states. */
const statesOf = (definition: AslDefinition): [string, AslDefinition['States'][string]][] =>
  Object.entries(definition.States).flatMap(([name, state]) => [
    [name, state] as [string, typeof state],
    ...[state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])]
      .filter((inner): inner is AslDefinition => inner !== undefined)
      .flatMap(statesOf),
  ]);

let started = false;

/** The later of two instants, in the one ISO form the records use (so that strings compare as times). */
const latest = (a: string, b: string) => new Date(Math.max(Date.parse(a), Date.parse(b))).toISOString();

const LOCAL_LINK_SIGNING_KEY = 'local-only-link-signing-key-not-a-secret-0000';

/** What one execution cost: what AWS would bill for it, counted as it ran. */
export interface ExecutionStats {
  /** States the parent execution entered (its state transitions), by state type. */
  statesByType: Record<string, number>;
  /** Distributed Map children: each is an Express execution of its own on AWS. */
  childExecutions: number;
  childStates: number;
  /**
   * Lambda invocations and their summed duration, by handler: `milliseconds` of work measured here,
   * `billedMilliseconds` with a send step's wait for its providers' slots (the simulated time it spanned).
   */
  lambda: Record<
    string,
    { invocations: number; milliseconds: number; billedMilliseconds?: number; longestMilliseconds?: number }
  >;
}

export interface RunResult {
  campaignId: string;
  status: 'SUCCEEDED' | 'FAILED';
  output?: RunSummary;
  error?: { name: string; message: string };
  stats: ExecutionStats;
  /** The execution's name and input: a redrive keeps both. */
  executionName: string;
  input: unknown;
  /** Where a failed execution failed: the top-level state a redrive starts again at, and that state's input. */
  failedState?: { name: string; input: unknown };
  /** How many times the run was redriven before this result. */
  redrives?: number;
}

/** How `runCampaigns` redrives a run that failed after its retries, as an operator would. */
export interface RedrivePolicy {
  /** Virtual minutes from the failure to the redrive. */
  afterMinutes: number;
  /** Redrives at most, per run. */
  attempts: number;
}

/** One running execution, as the virtual clock sees it. */
interface Timeline {
  /** Where its latest Wait state ends: its next task may not start before. */
  waitUntil?: number;
  /** Where its latest Distributed Map children's time ended: the state after the map starts then. */
  busyUntil?: number;
  running: number;
  blocked: { until: number; release: () => void }[];
}

/**
 * Rekindle on this machine: DynamoDB Local with the tables CDK defines, the synthesized state machines
 * run by aws-local-stepfunctions, every Task state routed to its real handler module in-process, channel
 * providers replaced by the sandbox outbox, and a virtual clock. Several runs share one timeline: the
 * clock jumps to the earliest Wait target only when every run is waiting, like a discrete-event simulation.
 */
export class LocalRekindle {
  private readonly timelines = new Set<Timeline>();
  private advancing = false;
  private advanceFailure: unknown;
  private simulator: SimulatedUsers | undefined;
  /** Enrollments or sends since the simulator last looked: a held run's look at the brakes changes neither. */
  private unobserved = true;
  /** Events from an events file, oldest first, fed as the virtual clock passes them. */
  private scripted: InboundEvent[] = [];
  /** What people and providers say back, fed through the real handlers; `feed.received` is events.jsonl. */
  readonly feed: InboundFeed;
  /** The sandbox providers' rate limits: what they took, and what they throttled. */
  readonly providerLimits: ProviderRateLimits;
  /** Invocations of the handlers the feed calls (not part of any execution), for the benchmark. */
  readonly inboundInvocations: ExecutionStats['lambda'] = {};

  private constructor(
    private readonly dynamoDb: DynamoDbLocal,
    private readonly client: DynamoDBClient,
    private readonly template: LocalTemplate,
    private readonly campaigns: Map<string, Campaign>,
    private readonly handlers: Map<string, LambdaHandler>,
    readonly clock: VirtualClock,
    sandboxRates: SendRates,
    /** The fault plan in force (`npm run chaos`), with what it injected. */
    readonly faults: FaultInjector | undefined,
    /** Where each function's code was loaded from, by logical id: its TypeScript module, or its bundle. */
    readonly handlerSources: ReadonlyMap<string, string>,
  ) {
    this.providerLimits = new ProviderRateLimits(sandboxRates);
    this.feed = new InboundFeed({
      invoke: (name, event) => this.invoke(name, event),
      latestUnsubscribeUrl: async (userId, at) =>
        (await this.sandboxMessages())
          .flatMap((message) =>
            message.userId === userId && message.channel === 'email' && message.sentAt <= at
              ? [message.unsubscribeUrl]
              : [],
          )
          .at(-1),
      operate: async (action, at) => {
        const { operate } = await import('../functions/operations/operator');
        return operate(action, { at, by: 'events-file', campaignIds: [...this.campaigns.keys()] });
      },
      phoneOf: async (userId) =>
        (
          (await this.scanTable('Users')).find((user) => user.userId === userId)?.contact as {
            phone?: string;
          }
        )?.phone,
    });
  }

  static async start(options: LocalRekindleOptions = {}): Promise<LocalRekindle> {
    // Handler modules read their configuration once, at import, like a Lambda cold start.
    if (started)
      throw new Error('LocalRekindle runs once per process: handler modules keep their configuration');
    started = true;
    const campaigns = (options.campaigns ?? campaignDefinitions).map(validateCampaign);
    const template = synthesizeLocalTemplate({
      campaigns,
      pauseLimitHours: options.pauseLimitHours,
      sendRates: options.sendRates,
      bundled: options.bundled,
    });
    // S3 (the user import's bucket) in-process beside DynamoDB Local; the two stop together.
    const { startS3Local } = await import('./s3-local');
    const s3 = await startS3Local(template.buckets, { accessKeyId: 'local', secretAccessKey: 'local' });
    const dynamoDbLocal = await startDynamoDbLocal({ longRun: options.longRun }).catch(
      async (error: unknown) => {
        await s3.stop();
        throw error;
      },
    );
    const dynamoDb: DynamoDbLocal = {
      endpoint: dynamoDbLocal.endpoint,
      ...(dynamoDbLocal.pid ? { pid: dynamoDbLocal.pid } : {}),
      stop: async () => {
        await dynamoDbLocal.stop();
        await s3.stop();
      },
    };
    try {
      Object.assign(process.env, {
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_ENDPOINT_URL_DYNAMODB: dynamoDb.endpoint,
        AWS_ENDPOINT_URL_S3: s3.endpoint,
        // REKINDLE_METRICS=emit prints each invocation's metrics (CloudWatch's embedded format) to stdout.
        POWERTOOLS_METRICS_DISABLED: process.env.REKINDLE_METRICS === 'emit' ? 'false' : 'true',
        POWERTOOLS_TRACE_ENABLED: 'false',
        POWERTOOLS_LOG_LEVEL: process.env.REKINDLE_LOG_LEVEL ?? 'SILENT',
      });
      const environment: Record<string, string> = {};
      for (const fn of template.functions.values()) {
        for (const [name, value] of Object.entries(fn.environment)) {
          if (name === 'POWERTOOLS_LOG_LEVEL') continue;
          if (environment[name] !== undefined && environment[name] !== value) {
            throw new Error(`Functions disagree on ${name}; the local runtime shares one environment`);
          }
          environment[name] = value;
        }
      }
      Object.assign(process.env, environment);
      // The clock, and the faults every AWS client a handler creates gets, before any handler module loads.
      const clock = new VirtualClock(options.clockStart ?? new Date());
      const faults = options.faults ? new FaultInjector(options.faults, () => clock.now()) : undefined;
      setLocalSeams({ decorateAwsClient: faults?.decorateAwsClient });

      const client = new DynamoDBClient({ endpoint: dynamoDb.endpoint });
      for (const table of template.tables) await client.send(new CreateTableCommand(table));

      const handlers = new Map<string, LambdaHandler>();
      const sources = new Map<string, string>();
      for (const [logicalId, fn] of template.functions) {
        if (options.bundled && !fn.bundle) throw new Error(`Function ${logicalId} has no bundle`);
        const source =
          options.bundled && fn.bundle
            ? fn.bundle
            : path.join(repositoryRoot, 'functions', 'handlers', `${fn.handler}.ts`);
        // A bundle holds its own copy of every module: it loads with its own function's environment only,
        // as on Lambda, so a variable the template forgot to give it fails here. (The TypeScript modules are
        // shared by every function in this process, so they load once, with the union.)
        const handler = await (options.bundled
          ? withEnvironment(fnEnvironment(fn.environment, environment), () => importHandler(source))
          : importHandler(source)
        ).catch((error: unknown) => {
          throw new HandlerLoadFailed(logicalId, fn.handler, error);
        });
        handlers.set(logicalId, handler);
        sources.set(logicalId, source);
      }
      useClock(clock);
      const byId = new Map(campaigns.map((campaign) => [campaign.id, campaign]));
      const configured = sendRatesFrom(process.env.SEND_RATES);
      const rekindle = new LocalRekindle(
        dynamoDb,
        client,
        template,
        byId,
        handlers,
        clock,
        { ...configured, ...options.sandboxRates },
        faults,
        sources,
      );
      // The sandbox providers answer as the feed scripts them (opt-out list, dead tokens).
      const { useSandboxProviderBehaviour } = await import('../functions/channels/sandbox');
      // A send step waiting for its slot lets the scripted world (operators, app events) act up to it.
      clock.onSleep = (at) => rekindle.feedScriptedUpTo(at);
      // Tests script the same object's answers while a run goes on.
      rekindle.feed.providerBehaviour.admit = (provider, sentAt) =>
        rekindle.providerLimits.admit(provider, sentAt);
      const behaviour = rekindle.feed.providerBehaviour;
      useSandboxProviderBehaviour(faults ? faults.withProviderFaults(behaviour) : behaviour);
      // No Secrets Manager here: links are signed with a fixed local key, so the same seed gives the same links.
      const { useLinkSigningKeys } = await import('../functions/links/signing-keys');
      useLinkSigningKeys({ current: 'local', local: LOCAL_LINK_SIGNING_KEY });
      return rekindle;
    } catch (error) {
      await dynamoDb.stop();
      throw error;
    }
  }

  /** The most memory DynamoDB Local's JVM has held so far (its peak resident set), in MiB, where known. */
  dynamoDbPeakMegabytes(): number | undefined {
    if (!this.dynamoDb.pid) return undefined;
    try {
      const status = readFileSync(`/proc/${this.dynamoDb.pid}/status`, 'utf8');
      const kilobytes = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
      return kilobytes ? Math.round(Number(kilobytes) / 1024) : undefined;
    } catch {
      return undefined;
    }
  }

  get campaignIds(): string[] {
    return [...this.template.stateMachines.keys()];
  }

  /** Runs one execution of a campaign's state machine to its end, as Step Functions would. */
  async runCampaign(campaignId: string, input: unknown = {}, options: { simulator?: SimulatedUsers } = {}) {
    const [result] = await this.runCampaigns([{ campaignId, input }], options);
    if (!result) throw new Error('no result');
    return result;
  }

  /**
   * Runs several executions side by side on one virtual timeline. A run with `startAt` starts then, as a
   * schedule or an operator would start it later: runs of several days overlap, as they do on AWS.
   */
  async runCampaigns(
    runs: readonly { campaignId: string; input?: unknown; startAt?: Date }[],
    options: { simulator?: SimulatedUsers; redrive?: RedrivePolicy } = {},
  ): Promise<RunResult[]> {
    this.simulator = options.simulator;
    this.unobserved = true;
    this.advanceFailure = undefined;
    try {
      await this.feedDueEvents(this.clock.now(), []);
      const results = await Promise.all(
        runs.map(async (run) => {
          let result = await this.execute(run.campaignId, run.input ?? {}, { startAt: run.startAt });
          // Failed after its retries (an outage): redriven later on the same timeline, as an operator would.
          for (let redrive = 1; options.redrive && redrive <= options.redrive.attempts; redrive += 1) {
            if (result.status !== 'FAILED' || !isTransientError(result.error) || !result.failedState) break;
            const at = new Date(this.clock.now().getTime() + options.redrive.afterMinutes * 60_000);
            result = { ...(await this.redrive(result, at)), redrives: redrive };
          }
          return result;
        }),
      );
      if (this.advanceFailure) throw this.advanceFailure;
      return results;
    } finally {
      this.simulator = undefined;
    }
  }

  /** Runs a state machine of the template that is not a campaign (the user import) to its end. */
  async runStateMachine(
    name: string,
    input: unknown,
  ): Promise<Omit<RunResult, 'output'> & { output?: unknown }> {
    const definition = this.template.namedStateMachines.get(name);
    if (!definition) throw new Error(`No state machine named ${name}`);
    return this.execute(name, input, { definition });
  }

  /**
   * Step Functions' redrive, locally: the failed execution again under its own name, from the top-level state
   * that failed and with that state's input (a Distributed Map runs all its children again; those that had
   * finished find their work done). `at`: when the operator redrives it.
   */
  async redrive(failed: RunResult, at?: Date): Promise<RunResult> {
    if (failed.status !== 'FAILED' || !failed.failedState)
      throw new Error('Only a failed run can be redriven');
    const definition =
      this.template.stateMachines.get(failed.campaignId) ??
      this.template.namedStateMachines.get(failed.campaignId);
    if (!definition) throw new Error(`No state machine for ${failed.campaignId}`);
    const result = await this.execute(failed.campaignId, failed.failedState.input, {
      definition: { ...definition, StartAt: failed.failedState.name },
      startAt: at,
      executionName: failed.executionName,
    });
    return { ...result, input: failed.input };
  }

  private async execute(
    campaignId: string,
    input: unknown,
    options: { definition?: AslDefinition; startAt?: Date; executionName?: string } = {},
  ): Promise<RunResult> {
    const { startAt } = options;
    const definition = options.definition ?? this.template.stateMachines.get(campaignId);
    if (!definition) throw new Error(`No state machine for campaign ${campaignId}`);
    // A later start is a wait before the first state: its first task blocks until the clock gets there,
    // and the clock jumps there when every other run waits too.
    const timeline: Timeline = { running: 0, blocked: [], waitUntil: startAt?.getTime() };
    const stats: ExecutionStats = { statesByType: {}, childExecutions: 0, childStates: 0, lambda: {} };
    const taskResourceLocalHandlers: Record<string, (input: JSONValue) => Promise<JSONValue>> = {};
    // Distributed Map children, by their task state: each of the map's places (MaxConcurrency) is free again
    // when the child in it finished, in simulated time; a child waiting for a place starts then.
    const places = new Map<string, { freeAt: number; busy: boolean }[]>();
    for (const state of Object.values(definition.States)) {
      const processor = state.ItemProcessor ?? state.Iterator;
      if (!processor) continue;
      const concurrency = Number(state.MaxConcurrency ?? 0) || 1000;
      for (const [inner] of statesOf(processor))
        places.set(
          inner,
          Array.from({ length: concurrency }, () => ({ freeAt: 0, busy: false })),
        );
    }
    const waitTimeOverrides: Record<string, number> = {};
    const retryIntervalOverrides: Record<string, number> = {};
    const waitStates = new Map<string, string>();
    for (const [name, state] of statesOf(definition)) {
      if (state.Type === 'Task' && state.Resource) {
        const logicalId = state.Resource.split(':').pop() ?? name;
        const handler = this.handlers.get(logicalId);
        const handlerName = this.template.functions.get(logicalId)?.handler;
        const timeoutSeconds = this.functionTimeout(logicalId);
        if (!handler || !handlerName)
          throw new Error(`Task ${name} calls ${state.Resource}, not a template function`);
        const childPlaces = places.get(name);
        taskResourceLocalHandlers[name] = async (taskInput) => {
          const after = Math.max(timeline.waitUntil ?? 0, childPlaces ? 0 : (timeline.busyUntil ?? 0));
          if (after > this.clock.now().getTime()) await this.blockUntil(timeline, after);
          timeline.running += 1;
          const place = childPlaces
            ?.filter((candidate) => !candidate.busy)
            .sort((a, b) => a.freeAt - b.freeAt)[0];
          if (place) place.busy = true;
          const start = Math.max(this.clock.now().getTime(), place?.freeAt ?? 0);
          let end = start;
          const startedAt = performance.now();
          try {
            const call = () => handler(taskInput, lambdaContext(logicalId, timeoutSeconds));
            const result = await this.clock.runAt(new Date(start), () =>
              this.faults
                ? this.faults.invoke(handlerName, taskInput, childPlaces !== undefined, call)
                : call(),
            );
            // A send step's sends took the simulated time up to its last slot.
            const finishedAt = Date.parse(String((result as { finishedAt?: unknown } | null)?.finishedAt));
            if (finishedAt > end) end = finishedAt;
            return result as JSONValue;
          } finally {
            if (handlerName === 'select-audience' || handlerName === 'send-touch') this.unobserved = true;
            const tally = stats.lambda[handlerName] ?? {
              invocations: 0,
              milliseconds: 0,
              billedMilliseconds: 0,
            };
            stats.lambda[handlerName] = tally;
            const worked = performance.now() - startedAt;
            tally.invocations += 1;
            tally.milliseconds += worked;
            tally.billedMilliseconds = (tally.billedMilliseconds ?? 0) + Math.max(worked, end - start);
            tally.longestMilliseconds = Math.max(tally.longestMilliseconds ?? 0, worked, end - start);
            if (place) {
              place.freeAt = end;
              place.busy = false;
            }
            if (childPlaces) timeline.busyUntil = Math.max(timeline.busyUntil ?? 0, end);
            timeline.running -= 1;
          }
        };
      }
      // Retries at once: the virtual clock does not move for them.
      if ((state as { Retry?: unknown[] }).Retry) retryIntervalOverrides[name] = 0;
      if (state.Type === 'Wait') {
        // 1 ms, not 0: the wait must yield once so its target is recorded before the next state runs.
        waitTimeOverrides[name] = 1;
        if (state.TimestampPath) waitStates.set(name, state.TimestampPath);
      }
    }

    // The ASL is CDK's output, read back from the template, so its shape is the library's to check.
    // The execution timeout is a real-time timer in aws-local-stepfunctions (and overflows past 24.8 days);
    // simulated runs take seconds, so it is left to the deployed state machine.
    const { TimeoutSeconds: _timeout, ...runnable } = definition;
    // A redrive starts at a later state, which leaves the earlier ones unreachable: the definition as CDK wrote
    // it was validated by the first execution already.
    const machine = new StateMachine(
      runnable as unknown as ConstructorParameters<typeof StateMachine>[0],
      options.executionName ? { validationOptions: { noValidate: true } } : {},
    );
    const executionName = options.executionName ?? randomUUID();
    this.timelines.add(timeline);
    const execution = machine.run(input as JSONValue, {
      overrides: { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides },
      context: {
        Execution: {
          Id: `arn:aws:states:us-east-1:000000000000:execution:${campaignId}:${executionName}`,
          Name: executionName,
        },
      },
    });
    // The top-level state entered last, and its input: where a failed execution failed.
    let current: { name: string; input: unknown } | undefined;
    const watching = (async () => {
      for await (const event of execution.eventLogs) {
        if (event.type === 'MapIterationStarted') stats.childExecutions += 1;
        if (event.type !== 'StateEntered') continue;
        if ('index' in event && event.index !== undefined) {
          stats.childStates += 1;
          continue;
        }
        current = { name: event.state.name, input: event.state.input };
        stats.statesByType[event.state.type] = (stats.statesByType[event.state.type] ?? 0) + 1;
        const timestampPath = waitStates.get(event.state.name);
        if (timestampPath === undefined) continue;
        const until = JSONPath({
          path: timestampPath,
          json: event.state.input as object,
          wrap: false,
        }) as string;
        timeline.waitUntil = Date.parse(until);
      }
    })();
    try {
      const output = (await execution.result) as unknown as RunSummary;
      return { campaignId, status: 'SUCCEEDED', output, stats, executionName, input };
    } catch (error) {
      const cause = error instanceof ExecutionError ? error.cause : error;
      const failure = cause instanceof Error ? cause : new Error(String(cause));
      await watching;
      return {
        campaignId,
        status: 'FAILED',
        error: { name: failure.name, message: failure.message },
        stats,
        executionName,
        input,
        ...(current ? { failedState: current } : {}),
      };
    } finally {
      await watching;
      this.timelines.delete(timeline);
      this.advanceWhenAllWait();
    }
  }

  private blockUntil(timeline: Timeline, until: number): Promise<void> {
    return new Promise((release) => {
      timeline.blocked.push({ until, release });
      this.advanceWhenAllWait();
    });
  }

  /**
   * When every running execution is blocked on a wait (none is between states or inside a task), the
   * simulated users act up to the earliest wait's end, the clock jumps there, and those waits end.
   */
  private advanceWhenAllWait(): void {
    const timelines = [...this.timelines];
    if (this.advancing || timelines.length === 0) return;
    if (!timelines.every((timeline) => timeline.running === 0 && timeline.blocked.length > 0)) return;
    this.advancing = true;
    const until = Math.min(
      ...timelines.flatMap((timeline) => timeline.blocked.map((blocked) => blocked.until)),
    );
    this.advanceClockTo(new Date(until))
      .catch((error: unknown) => {
        this.advanceFailure ??= error;
      })
      .finally(() => {
        this.advancing = false;
        for (const timeline of timelines) {
          const due = timeline.blocked.filter((blocked) => blocked.until <= until);
          timeline.blocked = timeline.blocked.filter((blocked) => blocked.until > until);
          for (const blocked of due) blocked.release();
        }
        this.advanceWhenAllWait();
      });
  }

  /** Feeds an event through the handler AWS would invoke for it, now, and records it in `feed.received`. */
  async receive(event: InboundEvent): Promise<unknown> {
    return this.feed.receive(event, 'scripted', this.clock.now());
  }

  private functionTimeout(logicalId: string): number {
    return this.template.functions.get(logicalId)?.timeoutSeconds ?? 3;
  }

  /** Invokes a handler of the template by name, as Lambda would. */
  async invoke(name: HandlerName, event: unknown): Promise<unknown> {
    const [logicalId] = [...this.template.functions].find(([, fn]) => fn.handler === name) ?? [];
    const handler = logicalId ? this.handlers.get(logicalId) : undefined;
    if (!handler || !logicalId) throw new Error(`No ${name} function in the template`);
    const startedAt = performance.now();
    try {
      const call = () => handler(event, lambdaContext(logicalId, this.functionTimeout(logicalId)));
      return await (this.faults && !HTTP_HANDLERS.has(name) ? this.invokeAsync(name, event, call) : call());
    } finally {
      const tally = this.inboundInvocations[name] ?? { invocations: 0, milliseconds: 0 };
      this.inboundInvocations[name] = tally;
      tally.invocations += 1;
      tally.milliseconds += performance.now() - startedAt;
    }
  }

  /** An asynchronous invocation under the fault plan: Lambda tries one that failed (transiently) twice more. */
  private async invokeAsync(name: HandlerName, event: unknown, call: () => Promise<unknown>) {
    const faults = this.faults as FaultInjector;
    let failures = 0;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await faults.invoke(name, event, false, call);
      } catch (error) {
        if (!(error instanceof Error && isTransientError(error))) throw error;
        const throttled = error.name === 'Lambda.TooManyRequestsException';
        if (!throttled) failures += 1;
        if (failures >= ASYNC_ATTEMPTS || attempt >= ASYNC_THROTTLED_ATTEMPTS) throw error;
      }
    }
  }

  /**
   * Events whose function failed every attempt under the fault plan: on AWS they wait in a dead-letter queue
   * for the operator (the README's runbook); here until `redriveDeadLetters`.
   */
  readonly deadLetters: { event: InboundEvent | SmsReply; origin: ReceivedEvent['origin']; error: string }[] =
    [];

  /** Feeds one event, or, when its function failed every attempt under the fault plan, dead-letters it. */
  private async receiveOrDeadLetter(
    event: InboundEvent | SmsReply,
    origin: ReceivedEvent['origin'],
  ): Promise<void> {
    try {
      await this.feed.receive(event, origin, this.clock.now());
    } catch (error) {
      if (!this.faults || !(error instanceof Error && isTransientError(error))) throw error;
      this.deadLetters.push({ event, origin, error: error.name });
    }
  }

  /**
   * The runbook's redrive of a dead-letter queue: each event fed again, now (what it says is known from now on).
   * Returns how many were redriven; any that fail again stay.
   */
  async redriveDeadLetters(): Promise<number> {
    const letters = this.deadLetters.splice(0);
    for (const { event, origin } of letters) await this.receiveOrDeadLetter(event, origin);
    return letters.length;
  }

  /** Events to feed at their `occurredAt` as the virtual clock passes them (npm start -- --events FILE). */
  script(events: readonly InboundEvent[]): void {
    this.scripted = [...this.scripted, ...events].sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
  }

  /** Feeds the scripted events still ahead, moving the clock to each: after the runs, the world goes on. */
  async drainScriptedEvents(): Promise<void> {
    await this.feedDueEvents(new Date(8.64e15), []);
  }

  /** Seeds users directly (tests, benchmark), every field stated as of the clock's now. */
  async importUsers(users: readonly User[]): Promise<void> {
    const { seedUsers } = await import('../functions/data/users');
    await seedUsers(users, this.clock.now().toISOString());
  }

  /** Every user's final state, consents and their statement times included, by user id. */
  async users(): Promise<Record<string, unknown>[]> {
    return (await this.scanTable('Users'))
      .map(({ dormancyKey: _key, dormantFrom: _from, phoneKey: _phone, ...user }) => user)
      .sort((a, b) => String(a.userId).localeCompare(String(b.userId)));
  }

  /** Every entry of every user's consent trail, oldest first. */
  async consentChanges(): Promise<ConsentChange[]> {
    return ((await this.scanTable('ConsentChanges')) as unknown as (ConsentChange & { changeKey: string })[])
      .map(({ changeKey: _key, ...change }) => change)
      .sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.userId.localeCompare(b.userId));
  }

  /**
   * Each run's funnel (functions/campaign/funnel.ts), counted from the records the run left: its touch
   * chunks, the delivery records of its messages, its members' lifecycles.
   */
  async funnels(): Promise<
    { runId: string; campaignId: string; rows: FunnelRow[]; variants: VariantComparison[] }[]
  > {
    const { readRunFunnel } = await import('../functions/reports/read-runs');
    const batches = (await this.scanTable('Enrollments')) as unknown as EnrollmentBatch[];
    const runs = new Map(batches.map((batch) => [batch.runId, batch.campaignId]));
    const funnels = [];
    for (const [runId, campaignId] of [...runs].sort(([a], [b]) => a.localeCompare(b))) {
      const campaign = this.campaigns.get(campaignId);
      if (!campaign) throw new Error(`Unknown campaign ${campaignId}`);
      funnels.push({ runId, campaignId, ...(await readRunFunnel(runId, campaign)) });
    }
    return funnels;
  }

  /** Every call task created, oldest first. */
  async callTasks(): Promise<CallTask[]> {
    const tasks = (await this.scanTable('CallTasks')) as unknown as CallTask[];
    return tasks.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.userId.localeCompare(b.userId));
  }

  /**
   * What the guardrail check reads (local/guardrail-check.ts): every message and call task, the consent
   * trail, the enrollments, the goal events and operator actions received, each user's time zone.
   */
  async guardrailRecords(): Promise<GuardrailRecords> {
    const messages = await this.sandboxMessages();
    const tasks = await this.callTasks();
    const zones = new Map(
      (await this.scanTable('Users')).map((user) => [String(user.userId), String(user.timeZone)]),
    );
    const goalTypes = new Set<string>(goals);
    return {
      contacts: [
        ...messages.map(({ userId, campaignId, runId, touch, channel, sentAt }) => ({
          userId,
          campaignId,
          runId,
          touch,
          channel,
          sentAt,
        })),
        ...tasks.map((task) => ({
          userId: task.userId,
          campaignId: task.campaignId,
          runId: task.runId,
          touch: Number(/\|t(\d+)#/.exec(task.touchId)?.[1]),
          channel: 'call' as const,
          sentAt: task.createdAt,
        })),
      ],
      consentChanges: await this.consentChanges(),
      enrollments: (await this.scanTable('Enrollments')) as unknown as EnrollmentBatch[],
      // A conversion counts from when Rekindle received it: a late event cannot stop a send before it.
      goalEvents: this.feed.received.flatMap(({ at, event }) =>
        goalTypes.has(event.type) && 'userId' in event && event.userId
          ? [{ userId: event.userId, type: event.type, occurredAt: latest(at, event.occurredAt) }]
          : [],
      ),
      operatorActions: this.feed.received.flatMap(({ event, result }) =>
        event.type === 'operator' && (result as { done?: string }).done
          ? [{ ...event, at: new Date(event.occurredAt).toISOString() }]
          : [],
      ),
      timeZoneOf: (userId) => zones.get(userId) ?? 'UTC',
      goalOf: (campaignId) => {
        const campaign = this.campaigns.get(campaignId);
        if (!campaign) throw new Error(`Unknown campaign ${campaignId}`);
        return campaign.goal;
      },
    };
  }

  /** The stack's guardrails and provider rates as the template configures the send step. */
  guardrailConfig(): { quietHours: QuietHours; frequencyCaps: FrequencyCaps; sendRates: SendRates } {
    return {
      quietHours: quietHoursFrom(process.env.QUIET_HOURS),
      frequencyCaps: frequencyCapsFrom(process.env.FREQUENCY_CAPS),
      sendRates: sendRatesFrom(process.env.SEND_RATES),
    };
  }

  /** Everything the sandbox recorded, in send order. */
  async sandboxMessages(): Promise<SandboxMessage[]> {
    const messages = (await this.scanTable('SandboxOutbox')) as unknown as SandboxMessage[];
    return messages.sort((a, b) => a.sentAt.localeCompare(b.sentAt) || a.userId.localeCompare(b.userId));
  }

  /** All items of one table, by the name of its CDK construct (Users, Runs, Enrollments, Touches, ...). */
  async scanTable(construct: string): Promise<Record<string, unknown>[]> {
    const table = this.tableNamed(construct);
    // Segments scanned side by side: DynamoDB Local reads one while this process unmarshalls another.
    const segments = await Promise.all(
      Array.from({ length: SCAN_SEGMENTS }, async (_, segment) => {
        const items: Record<string, unknown>[] = [];
        for await (const page of paginateScan(
          { client: this.client },
          { TableName: table, ConsistentRead: true, Segment: segment, TotalSegments: SCAN_SEGMENTS },
        )) {
          for (const item of page.Items ?? []) items.push(unmarshall(item));
        }
        return items;
      }),
    );
    return segments.flat();
  }

  /** Empties every table (drop and recreate) and restarts the clock, so one DynamoDB Local serves many tests. */
  async resetData(clockStart: Date): Promise<void> {
    this.clock.reset(clockStart);
    this.feed.reset();
    this.providerLimits.reset();
    this.scripted = [];
    for (const table of this.template.tables) {
      await this.client.send(new DeleteTableCommand({ TableName: table.TableName }));
      await this.client.send(new CreateTableCommand(table));
    }
  }

  async stop(): Promise<void> {
    this.client.destroy();
    await this.dynamoDb.stop();
  }

  /** The DynamoDB Local table of a CDK construct (Users, Runs, Controls, ...). */
  tableNamed(construct: string): string {
    const table = this.template.tables.find((candidate) =>
      candidate.TableName?.replace(/^Tables/, '').startsWith(construct),
    );
    if (!table?.TableName) throw new Error(`No table for construct ${construct}`);
    return table.TableName;
  }

  /** Lets simulated users act up to `target` (through the ingestion handlers), then moves the clock. */
  private async advanceClockTo(target: Date): Promise<void> {
    const simulator = this.simulator;
    let simulated: (InboundEvent | SmsReply)[] = [];
    if (simulator && this.unobserved) {
      this.unobserved = false;
      const goalOf = (campaignId: string) => {
        const campaign = this.campaigns.get(campaignId);
        if (!campaign) throw new Error(`Unknown campaign ${campaignId}`);
        return campaign.goal;
      };
      simulator.observeEnrollees(await this.enrollees(), goalOf);
      simulator.observe(await this.deliveries(), goalOf);
    }
    if (simulator) simulated = simulator.takeEventsUpTo(target);
    await this.feedDueEvents(target, simulated);
    this.clock.advanceTo(target);
  }

  private feeding: Promise<void> = Promise.resolve();

  /**
   * Feeds the scripted events due by `at` while a task runs (a send step reached a later send slot): what an
   * operator did at 11:00:05 applies to the sends after it, not to the whole touch. One feed at a time.
   */
  feedScriptedUpTo(at: Date): Promise<void> {
    const first = this.scripted[0];
    if (first === undefined || Date.parse(first.occurredAt) > at.getTime()) return Promise.resolve();
    this.feeding = this.feeding.then(() => this.feedDueEvents(at, []));
    return this.feeding;
  }

  /** Feeds scripted and simulated events due by `target` in time order, the clock at each event's time. */
  private async feedDueEvents(target: Date, simulated: readonly (InboundEvent | SmsReply)[]): Promise<void> {
    const due = (event: { occurredAt: string }) => Date.parse(event.occurredAt) <= target.getTime();
    const events = [
      ...this.scripted.filter(due).map((event) => ({ event, origin: 'scripted' as const })),
      ...simulated.map((event) => ({ event, origin: 'simulated' as const })),
    ].sort((a, b) => a.event.occurredAt.localeCompare(b.event.occurredAt));
    this.scripted = this.scripted.filter((event) => !due(event));
    for (const { event, origin } of events) {
      this.clock.advanceTo(new Date(event.occurredAt));
      await this.receiveOrDeadLetter(event, origin);
    }
  }

  /** Everyone enrolled so far, from the enrollment batches. */
  private async enrollees(): Promise<Enrollee[]> {
    const batches = (await this.scanTable('Enrollments')) as unknown as EnrollmentBatch[];
    return batches.flatMap((batch) =>
      batch.members.map((userId) => ({ userId, campaignId: batch.campaignId, enrolledAt: batch.enrolledAt })),
    );
  }

  /** Everything that reached a (simulated) person: sandbox messages and call tasks. */
  private async deliveries(): Promise<Delivery[]> {
    const calls = (await this.callTasks()).map(
      (task): Delivery => ({
        messageId: task.taskId,
        userId: task.userId,
        campaignId: task.campaignId,
        channel: 'call',
        touchId: task.touchId,
        sentAt: task.createdAt,
        queue: task.queue,
      }),
    );
    const users = new Map((await this.scanTable('Users')).map((user) => [String(user.userId), user]));
    return [...(await this.sandboxMessages()), ...calls].map((delivery) => {
      const user = users.get(delivery.userId);
      const contact = user?.contact as { email?: string; phone?: string } | undefined;
      const links = trackedLinksIn(delivery);
      return {
        ...delivery,
        ...(links.length > 0 ? { links } : {}),
        locale: user ? String(user.locale) : undefined,
        ...(contact?.email ? { email: contact.email } : {}),
        ...(contact?.phone ? { phone: contact.phone } : {}),
      };
    });
  }
}

const TRACKED_LINK = /https:\/\/\S+\/l\/[A-Za-z0-9_.-]+/g;

/** The tracked links of a message's copy, a push's tap target first. */
const trackedLinksIn = (message: object): string[] => {
  const texts = ['link', 'title', 'body', 'subject'].map((field) =>
    String((message as Record<string, unknown>)[field] ?? ''),
  );
  return [...new Set(texts.flatMap((text) => [...text.matchAll(TRACKED_LINK)].map(([url]) => url)))];
};
