import { localDate } from '../functions/shared/schemas';
import { parseCommandLine } from '../ops/command-line';
import { chaosHeld, formatChaos, runChaos } from './chaos';

/** A command line `npm run chaos` cannot act on: nothing starts. */
class ChaosUsageError extends Error {
  override name = 'ChaosUsageError';
}

/**
 * `npm run chaos`: two days of every campaign for 1,000 people under a few hundred injected faults, then
 * every check. Exits 1 when a check fails or fewer than --min-faults faults were injected.
 */
const main = async () => {
  const { values } = parseCommandLine(
    {
      options: {
        seed: { type: 'string', default: '11' },
        days: { type: 'string', default: '2' },
        users: { type: 'string', default: '1000' },
        date: { type: 'string', default: '2026-12-07' },
        'outage-minutes': { type: 'string', default: '30' },
        'min-faults': { type: 'string', default: '200' },
        bundled: { type: 'boolean', default: false },
        load: { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
        'per-campaign': { type: 'string', default: '50000' },
      },
    },
    ChaosUsageError,
  );
  const whole = (name: 'seed' | 'days' | 'users' | 'outage-minutes' | 'min-faults' | 'per-campaign') => {
    const value = values[name];
    if (!/^\d+$/.test(value)) throw new ChaosUsageError(`--${name} must be a whole number, not "${value}"`);
    return Number(value);
  };
  if (!localDate.safeParse(values.date).success) {
    throw new ChaosUsageError(`--date must be a real date as YYYY-MM-DD, not "${values.date}"`);
  }
  if (values.load) {
    // The load run: two campaigns in three zones, --per-campaign people each, every check, no faults.
    const { runLoad } = await import('./load');
    const report = await runLoad({
      seed: whole('seed'),
      runDate: values.date,
      perCampaign: Math.max(1, whole('per-campaign')),
      bundled: values.bundled,
      // --quiet: nobody answers (no clicks, conversions, replies or delivery reports): the orchestration alone.
      simulatedPeople: !values.quiet,
    });
    for (const line of formatChaos(report)) console.log(line);
    if (!chaosHeld(report)) process.exitCode = 1;
    return;
  }
  const report = await runChaos({
    seed: whole('seed'),
    days: Math.max(1, whole('days')),
    users: Math.max(1, whole('users')),
    runDate: values.date,
    outageMinutes: whole('outage-minutes'),
    bundled: values.bundled,
  });
  for (const line of formatChaos(report)) console.log(line);
  if (!chaosHeld(report) || report.faults.total < whole('min-faults')) process.exitCode = 1;
};

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  process.exitCode = 1;
});
