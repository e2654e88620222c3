import { createHash } from 'node:crypto';
import { putOutboxMessage } from '../data/outbox';
import type { MessageOn } from './channel';

/**
 * Records each message in the sandbox outbox table instead of sending it. Used by the local runtime,
 * and by any deployment made without provider configuration, so nothing reaches a real person.
 */
export const recordInSandbox = async ({
  address: _address,
  ...message
}: MessageOn<'push' | 'sms' | 'email'>): Promise<{ messageId: string }> => {
  const messageId = `sandbox-${createHash('sha256').update(`${message.userId}\n${message.touchId}`).digest('hex').slice(0, 24)}`;
  await putOutboxMessage({ ...message, messageId });
  return { messageId };
};
