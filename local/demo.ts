import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import { localDateOf } from '../functions/campaign/send-window';
import { localDate } from '../functions/shared/schemas';
import { campaignDefinitions, validateCampaign } from '../statemachines/campaigns';
import { checkConsentHonoured } from './consent-check';
import { parseEventsFile } from './inbound-events';
import { generatePopulation } from './population';
import { importPopulationFile, populationLineError, readImportReport } from './population-import';
import { formatConsentCheck, formatRun } from './report';
import { LocalRekindle } from './runtime';
import { UserSimulator, uninstalledApps } from './user-simulator';

const DEFAULT_POPULATION_SIZE = 2000;
/** The local time at which the scheduler starts a day's run. */
const RUN_START = { hour: 10, minute: 30 };

class UsageError extends Error {}

const jsonLines = (items: readonly unknown[]) => items.map((item) => `${JSON.stringify(item)}\n`).join('');

const main = async () => {
  const { values } = parseArgs({
    options: {
      population: { type: 'string' },
      seed: { type: 'string', default: '42' },
      date: { type: 'string' },
      out: { type: 'string' },
      events: { type: 'string' },
    },
  });
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be a whole number, not "${values.seed}"`);
  if (values.date !== undefined && !localDate.safeParse(values.date).success) {
    throw new UsageError(`--date must be a real date as YYYY-MM-DD, not "${values.date}"`);
  }

  // Check the events file before anything starts: a bad line means nothing runs.
  const scripted = values.events ? parseEventsFile(readFileSync(values.events, 'utf8')) : [];
  const campaigns = campaignDefinitions.map(validateCampaign);
  const firstZone = campaigns[0]?.timeZones[0] ?? 'UTC';
  const runDate = values.date ?? localDateOf(new Date(), firstZone);

  const clockStart = DateTime.fromISO(runDate, { zone: firstZone }).set(RUN_START).toJSDate();
  const rekindle = await LocalRekindle.start({ clockStart });
  try {
    // A population file comes in through the user import, as on AWS; a bad line means no campaign runs,
    // and every bad line is shown. The synthetic population is seeded directly: through the import's
    // per-user conditional writes it would take some 14 s of DynamoDB Local instead of 1.
    let userCount: number;
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
        timeZone: firstZone,
        size: DEFAULT_POPULATION_SIZE,
      });
      await rekindle.importUsers(population);
      userCount = population.length;
    }
    console.log(`Rekindle local run · ${userCount} users · seed ${seed} · run date ${runDate}\n`);
    const users = (await rekindle.users()) as { userId: string; push: { token: string } | null }[];
    rekindle.script([...uninstalledApps(users, seed, clockStart), ...scripted]);
    // Every campaign's run of the day, in every time zone, side by side on one virtual timeline.
    const runs = await rekindle.runCampaigns(
      campaigns.flatMap((campaign) =>
        campaign.timeZones.map((timeZone) => ({ campaignId: campaign.id, input: { runDate, timeZone } })),
      ),
      { simulator: new UserSimulator(seed) },
    );
    await rekindle.drainScriptedEvents();
    for (const result of runs) console.log(`${formatRun(result)}\n`);
    const messages = await rekindle.sandboxMessages();
    const callTasks = await rekindle.callTasks();
    const consentChanges = await rekindle.consentChanges();
    const touched = [
      ...messages,
      ...callTasks.map((task) => ({ userId: task.userId, channel: 'call' as const, sentAt: task.createdAt })),
    ];
    const consent = checkConsentHonoured(touched, consentChanges);
    console.log(formatConsentCheck(consent, rekindle.feed.received.length));
    if (consent.violations.length > 0) process.exitCode = 1;
    if (values.out) {
      mkdirSync(values.out, { recursive: true });
      writeFileSync(path.join(values.out, 'messages.jsonl'), jsonLines(messages));
      writeFileSync(path.join(values.out, 'call-tasks.jsonl'), jsonLines(callTasks));
      writeFileSync(path.join(values.out, 'events.jsonl'), jsonLines(rekindle.feed.received));
      const finalUsers = await rekindle.users();
      writeFileSync(path.join(values.out, 'users.jsonl'), jsonLines(finalUsers));
      writeFileSync(path.join(values.out, 'consent-changes.jsonl'), jsonLines(consentChanges));
      const summaries = runs.map(
        (result) => result.output ?? { campaignId: result.campaignId, error: result.error },
      );
      writeFileSync(path.join(values.out, 'runs.json'), `${JSON.stringify(summaries, null, 2)}\n`);
      console.log(
        `Wrote ${messages.length} sandbox messages, ${callTasks.length} call tasks, ${runs.length} run summaries, ` +
          `${rekindle.feed.received.length} events, ${finalUsers.length} users and ${consentChanges.length} consent changes to ${values.out}`,
      );
    }
    if (runs.some((result) => result.status === 'FAILED')) process.exitCode = 1;
  } finally {
    await rekindle.stop();
  }
};

main().catch((error: unknown) => {
  const message =
    error instanceof Error
      ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`
      : String(error);
  console.error(message);
  process.exitCode = 1;
});
