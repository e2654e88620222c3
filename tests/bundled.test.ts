import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../functions/campaign/run';
import { importHandler, LocalRekindle, withEnvironment } from '../local/runtime';
import { CAMPAIGN, campaignsWithoutHoldout, RUN_DATE, RUN_START, TIME_ZONE } from './support/local-rekindle';
import { reachableOn } from './support/users';

const context = {} as { rekindle: LocalRekindle };

beforeAll(async () => {
  context.rekindle = await LocalRekindle.start({
    clockStart: RUN_START,
    campaigns: campaignsWithoutHoldout,
    bundled: true,
  });
});
afterAll(async () => {
  await context.rekindle?.stop();
});

const BUNDLE = /\/\.rekindle\/bundled\/asset\.[0-9a-f]{64}\/index\.mjs$/;

describe('the functions as cdk synth bundles them (npm start -- --bundled)', () => {
  it('loads every function from its esbuild bundle, with its own environment only', () => {
    // Assert
    const sources = [...context.rekindle.handlerSources.values()];
    expect(sources.length).toBeGreaterThanOrEqual(19);
    for (const source of sources) {
      expect(source).toMatch(BUNDLE);
      expect(existsSync(source)).toBe(true);
    }
    expect(new Set(sources).size).toBe(sources.length);
  });

  it('runs a campaign and takes an app event through the bundles', async () => {
    // Prepare
    const { rekindle } = context;
    await rekindle.importUsers(
      Array.from({ length: 12 }, (_, index) => reachableOn(`user-${index}`, ['push', 'sms', 'email'])),
    );

    // Act
    const result = await rekindle.runCampaign(CAMPAIGN, { runDate: RUN_DATE, timeZone: TIME_ZONE });
    await rekindle.receive({
      type: 'login',
      userId: 'user-3',
      occurredAt: rekindle.clock.now().toISOString(),
    });

    // Assert
    expect(result.status).toBe('SUCCEEDED');
    const summary = result.output as RunSummary;
    const messages = await rekindle.sandboxMessages();
    expect(summary.cohortSize).toBe(12);
    expect(summary.touches[0]?.sent.push).toBe(12);
    expect(messages.filter((message) => message.touch === 1)).toHaveLength(12);
    const user = (await rekindle.users()).find((candidate) => candidate.userId === 'user-3') as {
      lifecycle: { lastLoginAt?: string };
    };
    expect(user.lifecycle.lastLoginAt).toBeDefined();
  });

  it('fails to load a bundle whose function lacks a variable it reads at its cold start, naming it', async () => {
    // Prepare: the send step's bundle, loaded afresh with no table variables, then with its own.
    const [logicalId, source] =
      [...context.rekindle.handlerSources].find(([id]) => id.includes('SendTouch')) ?? [];
    expect(logicalId).toBeDefined();
    const tableVariables = Object.keys(process.env).filter((name) => name.endsWith('_TABLE'));

    // Act (one after the other: each sets the process environment while its bundle loads)
    const withoutTables = await withEnvironment({ unset: tableVariables, set: {} }, () =>
      importHandler(String(source), true),
    ).catch((error: unknown) => error);
    const withThem = await withEnvironment({ unset: [], set: {} }, () => importHandler(String(source), true));

    // Assert
    expect(withoutTables).toBeInstanceOf(Error);
    expect(String(withoutTables)).toMatch(/Missing required environment variable \w+_TABLE/);
    expect(withThem).toBeTypeOf('function');
    expect(tableVariables.every((name) => process.env[name] !== undefined)).toBe(true);
  });
});
