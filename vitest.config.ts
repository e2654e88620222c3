import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    reporters: ['default', './tests/support/closing-line-reporter.ts'],
    // Each file that runs campaigns starts its own DynamoDB Local (a JVM) and synthesizes the app.
    pool: 'forks',
    maxWorkers: 2,
    // As in the local runtime: no X-Ray tracer, whose async hooks slow every promise (shared/powertools.ts).
    env: { POWERTOOLS_TRACE_ENABLED: 'false' },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
