import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

const serviceName = 'rekindle';

// Log records carry ids (user, run, step) only; contact fields and push tokens are never logged.
export const logger = new Logger({ serviceName });
// Metrics' own warnings (an invocation that failed before recording anything) go through the same logger.
export const metrics = new Metrics({ serviceName, namespace: 'Rekindle', logger });
export const tracer = new Tracer({ serviceName });
