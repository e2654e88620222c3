import { getChunkReport, importBucketName, importReportKey, ReportWriter } from './import-files';
import type { ImportPlan } from './import-input';
import type { BadLine } from './import-lines';

/** Bad lines shown in the execution's output; the report object holds all of them. */
const FIRST_BAD_LINES = 20;
/** Chunk parts read ahead of the one being merged. */
const PREFETCH = 8;

export type SummariseImportEvent = Pick<ImportPlan, 'importId' | 'key' | 'validateOnly' | 'chunkCount'>;

/** The execution's result: what an operator reads in the console. */
export interface ImportSummary {
  importId: string;
  key: string;
  validateOnly: boolean;
  /** Lines in the file, blank ones included. */
  linesRead: number;
  /** Lines that are a valid user (imported, or with validateOnly, importable). */
  goodLines: number;
  imported: { created: number; updated: number; unchanged: number };
  badLines: number;
  /** Where every bad line is, one JSON object per line: { line, field, problem, userId }. */
  report: { bucket: string; key: string };
  firstBadLines: BadLine[];
}

/**
 * Merges the chunks' parts into one report in file order. A part numbers its lines within its chunk; the
 * line counts of the chunks before it (a prefix sum) make them line numbers in the file.
 */
export const summariseImport = async (event: SummariseImportEvent): Promise<ImportSummary> => {
  const summary: ImportSummary = {
    importId: event.importId,
    key: event.key,
    validateOnly: event.validateOnly,
    linesRead: 0,
    goodLines: 0,
    imported: { created: 0, updated: 0, unchanged: 0 },
    badLines: 0,
    report: { bucket: importBucketName(), key: importReportKey(event.importId) },
    firstBadLines: [],
  };
  const report = new ReportWriter(summary.report.key);
  const parts: ReturnType<typeof getChunkReport>[] = [];
  const fetchPart = (chunk: number) => {
    if (chunk >= event.chunkCount) return;
    const part = getChunkReport(event.importId, chunk);
    // Read ahead: a failure surfaces when its turn comes, not as an unhandled rejection before.
    part.catch(() => undefined);
    parts[chunk] = part;
  };
  for (let chunk = 0; chunk < PREFETCH; chunk += 1) fetchPart(chunk);
  for (let chunk = 0; chunk < event.chunkCount; chunk += 1) {
    const part = parts[chunk];
    if (!part) throw new Error(`Part ${chunk} was not requested`);
    const { tally, badLines } = await part;
    delete parts[chunk];
    fetchPart(chunk + PREFETCH);
    for (const bad of badLines) {
      const line = { ...bad, line: summary.linesRead + bad.line };
      await report.write(line);
      if (summary.firstBadLines.length < FIRST_BAD_LINES) summary.firstBadLines.push(line);
    }
    summary.linesRead += tally.lines;
    summary.goodLines += tally.good;
    summary.imported.created += tally.created;
    summary.imported.updated += tally.updated;
    summary.imported.unchanged += tally.unchanged;
    summary.badLines += tally.bad;
  }
  await report.close();
  return summary;
};
