import pLimit from 'p-limit';
import type { User } from '../users/user';
import { applyUserUpdate, type UpdateOutcome } from '../users/user-update';
import { type ChunkTally, putChunkReport, readImportFileRange } from './import-files';
import type { ChunkDescriptor, ImportPlan } from './import-input';
import { type BadLine, type ChunkLine, checkLine, chunkLines, MAX_LINE_BYTES } from './import-lines';

/** Users written at once by one chunk: with the map's concurrency, what the Users table sees. */
const WRITE_CONCURRENCY = 16;

/** What each child of the Distributed Map gets: the plan's shared fields and its own chunk. */
export type ImportChunkEvent = Pick<
  ImportPlan,
  'importId' | 'key' | 'etag' | 'size' | 'occurredAt' | 'validateOnly'
> & { chunk: ChunkDescriptor };

/**
 * Imports the lines that start inside one chunk: each good line is one user's upsert through the one
 * user-write path, independent of the others; each bad line goes to the chunk's part of the report.
 * A userId repeated within the chunk is reported on its later lines; repeats in different chunks are not
 * detected (each chunk sees only its own lines), and the later-written line's fields win.
 */
export const importChunk = async (event: ImportChunkEvent): Promise<ChunkTally> => {
  const { chunk, size } = event;
  const from = Math.max(chunk.start - 1, 0);
  const to = Math.min(size, chunk.end + MAX_LINE_BYTES);
  const lines = chunkLines(await readImportFileRange(event.key, event.etag, from, to), from, {
    ...chunk,
    size,
  });

  const badLines: BadLine[] = [];
  const good: { line: ChunkLine; user: User }[] = [];
  const seen = new Set<string>();
  for (const line of lines) {
    const checked = checkLine(line);
    if (checked === undefined) continue;
    if ('bad' in checked) badLines.push({ line: line.line, ...checked.bad });
    else if (seen.has(checked.user.userId)) {
      const { userId } = checked.user;
      badLines.push({ line: line.line, field: 'userId', problem: `${userId} appears twice`, userId });
    } else {
      seen.add(checked.user.userId);
      good.push({ line, user: checked.user });
    }
  }

  const outcomes: Record<UpdateOutcome, number> = {
    created: 0,
    updated: 0,
    unchanged: 0,
    pending: 0,
    'not-applicable': 0,
    'unknown-user': 0,
  };
  if (!event.validateOnly) {
    const limit = pLimit(WRITE_CONCURRENCY);
    await Promise.all(
      good.map(({ line, user: { userId, ...fields } }) =>
        limit(async () => {
          const { outcome } = await applyUserUpdate({
            userId,
            occurredAt: event.occurredAt,
            source: 'import',
            // The line's place in the file: the same whatever the chunk size, and on every retry.
            eventId: `${event.importId}#byte-${line.offset}`,
            fields,
            ifMissing: 'create',
          });
          outcomes[outcome] += 1;
        }),
      ),
    );
  }

  const tally: ChunkTally = {
    lines: lines.length,
    good: good.length,
    created: outcomes.created,
    updated: outcomes.updated,
    unchanged: outcomes.unchanged,
    bad: badLines.length,
  };
  await putChunkReport(event.importId, chunk.chunk, tally, badLines);
  return tally;
};
