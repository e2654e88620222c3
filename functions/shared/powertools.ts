import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';

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

/** An AWS SDK client whose calls are traced as subsegments when tracing is on. */
export const traced = <Client>(client: Client): Client =>
  tracer ? tracer.captureAWSv3Client(client) : client;
