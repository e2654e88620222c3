import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dormancyIndexEntryFor } from '../functions/users/dormancy';
import { arrivalsAfter, generatePopulation } from '../local/population';
import { importPopulationFile, populationLineError, readImportReport } from '../local/population-import';
import { runDemo } from './support/demo';
import { useLocalRekindle } from './support/local-rekindle';

const local = useLocalRekindle();
const fixture = (name: string) => path.join(import.meta.dirname, 'fixtures', name);
const validLine = readFileSync(fixture('population-small.jsonl'), 'utf8').split('\n')[0] ?? '';

const populationFile = (text: string) => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'rekindle-population-')), 'population.jsonl');
  writeFileSync(file, text);
  return file;
};

describe('a population file, through the user import', () => {
  it('imports users as JSON Lines, every field stated as of the virtual clock', async () => {
    // Act
    const summary = await importPopulationFile(local.rekindle, fixture('population-small.jsonl'));

    // Assess
    expect(summary).toMatchObject({ linesRead: 3, goodLines: 3, badLines: 0 });
    const users = (await local.rekindle.scanTable('Users')).sort((a, b) =>
      String(a.userId).localeCompare(String(b.userId)),
    );
    expect(users.map((user) => user.userId)).toEqual(['u-001', 'u-002', 'u-003']);
    expect(users[1]).toMatchObject({ push: null, contact: { phone: '+525511110002' }, tags: [] });
    expect(users[1]?.asOf).toMatchObject({ locale: local.rekindle.clock.now().toISOString() });
  });

  it.each([
    [
      'a malformed phone',
      validLine.replace('+525511110001', '5511110001'),
      'Population line 2: field contact.phone: must be an E.164',
    ],
    [
      'a missing time zone',
      validLine.replace('"timeZone":"America/Mexico_City",', ''),
      'Population line 2: field timeZone:',
    ],
    [
      'an unknown time zone',
      validLine.replace('America/Mexico_City', 'Mexico/Nowhere'),
      'Population line 2: field timeZone: must be an IANA',
    ],
    ['an unknown field', validLine.replace('"tags"', '"tag"'), 'Population line 2: field tag: unknown field'],
    ['broken JSON', validLine.slice(0, 40), 'Population line 2: not valid JSON'],
    ['a repeated user id', validLine, 'Population line 2: field userId: u-001 appears twice'],
  ])('names the line and field of %s', async (_case, secondLine, message) => {
    // Act
    const summary = await importPopulationFile(
      local.rekindle,
      populationFile(`${validLine}\n${secondLine}\n`),
    );

    // Assess
    const [bad, ...more] = await readImportReport(summary);
    expect(more).toEqual([]);
    expect(bad && populationLineError(bad).message).toContain(message);
  });

  it('generates the same synthetic population for the same seed, and another for another seed', () => {
    const options = { runDate: '2026-11-22', timeZone: 'America/Mexico_City', size: 50 };
    expect(generatePopulation({ ...options, seed: 1 })).toEqual(generatePopulation({ ...options, seed: 1 }));
    expect(generatePopulation({ ...options, seed: 1 })).not.toEqual(
      generatePopulation({ ...options, seed: 2 }),
    );
  });

  it('spreads the dormant cohorts over the days, and lets later sign-ups arrive as profile events', () => {
    // Act
    const population = generatePopulation({
      seed: 4,
      runDate: '2026-11-22',
      days: 5,
      timeZone: 'America/Mexico_City',
      size: 1000,
    });
    const { seeded, arriving } = arrivalsAfter(population, new Date('2026-11-22T16:30:00Z'));

    // Assess: each of the 5 days holds a cohort of every model, and no day after them does.
    const dormantFrom = population
      .filter((user) => user.timeZone === 'America/Mexico_City')
      .map((user) => dormancyIndexEntryFor(user))
      .filter((entry) => entry !== undefined);
    for (const day of ['2026-11-22', '2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26']) {
      const models = new Set(
        dormantFrom
          .filter((entry) => entry.dormantFrom === day)
          .map((entry) => entry.dormancyKey.replace(/#\d+$/, '')),
      );
      expect(models.size).toBe(4);
    }
    expect(dormantFrom.filter((entry) => entry.dormantFrom > '2026-11-26')).toEqual([]);
    // Registered-no-visit users dormant from the 26th register on the 23rd: after the seeding moment.
    expect(arriving.length).toBeGreaterThan(0);
    expect(seeded.length + arriving.length).toBe(1000);
    for (const event of arriving) {
      expect(event).toMatchObject({ type: 'profile', lifecycle: { registeredAt: event.occurredAt } });
      expect(event.occurredAt > '2026-11-22T16:30:00Z').toBe(true);
    }
    expect(
      generatePopulation({ seed: 4, runDate: '2026-11-22', timeZone: 'America/Mexico_City', size: 50 }),
    ).toEqual(
      generatePopulation({
        seed: 4,
        runDate: '2026-11-22',
        days: 1,
        timeZone: 'America/Mexico_City',
        size: 50,
      }),
    );
  });
});

describe('npm start', () => {
  it('reports every malformed population line with its number and field, and runs nothing', async () => {
    // Prepare: the fixture's line 3 has a bad phone; add a line with an unknown field after it.
    const file = populationFile(
      `${readFileSync(fixture('population-bad-phone.jsonl'), 'utf8')}${validLine.replace('"ring"', '"rings"')}\n`,
    );

    // Act
    const result = await runDemo('--population', file);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringContaining(
        'PopulationLineInvalid: Population line 3: field contact.phone: must be an E.164',
      ),
      'PopulationLineInvalid: Population line 4: field rings: unknown field',
    ]);
    expect(result.stdout).not.toContain('Rekindle local run');
  });

  it('runs a population file and writes messages.jsonl and runs.json', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'rekindle-demo-'));
    const result = await runDemo(
      '--population',
      fixture('population-small.jsonl'),
      '--date',
      '2026-11-22',
      '--seed',
      '5',
      '--out',
      out,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Rekindle local run · 3 users');
    expect(result.stdout).toContain('cohort: 2 enrolled');
    const messages = readFileSync(path.join(out, 'messages.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(messages.map((message) => `${message.userId}:${message.channel}`).sort()).toEqual(
      expect.arrayContaining(['u-001:push', 'u-002:sms']),
    );
    const summaries: { campaignId: string }[] = JSON.parse(readFileSync(path.join(out, 'runs.json'), 'utf8'));
    expect(summaries.map((summary) => summary.campaignId)).toEqual([
      'application-incomplete',
      'credited-no-drawdown-inner-ring',
      'credited-no-drawdown',
      'registered-no-visit',
      'settled-no-reborrow',
    ]);
    expect(summaries[3]).toMatchObject({ runDate: '2026-11-22', cohortSize: 2 });
    const callTasks = readFileSync(path.join(out, 'call-tasks.jsonl'), 'utf8').trim().split('\n');
    expect(callTasks.map((line) => JSON.parse(line).userId)).toContain('u-002');
  });
});
