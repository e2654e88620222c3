import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

/** Runs `npm start -- <args>` as a child process; resolves with its exit code and output, also on failure. */
export const runDemo = (...args: string[]) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'local/demo.ts', ...args], {
    cwd: path.join(import.meta.dirname, '..', '..'),
  }).then(
    (result) => ({ code: 0, ...result }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );

/** The objects of a JSON Lines file the demo wrote. */
export const jsonLines = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
