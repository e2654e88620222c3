import { defineConfig } from 'vitest/config';
import { templateCacheOfThisRun } from './tests/support/template-cache';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    reporters: ['default', './tests/support/closing-line-reporter.ts'],
    // Each file that runs campaigns starts its own DynamoDB Local (a JVM); the synthesized template is shared
    // across the run's files (local/template.ts).
    pool: 'forks',
    maxWorkers: 2,
    // As in the local runtime: no X-Ray tracer, whose async hooks slow every promise (shared/powertools.ts).
    env: { POWERTOOLS_TRACE_ENABLED: 'false', REKINDLE_TEMPLATE_CACHE: templateCacheOfThisRun() },
    globalSetup: ['./tests/support/template-cache.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
