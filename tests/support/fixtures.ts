import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** A JSON file of tests/fixtures (real AWS event shapes, parsed). */
export const jsonFixture = (name: string) =>
  JSON.parse(readFileSync(path.join(import.meta.dirname, '..', 'fixtures', name), 'utf8'));
