import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import S3rver from '@20minutes/s3rver';
import { DUMMY_ACCOUNT } from '@20minutes/s3rver/lib/models/account.js';

/** An S3-compatible server (s3rver) in this process, on a free loopback port, storing in a temp directory. */
export interface S3Local {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts S3 with these buckets. s3rver accepts only access keys it knows, so the local runtime's are
 * registered with it.
 */
export const startS3Local = async (
  buckets: readonly string[],
  credentials: { accessKeyId: string; secretAccessKey: string },
): Promise<S3Local> => {
  const directory = await mkdtemp(path.join(tmpdir(), 'rekindle-s3-'));
  DUMMY_ACCOUNT.createKeyPair(credentials.accessKeyId, credentials.secretAccessKey);
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    // s3rver's SigV4 canonical request differs from SDK v3's for some query strings (ListObjectsV2).
    allowMismatchedSignatures: true,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  try {
    const { port } = await server.run();
    return {
      endpoint: `http://127.0.0.1:${port}`,
      stop: async () => {
        await server.close();
        await rm(directory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
};
