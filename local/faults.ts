import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { InternalServerError, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import type { SandboxProviderBehaviour, SandboxSend } from '../functions/channels/sandbox';

/**
 * What can go wrong at the boundaries of a deployment, as the local runtime injects it:
 * - a Lambda invocation throttled, crashing as it starts, before a send, after the provider took a message
 *   but before its result was recorded, or after the handler finished (its result lost), and timing out at
 *   any call it makes;
 * - DynamoDB throttling and 5xx on any call (the SDK's own retries see them first);
 * - a provider throttling, answering 5xx (nothing sent), or timing out after it took the message;
 * - an outage: one function failing every attempt for a while, so that the run fails after its retries and
 *   the operator redrives it;
 * - the scheduler firing twice (the chaos run starts those duplicates itself).
 */
export const faultKinds = [
  'lambda-throttle',
  'crash-on-start',
  'crash-before-send',
  'crash-after-provider',
  'crash-after-handler',
  'lambda-timeout',
  'dynamodb-throttle',
  'dynamodb-error',
  'provider-throttle',
  'provider-5xx',
  'provider-timeout',
  'outage',
  'scheduler-duplicate',
] as const;

export type FaultKind = (typeof faultKinds)[number];

/** The chance of each fault at each place it can happen (an invocation, a DynamoDB call, a send). */
export type FaultRates = Partial<Record<Exclude<FaultKind, 'outage' | 'scheduler-duplicate'>, number>>;

/**
 * One function failing every invocation for `minutes` of virtual time, as an outage does: from `from`, or from
 * the function's first invocation.
 */
export interface Outage {
  handler: string;
  minutes: number;
  from?: Date;
  /** Only invocations for this touch (a send step's event names its touch). */
  touch?: number;
}

export interface FaultPlan {
  seed: number;
  rates: FaultRates;
  outages?: Outage[];
}

/** One invocation of a function, as the injector follows it through the calls it makes. */
interface Invocation {
  handler: string;
  /** Set when the invocation died: every later call of it fails, as nothing runs in a dead sandbox. */
  died?: Error;
  /** A timeout due at this invocation's n-th call from now. */
  callsBeforeTimeout?: number;
}

const named = (name: string, message: string) => Object.assign(new Error(message), { name });

/** A provider's 5xx as the SDKs throw it: a server fault, nothing sent. */
const providerFailure = (channel: SandboxSend['channel']) =>
  Object.assign(
    named(
      channel === 'email' ? 'InternalFailure' : 'InternalServerException',
      `The ${channel} provider failed (injected)`,
    ),
    { $fault: 'server', $metadata: { httpStatusCode: 500 } },
  );

/** Counts of what was injected, by kind; and how many fell inside Distributed Map children. */
export interface FaultTally {
  byKind: Record<FaultKind, number>;
  /** Places each kind could have struck (invocations, DynamoDB calls, sends), drawn for. */
  chances: Partial<Record<FaultKind, number>>;
  /** DynamoDB faults by the call they struck (GetItem, Query, UpdateItem, BatchWriteItem, ...). */
  dynamoDbByCall: Record<string, number>;
  /** Function faults (throttles, crashes, timeouts, outages) by the function they struck. */
  byFunction: Record<string, number>;
  inMapChildren: number;
  total: number;
}

/**
 * A seeded, repeatable fault plan applied to the local runtime. Each decision is drawn from a hash of the
 * seed, the kind of fault and what it is about (the function and its event, the DynamoDB call and its input,
 * the send), and how many times that same thing happened before: the same seed injects the same faults into
 * the same world, whatever order concurrent calls take.
 *
 * A dead invocation stays dead: every call it makes afterwards (DynamoDB, a provider) fails, so nothing
 * it would have done after its crash happens, as in a Lambda sandbox that is gone.
 */
export class FaultInjector {
  readonly tally: FaultTally = {
    byKind: Object.fromEntries(faultKinds.map((kind) => [kind, 0])) as Record<FaultKind, number>,
    chances: {},
    dynamoDbByCall: {},
    byFunction: {},
    inMapChildren: 0,
    total: 0,
  };
  /** How many times the providers took each (run, touch, user): more than once is a duplicate send. */
  readonly acceptances = new Map<string, number>();
  private readonly invocations = new AsyncLocalStorage<Invocation & { inMapChild: boolean }>();
  private readonly occurrences = new Map<string, number>();

  constructor(
    private readonly plan: FaultPlan,
    private readonly now: () => Date,
  ) {}

  /** Counts a fault of `kind` (the chaos run counts the scheduler's duplicates it starts itself). */
  count(kind: FaultKind): void {
    this.tally.byKind[kind] += 1;
    this.tally.total += 1;
    const invocation = this.invocations.getStore();
    if (invocation?.inMapChild) this.tally.inMapChildren += 1;
    if (invocation && !kind.startsWith('dynamodb') && !kind.startsWith('provider')) {
      this.tally.byFunction[invocation.handler] = (this.tally.byFunction[invocation.handler] ?? 0) + 1;
    }
  }

  /** Whether the fault of `kind` happens here (`about` names the place), drawn as the class says. */
  private draws(kind: keyof FaultRates, about: string): boolean {
    const rate = this.plan.rates[kind] ?? 0;
    if (rate <= 0) return false;
    this.tally.chances[kind] = (this.tally.chances[kind] ?? 0) + 1;
    const key = `${kind}\n${about}`;
    const occurrence = this.occurrences.get(key) ?? 0;
    this.occurrences.set(key, occurrence + 1);
    const digest = createHash('sha256').update(`${this.plan.seed}\n${key}\n${occurrence}`).digest();
    return digest.readUInt32BE(0) / 2 ** 32 < rate;
  }

  private fault(kind: keyof FaultRates, about: string): boolean {
    if (!this.draws(kind, about)) return false;
    this.count(kind);
    return true;
  }

  /** Kills the current invocation: this call fails, and so does every later one. */
  private die(kind: FaultKind, error: Error): never {
    const invocation = this.invocations.getStore();
    this.count(kind);
    if (invocation) invocation.died = error;
    throw error;
  }

  /**
   * Runs one Lambda invocation under the plan: throttled or crashing before it starts, timing out at one of its
   * calls, or losing its result after it finished. Lambda's own error names, as Step Functions sees them.
   */
  async invoke<T>(handler: string, event: unknown, inMapChild: boolean, run: () => Promise<T>): Promise<T> {
    const about = `${handler}\n${digestOf(event)}`;
    const invocation: Invocation & { inMapChild: boolean } = { handler, inMapChild };
    return this.invocations.run(invocation, async () => {
      const now = this.now().getTime();
      const outage = this.plan.outages?.find((candidate) => {
        if (candidate.handler !== handler) return false;
        if (candidate.touch !== undefined && (event as { touch?: unknown }).touch !== candidate.touch)
          return false;
        candidate.from ??= new Date(now);
        return now >= candidate.from.getTime() && now < candidate.from.getTime() + candidate.minutes * 60_000;
      });
      if (outage) this.die('outage', named('Lambda.Unknown', `${handler} is down (injected outage)`));
      if (this.fault('lambda-throttle', about)) {
        throw named('Lambda.TooManyRequestsException', 'Rate exceeded (injected)');
      }
      if (this.draws('crash-on-start', about)) {
        this.die('crash-on-start', named('Runtime.ExitError', 'The runtime exited as it started (injected)'));
      }
      if (this.draws('lambda-timeout', about)) {
        invocation.callsBeforeTimeout = 1 + (digestOf(`${about}\ntimeout`).charCodeAt(0) % 12);
      }
      // After its death the handler may swallow a failed call's error, or fail with one of its own: the death
      // is what Lambda reports either way.
      const result = await run().catch((error: unknown) => {
        throw invocation.died ?? error;
      });
      if (invocation.died) throw invocation.died;
      if (this.draws('crash-after-handler', about)) {
        this.die('crash-after-handler', named('Runtime.ExitError', 'The runtime exited (injected)'));
      }
      return result;
    });
  }

  /** Each call an invocation makes (DynamoDB, a provider) passes here first. */
  private call(): void {
    const invocation = this.invocations.getStore();
    if (!invocation) return;
    if (invocation.died) throw invocation.died;
    if (invocation.callsBeforeTimeout === undefined) return;
    invocation.callsBeforeTimeout -= 1;
    if (invocation.callsBeforeTimeout <= 0) {
      this.die('lambda-timeout', named('Sandbox.Timedout', 'Task timed out (injected)'));
    }
  }

  /**
   * Adds the injector to an AWS SDK client: DynamoDB's throttling and 500s, thrown inside the SDK's retry
   * middleware, so that the SDK retries them first as it would on AWS.
   */
  readonly decorateAwsClient = (client: object): void => {
    // By the client's service id, not its class name, which a minified bundle renames.
    const { middlewareStack: stack, config } = client as {
      middlewareStack?: MiddlewareStack;
      config?: { serviceId?: string };
    };
    if (!stack || config?.serviceId !== 'DynamoDB') return;
    stack.addRelativeTo(
      (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
        async (args: { input?: unknown }) => {
          // Calls outside an invocation under the plan (an HTTP API's, whose caller would see a 5xx) go through.
          if (!this.invocations.getStore()) return next(args);
          this.call();
          const call = (context.commandName ?? 'unknown').replace(/Command$/, '');
          const about = `${call}\n${digestOf(args.input)}`;
          const struck = () => {
            this.tally.dynamoDbByCall[call] = (this.tally.dynamoDbByCall[call] ?? 0) + 1;
            return true;
          };
          if (this.fault('dynamodb-throttle', about) && struck()) {
            throw new ProvisionedThroughputExceededException({
              message: 'The level of configured provisioned throughput for the table was exceeded (injected)',
              $metadata: { httpStatusCode: 400 },
            });
          }
          if (this.fault('dynamodb-error', about) && struck()) {
            throw new InternalServerError({
              message: 'Internal server error (injected)',
              $metadata: { httpStatusCode: 500 },
            });
          }
          return next(args);
        },
      { relation: 'after', toMiddleware: 'retryMiddleware', name: 'rekindleFaults' },
    );
  };

  /**
   * The sandbox providers' behaviour with the plan's faults: throttles and 5xx before a send, a crash just
   * before it, and after the provider took it a crash or a timeout (the message went; its result is lost).
   */
  withProviderFaults(behaviour: SandboxProviderBehaviour): SandboxProviderBehaviour {
    const sendKey = (message: SandboxSend) =>
      `${message.runId}\n${message.touch}\n${message.userId}\n${message.channel}`;
    return {
      pushResult: (token) => behaviour.pushResult(token),
      smsOptedOut: (phone) => behaviour.smsOptedOut(phone),
      beforeSend: async (message) => {
        this.call();
        const about = sendKey(message);
        if (this.draws('crash-before-send', about)) {
          this.die('crash-before-send', named('Runtime.ExitError', 'The runtime exited (injected)'));
        }
        if (this.fault('provider-5xx', about)) throw providerFailure(message.channel);
        await behaviour.beforeSend?.(message);
      },
      admit: (channel, sentAt) =>
        !this.fault('provider-throttle', `${channel}\n${sentAt}`) &&
        (behaviour.admit?.(channel, sentAt) ?? true),
      accepted: async (message) => {
        const key = `${message.runId}|${message.touch}|${message.userId}`;
        this.acceptances.set(key, (this.acceptances.get(key) ?? 0) + 1);
        const about = sendKey(message);
        if (this.draws('crash-after-provider', about)) {
          this.die('crash-after-provider', named('Runtime.ExitError', 'The runtime exited (injected)'));
        }
        if (this.fault('provider-timeout', about)) {
          throw Object.assign(named('TimeoutError', 'The provider did not answer in time (injected)'), {
            $metadata: {},
          });
        }
        await behaviour.accepted?.(message);
      },
    };
  }

  /** (run, touch, user) the providers took more than once. */
  duplicateSends(): { key: string; times: number }[] {
    return [...this.acceptances].flatMap(([key, times]) => (times > 1 ? [{ key, times }] : []));
  }
}

interface MiddlewareStack {
  addRelativeTo(
    middleware: unknown,
    options: { relation: 'before' | 'after'; toMiddleware: string; name: string },
  ): void;
}

const digestOf = (value: unknown) =>
  createHash('sha1')
    .update(JSON.stringify(value) ?? '')
    .digest('base64');
