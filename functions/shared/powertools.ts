import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { localSeams } from './local-seams';

const serviceName = 'rekindle';

// Log records carry ids (user, run, step) only; contact fields and push tokens are never logged.
export const logger = new Logger({ serviceName });
// Metrics' own warnings (an invocation that failed before recording anything) go through the same logger.
export const metrics = new Metrics({ serviceName, namespace: 'Rekindle', logger });

/**
 * The X-Ray tracer, loaded only where tracing is on (deployed functions trace actively). Loading the X-Ray
 * SDK installs async hooks that tax every promise in the process, tracing or not: measured locally, about
 * 40% more CPU for each DynamoDB call.
 */
export const tracer: Tracer | undefined =
  process.env.POWERTOOLS_TRACE_ENABLED === 'false'
    ? undefined
    : new (await import('@aws-lambda-powertools/tracer')).Tracer({ serviceName });

/**
 * An AWS SDK client as Rekindle's functions use it: its calls awsClient as subsegments when tracing is on, and
 * without the SDK's logger middleware, which copies every request and response through the service's
 * schema to hide sensitive fields for a logger Rekindle never gives it (measured locally: several percent
 * of the CPU of a DynamoDB call).
 */
export const awsClient = <Client extends { middlewareStack: { remove(name: string): boolean } }>(
  client: Client,
): Client => {
  client.middlewareStack.remove('loggerMiddleware');
  localSeams()?.decorateAwsClient?.(client);
  return tracer ? tracer.captureAWSv3Client(client) : client;
};
