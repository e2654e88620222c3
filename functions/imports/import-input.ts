import { z } from 'zod';
import { describeFirstIssue, RekindleError } from '../shared/errors';
import { instant } from '../shared/schemas';

/** The execution input of an import is malformed; nothing was read or written. */
export class InvalidImportInput extends RekindleError {
  constructor(message: string) {
    super('InvalidImportInput', message);
  }
}

/** Uploads under `incoming/` start an import at once; files under `staged/` wait for someone to start one. */
export const IMPORT_PREFIXES = ['incoming/', 'staged/'] as const;
/** Where each import writes its report of bad lines (and, per chunk, its parts). */
export const REPORTS_PREFIX = 'reports/';

export const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;
/**
 * The chunk list travels in the execution's state (256 KiB at most): a larger file gets larger chunks
 * instead of more. 2,000 descriptors are about 90 KB; at 4 MiB a chunk that is files up to 8 GiB, some
 * 16 million lines of 500 bytes.
 */
export const MAX_CHUNKS = 2000;

/**
 * What an operator (or the bucket's upload rule, which sends `{ "key" }`) starts an import with. Unknown
 * fields are rejected so a typo is not ignored.
 */
export const importInputSchema = z.strictObject({
  key: z
    .string()
    .min(1)
    .max(1024)
    .refine((key) => IMPORT_PREFIXES.some((prefix) => key.startsWith(prefix)), {
      message: `must be an object key under ${IMPORT_PREFIXES.join(' or ')}`,
    }),
  /**
   * When the file's statements were true; default: the object's `as-of` metadata, else its upload time.
   */
  asOf: instant.optional(),
  /** Check every line and report the bad ones; write no user. */
  validateOnly: z.boolean().optional(),
  /** Bytes per chunk (default 4 MiB); tests use small chunks to cross many chunk boundaries. */
  chunkBytes: z.number().int().min(1024).optional(),
});
export type ImportInput = z.infer<typeof importInputSchema>;

/** The byte range [start, end) of the file whose lines one child of the Distributed Map imports. */
export interface ChunkDescriptor {
  chunk: number;
  start: number;
  end: number;
}

/** What PlanImport hands to the rest of the execution: the file's identity, the statements' time, the chunks. */
export interface ImportPlan {
  importId: string;
  key: string;
  /** The version read: a file replaced during its import fails the chunks instead of mixing two files. */
  etag: string;
  size: number;
  occurredAt: string;
  validateOnly: boolean;
  chunkCount: number;
  chunks: ChunkDescriptor[];
}

export const parseImportInput = (input: unknown): ImportInput => {
  const parsed = importInputSchema.safeParse(input ?? {});
  if (!parsed.success) throw new InvalidImportInput(describeFirstIssue(parsed.error));
  return parsed.data;
};

/** Splits a file of `size` bytes into at most MAX_CHUNKS byte ranges. Pure. */
export const chunkRanges = (size: number, chunkBytes = DEFAULT_CHUNK_BYTES): ChunkDescriptor[] => {
  const bytes = Math.max(chunkBytes, Math.ceil(size / MAX_CHUNKS));
  return Array.from({ length: Math.ceil(size / bytes) }, (_, chunk) => ({
    chunk,
    start: chunk * bytes,
    end: Math.min(size, (chunk + 1) * bytes),
  }));
};

const statedAt = (given: string | undefined, uploaded: Date): Date => {
  if (given === undefined) return uploaded;
  if (!instant.safeParse(given).success) {
    throw new InvalidImportInput(
      `asOf: the file's as-of metadata must be an ISO 8601 timestamp, not "${given}"`,
    );
  }
  return new Date(given);
};

/** Fixes the import's identity and chunks from the execution input and the file's metadata. Pure. */
export const planImport = (
  input: ImportInput,
  importId: string,
  file: { size: number; lastModified: Date; etag: string; asOf?: string },
): ImportPlan => {
  const chunks = chunkRanges(file.size, input.chunkBytes);
  return {
    importId,
    key: input.key,
    etag: file.etag,
    size: file.size,
    // An older export must not overwrite newer statements (an SMS STOP received after it was taken): the
    // statements are as of the time the operator gives, else the one the file was uploaded with, else
    // the upload.
    occurredAt: statedAt(input.asOf ?? file.asOf, file.lastModified).toISOString(),
    validateOnly: input.validateOnly ?? false,
    chunkCount: chunks.length,
    chunks,
  };
};
