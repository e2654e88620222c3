import type { CampaignInput } from '../functions/campaign/definition';
import type { EnrollmentBatch } from '../functions/campaign/enrollment';
import type { User } from '../functions/users/user';
import { campaignDefinitions, validateCampaign } from '../statemachines/campaigns';
import { type ChaosCheck, checkChaos } from './chaos-checks';
import { checkConsentHonoured, touchedBy } from './consent-check';
import { type FaultPlan, type FaultRates, type FaultTally, faultKinds } from './faults';
import { checkGuardrails } from './guardrail-check';
import { arrivalsAfter, generatePopulation } from './population';
import { SimulatedProviders } from './provider-events';
import { randomStream } from './random';
import { LocalRekindle, type RunResult } from './runtime';
import { dailyRuns, firstRunStart, runDatesFrom } from './schedule';
import { UserSimulator, uninstalledApps } from './user-simulator';

/**
 * The chance of each fault where it can happen: per invocation of a function, per DynamoDB call, per send.
 * Tuned so that two days of four campaigns for 1,000 people take a few hundred faults.
 */
export const defaultFaultRates: FaultRates = {
  'lambda-throttle': 0.03,
  'crash-on-start': 0.03,
  'crash-after-handler': 0.03,
  'lambda-timeout': 0.03,
  'dynamodb-throttle': 0.004,
  'dynamodb-error': 0.004,
  'crash-before-send': 0.003,
  'crash-after-provider': 0.003,
  'provider-throttle': 0.01,
  'provider-5xx': 0.01,
  'provider-timeout': 0.003,
};

export interface ChaosOptions {
  seed: number;
  /** The first run date (the first campaign's first time zone). */
  runDate: string;
  days: number;
  users: number;
  rates?: FaultRates;
  /** One schedule in this many fires a second time (default 3; 0: none). */
  duplicateEvery?: number;
  /** Send steps down for this long from the first send: the runs sending then fail, and are redriven. */
  outageMinutes?: number;
  campaigns?: CampaignInput[];
  /** Whether simulated agents work the call tasks (off: they expire; fewer moving parts, a faster run). */
  callCenter?: boolean;
  /** Run the functions' esbuild bundles, as `cdk synth` builds them. */
  bundled?: boolean;
  /** Whether simulated people (and providers' delivery reports) answer the messages (default yes). */
  simulatedPeople?: boolean;
  /** The people, instead of the synthetic population of `npm start` (`users` is then ignored). */
  population?: User[];
}

export interface ChaosReport {
  faults: FaultTally;
  check: ChaosCheck;
  results: RunResult[];
  /** Events whose function failed every attempt, redriven from the dead-letter queue; and any left there. */
  deadLettered: number;
  deadLettersLeft: number;
  /** Runs redriven after they failed, and how many of those then closed with their summary. */
  redriven: { runs: number; succeeded: number };
  wallSeconds: number;
  /** This process's peak resident memory; DynamoDB Local's JVM apart. */
  peakRssMegabytes: number;
  dynamoDbPeakMegabytes: number | undefined;
  users: number;
}

/**
 * A multi-day, multi-campaign local run under a seeded fault plan, and every check of `checkChaos` made on what
 * it left. Runs that fail after their retries (the outage) are redriven an hour later on the same timeline.
 */
export const runChaos = async (options: ChaosOptions): Promise<ChaosReport> => {
  const started = performance.now();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 250);
  const campaigns = (options.campaigns ?? campaignDefinitions).map(validateCampaign);
  const firstZone = campaigns[0]?.timeZones[0] ?? 'UTC';
  const clockStart = firstRunStart(options.runDate, firstZone);
  const runDates = runDatesFrom(options.runDate, options.days, firstZone);
  const plan: FaultPlan = {
    seed: options.seed,
    rates: options.rates ?? defaultFaultRates,
    outages: options.outageMinutes ? [{ handler: 'send-touch', minutes: options.outageMinutes }] : [],
  };
  const rekindle = await LocalRekindle.start({
    clockStart,
    campaigns,
    faults: plan,
    bundled: options.bundled,
  });
  try {
    const population =
      options.population ??
      generatePopulation({
        seed: options.seed,
        runDate: options.runDate,
        days: options.days,
        timeZone: firstZone,
        size: options.users,
      });
    const split = arrivalsAfter(population, clockStart);
    await rekindle.importUsers(split.seeded);
    const users = (await rekindle.users()) as { userId: string; push: { token: string } | null }[];
    rekindle.script([...uninstalledApps(users, options.seed, clockStart), ...split.arriving]);

    // Every third schedule (from a seeded start) fires twice, 90 s apart, as EventBridge Scheduler may.
    const offset = randomStream(options.seed, 'scheduler-duplicates').integer(0, 2);
    const duplicateEvery = options.duplicateEvery ?? 3;
    // The scheduler's input: the zone only; the run date is the day it fires.
    const scheduled = dailyRuns(runDates, campaigns, (_, timeZone) => ({ timeZone }));
    const duplicates =
      duplicateEvery > 0 ? scheduled.filter((_, index) => (index + offset) % duplicateEvery === 0) : [];
    for (const _ of duplicates) rekindle.faults?.count('scheduler-duplicate');
    const fired = [
      ...scheduled,
      ...duplicates.map((run) => ({ ...run, startAt: new Date(run.startAt.getTime() + 90_000) })),
    ];
    const results = await rekindle.runCampaigns(fired, {
      simulator:
        options.simulatedPeople === false
          ? undefined
          : new SimulatedProviders(
              options.seed,
              new UserSimulator(options.seed, {}, undefined, undefined, options.callCenter ?? true),
            ),
      redrive: { afterMinutes: 60, attempts: 2 },
    });
    await rekindle.drainScriptedEvents();
    // The operator redrives the dead-letter queues, as the runbook says, until they stay empty.
    let deadLettered = 0;
    for (let pass = 0; pass < 5 && rekindle.deadLetters.length > 0; pass += 1) {
      deadLettered += await rekindle.redriveDeadLetters();
    }

    const messages = await rekindle.sandboxMessages();
    const callTasks = await rekindle.callTasks();
    const guardrails = checkGuardrails(await rekindle.guardrailRecords(), rekindle.guardrailConfig());
    const consent = checkConsentHonoured(touchedBy(messages, callTasks), await rekindle.consentChanges());
    // Read as the send step reads them (imported once the runtime has set the tables' names).
    const { decodeTouchChunk } = await import('../functions/data/touches');
    const runsTable = await rekindle.scanTable('Runs');
    const check = checkChaos({
      results,
      runRecords: runsTable.filter((item) => item.record === 'run') as never,
      enrollments: (await rekindle.scanTable('Enrollments')) as unknown as EnrollmentBatch[],
      touchChunks: (await rekindle.scanTable('Touches')).map(decodeTouchChunk),
      messages,
      callTasks,
      acceptances: rekindle.faults?.acceptances ?? new Map(),
      guardrailViolations: guardrails.violations.length + consent.violations.length,
    });
    const redriven = results.filter((result) => (result.redrives ?? 0) > 0);
    return {
      faults: rekindle.faults?.tally ?? {
        byKind: {} as never,
        chances: {},
        dynamoDbByCall: {},
        byFunction: {},
        inMapChildren: 0,
        total: 0,
      },
      check,
      results,
      deadLettered,
      deadLettersLeft: rekindle.deadLetters.length,
      redriven: {
        runs: redriven.length,
        succeeded: redriven.filter((result) => result.status === 'SUCCEEDED').length,
      },
      wallSeconds: (performance.now() - started) / 1000,
      peakRssMegabytes: Math.round(peakRss / 2 ** 20),
      dynamoDbPeakMegabytes: rekindle.dynamoDbPeakMegabytes(),
      users: population.length,
    };
  } finally {
    clearInterval(sampler);
    await rekindle.stop();
  }
};

const listed = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, count]) => `${name} ${count}`)
    .join(', ') || 'none';

/** The report in words, then its last line: one JSON object with the counts. */
export const formatChaos = (report: ChaosReport): string[] => {
  const { faults, check } = report;
  const lines = [
    `Faults injected: ${faults.total} (${faults.inMapChildren} inside Distributed Map children)`,
    ...faultKinds
      .filter((kind) => faults.byKind[kind] > 0)
      .map((kind) => {
        const chances = faults.chances[kind];
        return `  ${kind.padEnd(22)} ${String(faults.byKind[kind]).padStart(4)}${chances ? ` of ${chances} chances` : ''}`;
      }),
    `  DynamoDB faults by call: ${listed(faults.dynamoDbByCall)}`,
    `  function faults by function: ${listed(faults.byFunction)}`,
    `Runs: ${report.results.length} executions; ${report.redriven.runs} redriven after failing, ${report.redriven.succeeded} of them then closed`,
    `Events dead-lettered after every attempt failed: ${report.deadLettered}, redriven from the queue (${report.deadLettersLeft} left)`,
    'Checks, from the records:',
    `  duplicate sends per (run, touch, user)      ${check.duplicateSends}   (${check.checked.sends} recorded sends)`,
    `  sends breaking a guardrail or consent       ${check.guardrailViolations}`,
    `  members without a terminal state and reason ${check.membersWithoutTerminalState}   (${check.checked.members} enrolled)`,
    `  runs unaccounted                            ${check.runsUnaccounted}   (${check.runsFailedRedrivable} failed and redrivable)`,
    `  summaries disagreeing with the records      ${check.summaryMismatches}   (${check.checked.touches} touches)`,
    `  sends in doubt (a crash between the provider and the record; never sent again) ${check.sendsInDoubt}`,
    ...check.problems.map((problem) => `  PROBLEM ${problem}`),
    ...report.results
      .filter((result) => result.status === 'FAILED' && result.error?.name !== 'RunAlreadyStarted')
      .map(
        (result) =>
          `  FAILED ${result.campaignId} at ${result.failedState?.name}: ${result.error?.name}: ${result.error?.message}`,
      ),
    `${report.users} people · wall time ${report.wallSeconds.toFixed(1)} s · peak memory ${report.peakRssMegabytes} MiB in this process` +
      (report.dynamoDbPeakMegabytes ? `, ${report.dynamoDbPeakMegabytes} MiB in DynamoDB Local's JVM` : ''),
  ];
  lines.push(
    JSON.stringify({
      faults: faults.total,
      faultsByKind: faults.byKind,
      duplicateSends: check.duplicateSends,
      guardrailViolations: check.guardrailViolations,
      membersWithoutTerminalState: check.membersWithoutTerminalState,
      runsUnaccounted: check.runsUnaccounted,
      runsFailedRedrivable: check.runsFailedRedrivable,
      runsRedriven: report.redriven.runs,
      eventsDeadLettered: report.deadLettered,
      deadLettersLeft: report.deadLettersLeft,
      summaryMismatches: check.summaryMismatches,
      sendsInDoubt: check.sendsInDoubt,
      wallSeconds: Number(report.wallSeconds.toFixed(1)),
      peakRssMegabytes: report.peakRssMegabytes,
      dynamoDbPeakMegabytes: report.dynamoDbPeakMegabytes,
      users: report.users,
    }),
  );
  return lines;
};

/** Whether every check held. */
export const chaosHeld = (report: ChaosReport): boolean => {
  const { check } = report;
  return (
    check.duplicateSends === 0 &&
    check.guardrailViolations === 0 &&
    check.membersWithoutTerminalState === 0 &&
    check.runsUnaccounted === 0 &&
    check.summaryMismatches === 0 &&
    // The chaos run redrives what failed: a run still failed after that is a failure of the check.
    check.runsFailedRedrivable === 0 &&
    report.deadLettersLeft === 0
  );
};
