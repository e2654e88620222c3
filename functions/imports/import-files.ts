import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NotFound,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { s3Client } from '../clients/s3';
import { requireEnv } from '../shared/config';
import { RekindleError } from '../shared/errors';
import { REPORTS_PREFIX } from './import-input';
import type { BadLine } from './import-lines';

/** The bucket of import files (`incoming/`, `staged/`) and their reports (`reports/`). */
const importBucket = requireEnv('IMPORT_BUCKET');

export const importBucketName = () => importBucket;

/** What one chunk found: its line count (blank lines included) and what became of its lines. */
export interface ChunkTally {
  lines: number;
  good: number;
  created: number;
  updated: number;
  unchanged: number;
  bad: number;
}

const tallyFields = ['lines', 'good', 'created', 'updated', 'unchanged', 'bad'] as const;

export const chunkReportKey = (importId: string, chunk: number) =>
  `${REPORTS_PREFIX}${importId}/part-${chunk}.jsonl`;
export const importReportKey = (importId: string) => `${REPORTS_PREFIX}${importId}.jsonl`;

/** A JSON Lines body with its length stated: without one, an empty body reads as a stream of unknown length. */
const jsonLinesBody = (lines: readonly string[]) => {
  const Body = lines.join('');
  return { Body, ContentLength: Buffer.byteLength(Body), ContentType: 'application/x-ndjson' };
};

/** The file an import was started for is not in the bucket; nothing was written. */
export class ImportFileNotFound extends RekindleError {
  constructor(key: string) {
    super('ImportFileNotFound', `key: no object ${key} in bucket ${importBucket}`);
  }
}

export const headImportFile = async (key: string) => {
  const head = await s3Client
    .send(new HeadObjectCommand({ Bucket: importBucket, Key: key }))
    .catch((error: unknown) => {
      throw error instanceof NotFound ? new ImportFileNotFound(key) : error;
    });
  return {
    size: head.ContentLength ?? 0,
    lastModified: head.LastModified ?? new Date(),
    /** The exporter's own time, given on upload as `--metadata as-of=<ISO time>`. */
    asOf: head.Metadata?.['as-of'],
    etag: head.ETag ?? '',
  };
};

/** Bytes [from, to) of the file, only if it is still the version the import planned. */
export const readImportFileRange = async (key: string, etag: string, from: number, to: number) => {
  const object = await s3Client.send(
    new GetObjectCommand({ Bucket: importBucket, Key: key, IfMatch: etag, Range: `bytes=${from}-${to - 1}` }),
  );
  return object.Body ? await object.Body.transformToByteArray() : new Uint8Array();
};

/** A chunk's bad lines (numbered within the chunk) with its tally as object metadata. */
export const putChunkReport = async (
  importId: string,
  chunk: number,
  tally: ChunkTally,
  badLines: readonly BadLine[],
) => {
  await s3Client.send(
    new PutObjectCommand({
      Bucket: importBucket,
      Key: chunkReportKey(importId, chunk),
      ...jsonLinesBody(badLines.map((bad) => `${JSON.stringify(bad)}\n`)),
      Metadata: Object.fromEntries(tallyFields.map((field) => [field, String(tally[field])])),
    }),
  );
};

export const getChunkReport = async (
  importId: string,
  chunk: number,
): Promise<{ tally: ChunkTally; badLines: BadLine[] }> => {
  const object = await s3Client.send(
    new GetObjectCommand({ Bucket: importBucket, Key: chunkReportKey(importId, chunk) }),
  );
  const metadata = object.Metadata ?? {};
  const tally = Object.fromEntries(tallyFields.map((field) => [field, Number(metadata[field] ?? 0)]));
  const text = object.Body ? await object.Body.transformToString() : '';
  const badLines = text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as BadLine);
  return { tally: tally as unknown as ChunkTally, badLines };
};

/** S3's smallest multipart part (but the last); the report is buffered up to this, never held whole. */
const REPORT_PART_BYTES = 8 * 1024 * 1024;

/**
 * Writes one JSON Lines object of any size with bounded memory: a single PutObject when it stays small,
 * a multipart upload of `partBytes` parts otherwise.
 */
export class ReportWriter {
  private buffered: string[] = [];
  private bufferedBytes = 0;
  private uploadId: string | undefined;
  private readonly parts: { PartNumber: number; ETag: string | undefined }[] = [];

  constructor(
    private readonly key: string,
    private readonly partBytes = REPORT_PART_BYTES,
  ) {}

  async write(item: unknown): Promise<void> {
    const line = `${JSON.stringify(item)}\n`;
    this.buffered.push(line);
    this.bufferedBytes += Buffer.byteLength(line);
    if (this.bufferedBytes >= this.partBytes) await this.flushPart();
  }

  async close(): Promise<void> {
    if (this.uploadId === undefined) {
      await s3Client.send(
        new PutObjectCommand({
          Bucket: importBucket,
          Key: this.key,
          ...jsonLinesBody(this.buffered),
        }),
      );
      return;
    }
    if (this.bufferedBytes > 0) await this.flushPart();
    await s3Client.send(
      new CompleteMultipartUploadCommand({
        Bucket: importBucket,
        Key: this.key,
        UploadId: this.uploadId,
        MultipartUpload: { Parts: this.parts },
      }),
    );
  }

  private async flushPart() {
    this.uploadId ??= (
      await s3Client.send(
        new CreateMultipartUploadCommand({
          Bucket: importBucket,
          Key: this.key,
          ContentType: 'application/x-ndjson',
        }),
      )
    ).UploadId;
    const PartNumber = this.parts.length + 1;
    const { ETag } = await s3Client.send(
      new UploadPartCommand({
        Bucket: importBucket,
        Key: this.key,
        UploadId: this.uploadId,
        PartNumber,
        Body: this.buffered.join(''),
      }),
    );
    this.parts.push({ PartNumber, ETag });
    this.buffered = [];
    this.bufferedBytes = 0;
  }
}
