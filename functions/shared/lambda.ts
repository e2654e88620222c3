import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger, metrics, tracer } from './powertools';

/**
 * Wraps a handler in the Powertools middlewares every Rekindle function uses. Functions that record no
 * business metric skip the metrics flush, which would otherwise warn on every invocation.
 */
export const lambdaHandler = <TEvent, TResult>(
  handler: (event: TEvent, context: Context) => Promise<TResult>,
  options: { publishesMetrics: boolean } = { publishesMetrics: true },
) => {
  const wrapped = middy(handler);
  if (tracer) wrapped.use(captureLambdaHandler(tracer));
  wrapped.use(injectLambdaContext(logger, { resetKeys: true }));
  return options.publishesMetrics ? wrapped.use(logMetrics(metrics)) : wrapped;
};
