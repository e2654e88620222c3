import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DateTime } from 'luxon';
import type { EnrollmentBatch } from '../functions/campaign/enrollment';
import { localDateOf } from '../functions/campaign/send-window';
import { campaignDefinitions, validateCampaign } from '../statemachines/campaigns';
import { checkConsentHonoured, touchedBy } from './consent-check';
import { parseDemoArgs, UsageError } from './demo-args';
import { checkGuardrails, formatGuardrailCheck } from './guardrail-check';
import { type InboundEvent, parseEventsFile } from './inbound-events';
import { arrivalsAfter, generatePopulation } from './population';
import { importPopulationFile, populationLineError, readImportReport } from './population-import';
import { formatDeliveries, SimulatedProviders } from './provider-events';
import { formatProviders } from './provider-rates';
import { randomStream } from './random';
import {
  formatConsentCheck,
  formatDays,
  formatFunnelByChannel,
  formatRun,
  formatVariantComparisons,
} from './report';
import { LocalRekindle } from './runtime';
import { dailyRuns, firstRunStart, runDatesFrom } from './schedule';
import { UserSimulator, uninstalledApps } from './user-simulator';

const DEFAULT_POPULATION_SIZE = 2000;
/**
 * From the second day on, an operator launches one campaign by hand for a list of users (the console's
 * `userIds` input) at this local time: a source of overlap with the scheduled runs.
 */
const OPERATOR_LAUNCH = { campaignId: 'registered-no-visit', listSize: 20, at: { hour: 13, minute: 0 } };

/**
 * The operator's one-off launch on the second day, if there is one: a list drawn (seeded) from the users,
 * so some of them are already in a scheduled run, as happens when a list comes from outside Rekindle.
 */
const operatorLaunch = (
  users: readonly { userId: string }[],
  seed: number,
  runDates: readonly string[],
  timeZone: string,
) => {
  const date = runDates[1];
  if (date === undefined) return [];
  const random = randomStream(seed, 'operator-list');
  const pool = users.map((user) => user.userId);
  const userIds = Array.from({ length: Math.min(OPERATOR_LAUNCH.listSize, pool.length) }, () =>
    pool.splice(random.integer(0, pool.length - 1), 1),
  )
    .flat()
    .sort();
  return [
    {
      campaignId: OPERATOR_LAUNCH.campaignId,
      input: { runDate: date, timeZone, userIds },
      startAt: DateTime.fromISO(date, { zone: timeZone }).set(OPERATOR_LAUNCH.at).toJSDate(),
    },
  ];
};

const jsonLines = (items: readonly unknown[]) => items.map((item) => `${JSON.stringify(item)}\n`).join('');

const main = async () => {
  const values = parseDemoArgs(process.argv.slice(2));
  const { days, seed } = values;

  // Check the events file before anything starts: a bad line means nothing runs.
  const campaigns = campaignDefinitions.map(validateCampaign);
  const scripted = values.events
    ? parseEventsFile(
        readFileSync(values.events, 'utf8'),
        campaigns.map((campaign) => campaign.id),
      )
    : [];
  const firstZone = campaigns[0]?.timeZones[0] ?? 'UTC';
  const runDate = values.date ?? localDateOf(new Date(), firstZone);

  const runDates = runDatesFrom(runDate, days, firstZone);
  const clockStart = firstRunStart(runDate, firstZone);
  const rekindle = await LocalRekindle.start({ clockStart, bundled: values.bundled });
  try {
    // A population file comes in through the user import, as on AWS; a bad line means no campaign runs,
    // and every bad line is shown. The synthetic population is seeded directly: through the import's
    // per-user conditional writes it would take some 14 s of DynamoDB Local instead of 1.
    let userCount: number;
    let arriving: InboundEvent[] = [];
    if (values.population) {
      const imported = await importPopulationFile(rekindle, values.population);
      if (imported.badLines > 0) {
        for (const bad of await readImportReport(imported)) {
          const error = populationLineError(bad);
          console.error(`${error.name}: ${error.message}`);
        }
        process.exitCode = 1;
        return;
      }
      userCount = imported.goodLines;
    } else {
      const population = generatePopulation({
        seed,
        runDate,
        days,
        timeZone: firstZone,
        size: DEFAULT_POPULATION_SIZE,
      });
      // Those who sign up during the days arrive then, through the app-events bus.
      const split = arrivalsAfter(population, clockStart);
      await rekindle.importUsers(split.seeded);
      arriving = split.arriving;
      userCount = population.length;
    }
    const dates = days === 1 ? `run date ${runDate}` : `${days} days from ${runDate}`;
    const code = values.bundled ? ' · the functions from their esbuild bundles' : '';
    console.log(`Rekindle local run · ${userCount} users · seed ${seed} · ${dates}${code}\n`);
    const users = (await rekindle.users()) as { userId: string; push: { token: string } | null }[];
    rekindle.script([...uninstalledApps(users, seed, clockStart), ...arriving, ...scripted]);
    // Every campaign's run of every day, in every time zone, started at 10:30 local of its day on one
    // virtual timeline: a day's runs start while earlier days' runs still wait for their next touch.
    const scheduled = dailyRuns(runDates, campaigns, (date, timeZone) => ({ runDate: date, timeZone }));
    const launched = operatorLaunch(users, seed, runDates, firstZone);
    const runs = await rekindle.runCampaigns([...scheduled, ...launched], {
      // The sandbox providers report each email and SMS delivered or not; people react to what reached them.
      simulator: new SimulatedProviders(seed, new UserSimulator(seed)),
    });
    await rekindle.drainScriptedEvents();
    for (const result of runs) console.log(`${formatRun(result)}\n`);
    const messages = await rekindle.sandboxMessages();
    const callTasks = await rekindle.callTasks();
    const consentChanges = await rekindle.consentChanges();
    const touched = touchedBy(messages, callTasks);
    const finalUsers = await rekindle.users();
    const timeZones = new Map(finalUsers.map((user) => [String(user.userId), String(user.timeZone)]));
    const enrollments = (await rekindle.scanTable('Enrollments')) as unknown as EnrollmentBatch[];
    console.log(
      `${formatDays(runs, {
        enrollments,
        touched,
        timeZoneOf: (userId) => timeZones.get(userId) ?? firstZone,
      })}\n`,
    );
    const consent = checkConsentHonoured(touched, consentChanges);
    console.log(formatConsentCheck(consent, rekindle.feed.received.length));
    if (consent.violations.length > 0) process.exitCode = 1;
    // Every rule, recomputed from the records apart from the code that enforced it.
    const guardrails = checkGuardrails(await rekindle.guardrailRecords(), rekindle.guardrailConfig());
    console.log(formatGuardrailCheck(guardrails));
    for (const { rule, contact, detail } of guardrails.violations.slice(0, 20)) {
      console.log(
        `  VIOLATION ${rule}: ${contact.channel} to ${contact.userId} at ${contact.sentAt} (${contact.runId}): ${detail}`,
      );
    }
    if (guardrails.violations.length > 0) process.exitCode = 1;
    console.log(formatProviders(rekindle.guardrailConfig().sendRates, rekindle.providerLimits));
    const deliveries = (await rekindle.scanTable('Deliveries')).sort((a, b) =>
      String(a.messageId).localeCompare(String(b.messageId)),
    );
    console.log(formatDeliveries(deliveries));
    const funnels = await rekindle.funnels();
    console.log(formatFunnelByChannel(funnels.flatMap((funnel) => funnel.rows)));
    for (const line of formatVariantComparisons(funnels)) console.log(line);
    if (values.out) {
      mkdirSync(values.out, { recursive: true });
      writeFileSync(path.join(values.out, 'messages.jsonl'), jsonLines(messages));
      writeFileSync(path.join(values.out, 'call-tasks.jsonl'), jsonLines(callTasks));
      writeFileSync(path.join(values.out, 'events.jsonl'), jsonLines(rekindle.feed.received));
      writeFileSync(path.join(values.out, 'users.jsonl'), jsonLines(finalUsers));
      writeFileSync(path.join(values.out, 'consent-changes.jsonl'), jsonLines(consentChanges));
      writeFileSync(path.join(values.out, 'deliveries.jsonl'), jsonLines(deliveries));
      writeFileSync(path.join(values.out, 'funnel.json'), `${JSON.stringify(funnels, null, 2)}\n`);
      const summaries = runs.map(
        (result) => result.output ?? { campaignId: result.campaignId, error: result.error },
      );
      writeFileSync(path.join(values.out, 'runs.json'), `${JSON.stringify(summaries, null, 2)}\n`);
      // The weekly review's page for the runs just played, as `npm run report -- --out DIR` writes it.
      const { runsForReport, writeLocalReport } = await import('../report/cli');
      writeLocalReport(values.out, runsForReport(summaries, funnels));
      console.log(
        `Wrote ${messages.length} sandbox messages, ${callTasks.length} call tasks, ${runs.length} run summaries, ` +
          `${rekindle.feed.received.length} events, ${finalUsers.length} users, ${consentChanges.length} consent changes` +
          ` and ${deliveries.length} delivery records to ${values.out}`,
      );
    }
    if (runs.some((result) => result.status === 'FAILED')) process.exitCode = 1;
  } finally {
    await rekindle.stop();
  }
};

main().catch((error: unknown) => {
  // A usage error says what to fix, as the report and ops commands print theirs.
  const message =
    error instanceof UsageError
      ? error.message
      : error instanceof Error
        ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`
        : String(error);
  console.error(message);
  process.exitCode = 1;
});
