import { PhaseFailed, UsageError } from './common';

/**
 * `npm run bench -- [--scenario cost|pacing] [flags]`: one benchmark scenario, each printing its numbers and,
 * last, one JSON line. `cost` (the default) prices a campaign run per enrolled user; `pacing` sends a large
 * cohort through providers at their configured rates, across send windows.
 */
const SCENARIOS = {
  cost: async (args: string[]) => (await import('./cost')).costScenario(args),
  pacing: async (args: string[]) => (await import('./pacing')).pacingScenario(args),
};

/** `--scenario NAME` (or `--scenario=NAME`) and everything else, which goes to the scenario to check. */
const splitArguments = (argv: readonly string[]) => {
  let scenario = 'cost';
  const rest: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] ?? '';
    if (argument === '--scenario') {
      index += 1;
      scenario = argv[index] ?? '';
    } else if (argument.startsWith('--scenario=')) scenario = argument.slice('--scenario='.length);
    else rest.push(argument);
  }
  return { scenario, rest };
};

const main = async () => {
  const { scenario, rest } = splitArguments(process.argv.slice(2));
  if (!Object.hasOwn(SCENARIOS, scenario)) {
    throw new UsageError(`--scenario must be one of ${Object.keys(SCENARIOS).join(', ')}, not "${scenario}"`);
  }
  await SCENARIOS[scenario as keyof typeof SCENARIOS](rest);
};

main().catch((error: unknown) => {
  if (error instanceof PhaseFailed) console.error(`A run FAILED:\n${error.message}`);
  else console.error(error instanceof UsageError ? error.message : error);
  process.exitCode = 1;
});
