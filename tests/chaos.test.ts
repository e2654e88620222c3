import { describe, expect, it } from 'vitest';
import { chaosHeld, formatChaos, runChaos } from '../local/chaos';
import { faultKinds } from '../local/faults';

/** Rates high enough that a one-day world of 250 people meets every kind of fault several times. */
const rates = {
  'lambda-throttle': 0.05,
  'crash-on-start': 0.05,
  'crash-after-handler': 0.05,
  'lambda-timeout': 0.06,
  'dynamodb-throttle': 0.006,
  'dynamodb-error': 0.006,
  'crash-before-send': 0.04,
  'crash-after-provider': 0.04,
  'provider-throttle': 0.06,
  'provider-5xx': 0.05,
  'provider-timeout': 0.06,
};

describe('npm run chaos, small: a day of every campaign under every kind of fault', () => {
  it('sends nothing twice, breaks no guardrail, ends every member, accounts for every run, and agrees with its records', async () => {
    // Act
    const report = await runChaos({
      seed: 5,
      runDate: '2026-12-07',
      days: 1,
      users: 250,
      rates,
      outageMinutes: 30,
      duplicateEvery: 2,
    });

    // Assert
    const lines = formatChaos(report);
    for (const kind of faultKinds) expect(report.faults.byKind[kind], kind).toBeGreaterThan(0);
    expect(report.faults.inMapChildren).toBeGreaterThan(0);
    expect(report.faults.total).toBeGreaterThanOrEqual(100);
    expect(report.check).toMatchObject({
      duplicateSends: 0,
      guardrailViolations: 0,
      membersWithoutTerminalState: 0,
      runsUnaccounted: 0,
      summaryMismatches: 0,
      problems: [],
    });
    expect(report.check.checked.sends).toBeGreaterThan(100);
    expect(report.check.checked.members).toBeGreaterThan(100);
    expect(report.deadLettersLeft).toBe(0);
    // The outage failed the runs sending then, and each closed after its redrive.
    expect(report.redriven.runs).toBeGreaterThan(0);
    expect(report.redriven.succeeded).toBe(report.redriven.runs);
    // Each second fire of a schedule was refused before it wrote anything; each first one closed.
    const refused = report.results.filter((result) => result.error?.name === 'RunAlreadyStarted');
    expect(refused).toHaveLength(report.faults.byKind['scheduler-duplicate']);
    expect(report.results.filter((result) => result.status === 'SUCCEEDED')).toHaveLength(
      report.results.length - refused.length,
    );
    expect(chaosHeld(report)).toBe(true);
    // The last line is the JSON the issue asks for.
    expect(JSON.parse(lines.at(-1) ?? '')).toMatchObject({
      faults: report.faults.total,
      duplicateSends: 0,
      guardrailViolations: 0,
      membersWithoutTerminalState: 0,
      runsUnaccounted: 0,
    });
  });
});
