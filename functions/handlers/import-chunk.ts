import { type ImportChunkEvent, importChunk } from '../imports/import-chunk';
import type { ChunkTally } from '../imports/import-files';
import { lambdaHandler } from '../shared/lambda';
import { logger, metrics } from '../shared/powertools';

/** One child of the import's Distributed Map: the lines that start inside one chunk of the file. */
export const handler = lambdaHandler(async (event: ImportChunkEvent): Promise<ChunkTally> => {
  const tally = await importChunk(event);
  logger.info('Import chunk', { importId: event.importId, chunk: event.chunk.chunk, ...tally });
  metrics.addMetric('ImportLines', 'Count', tally.lines);
  metrics.addMetric('ImportBadLines', 'Count', tally.bad);
  return tally;
});
