import type { SandboxMessage } from '../channels/channel';
import { requireEnv } from '../shared/config';
import { chunk, MAX_WRITE_BATCH, putAll } from './batch';

const outboxTable = requireEnv('SANDBOX_OUTBOX_TABLE');

interface QueuedPut {
  message: SandboxMessage;
  settle: { resolve: () => void; reject: (error: unknown) => void };
}

let queued: QueuedPut[] = [];

/**
 * Writes the messages queued in one turn of the event loop, 25 to a BatchWriteItem; each caller's promise
 * settles when its own group is written. The same message id twice in one turn (which BatchWriteItem
 * refuses) is written once, as it was last queued.
 */
const flush = async () => {
  const turn = queued;
  queued = [];
  await Promise.all(
    chunk(turn, MAX_WRITE_BATCH).map(async (group) => {
      const latest = new Map(group.map(({ message }) => [message.messageId, message]));
      try {
        await putAll(outboxTable, [...latest.values()]);
        for (const { settle } of group) settle.resolve();
      } catch (error) {
        for (const { settle } of group) settle.reject(error);
      }
    }),
  );
};

/**
 * Records one message in the sandbox outbox, the sandbox's stand-in for a provider: it resolves once the
 * message is written, so a recorded message is a sent one. Messages recorded at the same moment (many
 * sends in flight) share one BatchWriteItem.
 */
export const putOutboxMessage = (message: SandboxMessage): Promise<void> =>
  new Promise((resolve, reject) => {
    queued.push({ message, settle: { resolve, reject } });
    if (queued.length === 1) setImmediate(() => void flush());
  });
