import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { ImportInput } from '../functions/imports/import-input';
import type { BadLine } from '../functions/imports/import-lines';
import type { ImportSummary } from '../functions/imports/import-summary';
import { USER_IMPORT_STATE_MACHINE } from '../infra/imports';
import { PopulationLineInvalid } from './population';
import type { LocalRekindle } from './runtime';

/** The import state machine failed as a whole (malformed input, missing file), not on a line. */
export class PopulationImportFailed extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** The S3 client and bucket the handlers use, once the local runtime has configured them. */
const importBucket = async () => {
  const { s3Client } = await import('../functions/clients/s3');
  const { importBucketName } = await import('../functions/imports/import-files');
  return { s3Client, bucket: importBucketName() };
};

type ImportOptions = Pick<ImportInput, 'validateOnly' | 'chunkBytes'>;

/**
 * Imports JSON Lines as an operator would on AWS: uploads them under `incoming/` of the local import
 * bucket and runs the `user-import` state machine on them. Every statement is as of the virtual clock's
 * now (not the upload time), so what the simulated users do later is newer.
 */
const importJsonLines = async (
  rekindle: LocalRekindle,
  name: string,
  body: Buffer,
  options: ImportOptions,
): Promise<ImportSummary> => {
  const { s3Client, bucket } = await importBucket();
  const key = `incoming/${randomUUID()}/${name}`;
  await s3Client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  const result = await rekindle.runStateMachine(USER_IMPORT_STATE_MACHINE, {
    key,
    asOf: rekindle.clock.now().toISOString(),
    ...options,
  });
  if (result.status === 'FAILED' || result.output === undefined) {
    throw new PopulationImportFailed(result.error?.name ?? 'Error', result.error?.message ?? 'import failed');
  }
  return result.output as ImportSummary;
};

/** `npm start -- --population FILE`: the file through the user import. */
export const importPopulationFile = async (
  rekindle: LocalRekindle,
  filePath: string,
  options: ImportOptions = {},
): Promise<ImportSummary> =>
  importJsonLines(rekindle, path.basename(filePath), await readFile(filePath), options);

/** Every bad line of an import, from its report in the bucket, in file order. */
export const readImportReport = async (summary: ImportSummary): Promise<BadLine[]> => {
  const { s3Client } = await importBucket();
  const object = await s3Client.send(
    new GetObjectCommand({ Bucket: summary.report.bucket, Key: summary.report.key }),
  );
  const text = object.Body ? await object.Body.transformToString() : '';
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as BadLine);
};

/** A bad line in the demo's words: `Population line 3: field contact.phone: must be an E.164 ...`. */
export const populationLineError = (bad: BadLine): PopulationLineInvalid =>
  new PopulationLineInvalid(
    bad.line,
    bad.field === undefined ? bad.problem : `field ${bad.field}: ${bad.problem}`,
  );
