import { statSync } from 'node:fs';
import { localDate } from '../functions/shared/schemas';
import { parseCommandLine } from '../ops/command-line';

/** A command line `npm start` cannot act on: nothing starts. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** What `npm start -- ...` was asked for (see the README's options table). */
export interface DemoArgs {
  population?: string;
  seed: number;
  date?: string;
  out?: string;
  events?: string;
  days: number;
  /** Run the functions' esbuild bundles as `cdk synth` builds them, not their TypeScript modules. */
  bundled: boolean;
}

/** A file option must name a file: checked before DynamoDB Local starts, not after. */
const readableFile = (option: string, file: string | undefined) => {
  if (file !== undefined && !statSync(file, { throwIfNoEntry: false })?.isFile()) {
    throw new UsageError(`--${option} ${file}: there is no such file`);
  }
  return file;
};

/** `--out` is written at the end of the play: a file in its way is refused before the play, not after it. */
const outputDirectory = (directory: string | undefined) => {
  if (directory !== undefined && statSync(directory, { throwIfNoEntry: false })?.isDirectory() === false) {
    throw new UsageError(`--out ${directory}: a file is in the way of that directory`);
  }
  return directory;
};

/** Reads `npm start`'s options; a bad one is a UsageError naming it. */
export const parseDemoArgs = (argv: readonly string[]): DemoArgs => {
  const { values } = parseCommandLine(
    {
      args: [...argv],
      options: {
        population: { type: 'string' },
        seed: { type: 'string', default: '42' },
        date: { type: 'string' },
        out: { type: 'string' },
        events: { type: 'string' },
        days: { type: 'string', default: '1' },
        bundled: { type: 'boolean', default: false },
      },
    },
    UsageError,
  );
  if (!/^[1-9]\d*$/.test(values.days)) {
    throw new UsageError(`--days must be a positive whole number, not "${values.days}"`);
  }
  if (!/^-?\d+$/.test(values.seed) || !Number.isSafeInteger(Number(values.seed))) {
    throw new UsageError(`--seed must be a whole number, not "${values.seed}"`);
  }
  if (values.date !== undefined && !localDate.safeParse(values.date).success) {
    throw new UsageError(`--date must be a real date as YYYY-MM-DD, not "${values.date}"`);
  }
  return {
    population: readableFile('population', values.population),
    seed: Number(values.seed),
    date: values.date,
    out: outputDirectory(values.out),
    events: readableFile('events', values.events),
    days: Number(values.days),
    bundled: values.bundled,
  };
};
