import { putCallTask } from '../data/call-tasks';
import type { ChannelSender, MessageOn } from './channel';

/** A phone call for an agent to make: the last rung of the ladder. */
export interface CallTask {
  taskId: string;
  queue: string;
  priority: number;
  userId: string;
  campaignId: string;
  runId: string;
  touchId: string;
  script: string;
  offer?: MessageOn<'call'>['offer'];
  lastTouches: MessageOn<'call'>['lastTouches'];
  /** Agents will close tasks with an outcome; the run expires those still open when it closes. */
  status: 'open' | 'expired';
  createdAt: string;
  /** When the call window closes; DynamoDB deletes the task a month later (TTL). */
  expiresAt: string;
  ttl: number;
}

const MONTH_SECONDS = 30 * 24 * 60 * 60;

/**
 * Creates call tasks in Rekindle's own queue table, where agents pick them by queue and priority.
 * The task id is (run, user), so a retried batch creates no second task.
 */
export const callTaskQueue: ChannelSender<'call'> = {
  async send(message) {
    const taskId = `${message.runId}#${message.userId}`;
    await putCallTask({
      taskId,
      queue: message.queue,
      priority: message.priority,
      userId: message.userId,
      campaignId: message.campaignId,
      runId: message.runId,
      touchId: message.touchId,
      script: message.script,
      ...(message.offer ? { offer: message.offer } : {}),
      lastTouches: message.lastTouches,
      status: 'open',
      createdAt: message.sentAt,
      expiresAt: message.expiresAt,
      ttl: Math.floor(Date.parse(message.expiresAt) / 1000) + MONTH_SECONDS,
    });
    return { messageId: taskId };
  },
};
