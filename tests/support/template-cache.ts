import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * Where one test run's files share the local runtime's synthesized templates: per run (the vitest process), so
 * no run reads a template an older checkout synthesized.
 */
export const templateCacheOfThisRun = () => path.join(tmpdir(), `rekindle-templates-${process.pid}`);

/** The global setup: removes the run's template cache once every file ran. */
export default function setup() {
  return () => rmSync(templateCacheOfThisRun(), { recursive: true, force: true });
}
