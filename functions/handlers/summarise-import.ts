import { type ImportSummary, type SummariseImportEvent, summariseImport } from '../imports/import-summary';
import { lambdaHandler } from '../shared/lambda';
import { logger } from '../shared/powertools';

/** Last state of an import: one report of every bad line, and the counts the execution returns. */
export const handler = lambdaHandler(
  async (event: SummariseImportEvent): Promise<ImportSummary> => {
    const summary = await summariseImport(event);
    // Counts and ids only: bad lines' problems may quote what the file said.
    const { firstBadLines: _shown, ...counts } = summary;
    logger.info('Import summarised', counts);
    return summary;
  },
  { publishesMetrics: false },
);
