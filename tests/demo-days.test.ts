import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../functions/campaign/run';
import { jsonLines, runDemo } from './support/demo';

/** Adds count records key by key, as the closing block does. */
const sum = (records: Partial<Record<string, number>>[]) => {
  const total: Record<string, number> = {};
  for (const record of records) {
    for (const [key, count] of Object.entries(record)) total[key] = (total[key] ?? 0) + (count ?? 0);
  }
  return total;
};
const counts = (record: Record<string, number>) =>
  `${Object.values(record).reduce((a, b) => a + b, 0)} (${Object.entries(record)
    .filter(([, count]) => count > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, count]) => `${key} ${count}`)
    .join(', ')})`;

describe('npm start -- --days 2', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'rekindle-days-'));
  let result: { code: number; stdout: string; stderr: string };
  let runs: RunSummary[];
  let messages: { userId: string; runId: string; campaignId: string; sentAt: string }[];

  beforeAll(async () => {
    // An operator pauses one campaign for two hours on the first day and stops another's first-day run.
    const events = path.join(import.meta.dirname, 'fixtures', 'events-brakes.jsonl');
    result = await runDemo(
      '--days',
      '2',
      '--seed',
      '3',
      '--date',
      '2026-11-22',
      '--events',
      events,
      '--out',
      out,
    );
    runs = JSON.parse(readFileSync(path.join(out, 'runs.json'), 'utf8'));
    messages = jsonLines(path.join(out, 'messages.jsonl'));
  }, 300_000);

  it("runs every campaign's schedule on both days, and the operator's list launch on the second", () => {
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Rekindle local run · 2000 users · seed 3 · 2 days from 2026-11-22');
    const scheduled = [
      'application-incomplete',
      'credited-no-drawdown-inner-ring',
      'credited-no-drawdown',
      'registered-no-visit',
      'settled-no-reborrow',
    ];
    expect(runs.map((run) => run.runId)).toEqual([
      ...scheduled.map((campaign) => `${campaign}#2026-11-22#America/Mexico_City`),
      ...scheduled.map((campaign) => `${campaign}#2026-11-23#America/Mexico_City`),
      expect.stringMatching(/^registered-no-visit#2026-11-23#America\/Mexico_City#users-/),
    ]);
    for (const run of runs) expect(run.cohortSize).toBeGreaterThan(0);
    // Each run prints its block.
    expect(result.stdout.match(/^\S+ · 2026-11-2[23] · America\/Mexico_City · goal /gm)).toHaveLength(11);
  });

  it("starts the second day's runs at 10:30 local on that day, while the first day's still run", () => {
    const sentAt = (date: string) =>
      messages
        .filter((message) => message.runId.split('#')[1] === date)
        .map((message) => message.sentAt)
        .sort();
    // 10:30 in Mexico City is 16:30Z; the first touch goes out in the next send window, 11:00 local.
    expect(sentAt('2026-11-23')[0]).toBe('2026-11-23T17:00:00.000Z');
    expect(sentAt('2026-11-22')[0]).toBe('2026-11-22T17:00:00.000Z');
    // The first day's runs send after the second day's runs started: they overlap.
    expect(sentAt('2026-11-22').at(-1)?.localeCompare('2026-11-23T16:30:00.000Z')).toBe(1);
  });

  it('closes with a block that sums the runs of runs.json', () => {
    const touches = runs.flatMap((run) => run.touches);
    const enrolled = runs.reduce((total, run) => total + run.cohortSize, 0);
    const holdout = runs.reduce((total, run) => total + run.holdout.size, 0);
    const converted = runs.reduce((total, run) => total + run.totalConverted, 0);
    const closing = result.stdout.slice(result.stdout.indexOf('\nall 2 days'));
    expect(closing).toContain('all 2 days · 2026-11-22 to 2026-11-23 · 11 runs\n');
    expect(closing).toContain(`  enrolled ${enrolled} (${holdout} holdout)\n`);
    expect(closing).toContain(`  sent ${counts(sum(touches.map((touch) => touch.sent)))}\n`);
    expect(closing).toContain(`  skipped ${counts(sum(touches.map((touch) => touch.skipped)))}\n`);
    expect(closing).toContain(`  opted out ${counts(sum(touches.map((touch) => touch.optedOut)))}\n`);
    expect(closing).toContain(`  converted ${converted} of ${enrolled - holdout} messaged`);
    // The consent check still closes the output.
    expect(closing).toMatch(
      /\n\nevents received \d+ · .* messages on a channel after it was turned off: 0\n/,
    );
  });

  it("shows the operator's pause and stop: held time, stopped members, and nothing sent while paused or after the stop", () => {
    const paused = runs.find((run) => run.runId === 'settled-no-reborrow#2026-11-22#America/Mexico_City');
    const stopped = runs.find((run) => run.runId === 'application-incomplete#2026-11-22#America/Mexico_City');
    // Held from the pause at 11:00 local to the first look after the resume at 13:00 local.
    expect(paused?.touches[0]?.heldMinutes).toBeGreaterThanOrEqual(120);
    expect(paused?.touches[0]?.heldMinutes).toBeLessThanOrEqual(125);
    expect(paused?.brakes.holds).toEqual([expect.objectContaining({ touch: 1, ending: 'resumed' })]);
    expect(stopped?.brakes).toMatchObject({
      stoppedAt: '2026-11-23T16:00:00.000Z',
      stoppedBy: 'events-file',
    });
    expect(stopped?.exited.stopped).toBeGreaterThan(0);
    expect(result.stdout).toMatch(/touch 1 .* held 2 h 0\d min by a pause/);
    // The stopped run was never paused: its block says only that it stopped.
    expect(result.stdout).toContain(
      `\n  STOPPED at 2026-11-23T16:00:00.000Z by events-file: ${stopped?.exited.stopped} members ended stopped\n`,
    );
    const first = (campaignId: string) =>
      messages.filter((message) => message.runId === `${campaignId}#2026-11-22#America/Mexico_City`);
    expect(
      first('settled-no-reborrow').filter(
        (message) =>
          message.sentAt >= '2026-11-22T17:00:00.000Z' && message.sentAt < '2026-11-22T19:00:00.000Z',
      ),
    ).toEqual([]);
    expect(
      first('application-incomplete').filter((message) => message.sentAt >= '2026-11-23T16:00:00.000Z'),
    ).toEqual([]);
    expect(result.stdout).toMatch(
      /\n {2}brakes: 1 runs held by a pause for 2 h 0\d min in all · 1 runs stopped, \d+ members ended stopped\n/,
    );
    expect(result.stdout).toMatch(/\nguardrails: \d+ checks · violations: 0 /);
  });

  it('enrolls the inner ring in both credited-no-drawdown campaigns on the same day: the overlap', () => {
    const runOf = (campaignId: string, date: string) => {
      const run = runs.find((candidate) => candidate.runId === `${campaignId}#${date}#America/Mexico_City`);
      if (!run) throw new Error(`no ${campaignId} run on ${date}`);
      return run;
    };
    const rings = new Map(
      jsonLines(path.join(out, 'users.jsonl')).map((user: { userId: string; ring: string }) => [
        user.userId,
        user.ring,
      ]),
    );
    let innerRing = 0;
    for (const date of ['2026-11-22', '2026-11-23']) {
      const sibling = runOf('credited-no-drawdown', date);
      const segment = runOf('credited-no-drawdown-inner-ring', date);
      // The same dormant cohort; the segment keeps the inner ring, the sibling everyone.
      expect(segment.selection.candidates).toBe(sibling.selection.candidates);
      expect(sibling.cohortSize).toBe(sibling.selection.candidates);
      expect(segment.selection.filteredOut).toBeGreaterThan(0);
      innerRing += segment.cohortSize;
    }
    const segmentMessaged = new Set(
      messages
        .filter((message) => message.campaignId === 'credited-no-drawdown-inner-ring')
        .map((message) => message.userId),
    );
    for (const userId of segmentMessaged) expect(rings.get(userId)).toBe('inner');
    const siblingMessaged = messages.filter(
      (message) => message.campaignId === 'credited-no-drawdown' && segmentMessaged.has(message.userId),
    );
    expect(siblingMessaged.length).toBeGreaterThan(0);
    // Every inner-ring enrollee is also in the sibling's run of that day.
    const overlap = /overlap: (\d+) users enrolled in more than one run · (\d+) of them messaged/.exec(
      result.stdout,
    );
    expect(Number(overlap?.[1])).toBeGreaterThanOrEqual(innerRing);
    // The frequency caps: nobody messaged by two campaigns on one local day of theirs.
    expect(overlap?.[2]).toBe('0');
  });
});

describe('npm start -- --days', () => {
  it.each(['0', 'two'])('refuses %s as a usage error, running nothing', async (days) => {
    // Act
    const result = await runDemo('--days', days);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`--days must be a positive whole number, not "${days}"`);
    expect(result.stdout).not.toContain('Rekindle local run');
  });
});
