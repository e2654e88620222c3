import { Duration } from 'aws-cdk-lib';
import { JitterType, type RetryProps } from 'aws-cdk-lib/aws-stepfunctions';

/**
 * Errors that say nothing about the input, so the same invocation may succeed when tried again: Lambda's own
 * (throttled, the runtime died, the function timed out, unhandled), and the AWS errors a function lets through
 * after the SDK's own retries (DynamoDB throttling and 5xx, a socket timeout). A named Rekindle error (bad
 * input, a run already started) is not among them: trying again cannot help it.
 *
 * Retrying is safe because every step is idempotent: a batch's chunk of sends is claimed before any provider
 * is called and never sent again (functions/campaign/send-touch.ts), enrollments, closings and summaries are
 * written whole, and a run's claim admits its own execution again (functions/data/runs.ts). `npm run chaos`
 * injects each of these faults and checks that.
 */
export const TRANSIENT_ERRORS = [
  'Lambda.TooManyRequestsException',
  'Lambda.Unknown',
  'Runtime.ExitError',
  'Sandbox.Timedout',
  // The task's own timeout (15 min, Lambda's ceiling too): the function ran as long as it may.
  'States.Timeout',
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionConflictException',
  'TimeoutError',
] as const;

const transient: ReadonlySet<string> = new Set(TRANSIENT_ERRORS);

/** Whether an error of this name is one the tasks try again (the local runtime retries as they do). */
export const isTransientError = (error: { name: string } | undefined): boolean =>
  error !== undefined && transient.has(error.name);

/** Five more tries over about a minute (2, 4, 8, 16, 32 s, jittered); CDK adds Lambda's service errors. */
export const transientRetry: RetryProps = {
  errors: [...TRANSIENT_ERRORS],
  interval: Duration.seconds(2),
  backoffRate: 2,
  maxAttempts: 5,
  jitterStrategy: JitterType.FULL,
};
