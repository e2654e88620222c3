import type { Disposition } from '../agents/dispositions';
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
  /** The person's time zone: agents call within calling hours there (tasks created before it: the run's). */
  timeZone?: string;
  /** Open until an agent closes it with an outcome; the run expires those still open when it closes. */
  status: 'open' | 'closed' | 'expired';
  createdAt: string;
  /** Calls made so far (unanswered or busy ones put the task back). */
  attempts?: number;
  /** Not offered to agents before this moment: a call back later, or a callback the person asked for. */
  availableAt?: string;
  /** The agent holding the task, until `leaseUntil`; then it is back in the queue. */
  leasedBy?: string;
  leaseUntil?: string;
  /** Every call of the task: when, by whom, how it ended. */
  calls?: CallRecord[];
  /** How the task ended: the last call's disposition, or why it ended without one. */
  closedAs?: Disposition | 'attempts-exhausted' | 'callback-after-window' | 'consent-withdrawn' | 'no-phone';
  closedAt?: string;
  closedBy?: string;
  /** When the call window closes; DynamoDB deletes the task a month later (TTL). */
  expiresAt: string;
  ttl: number;
}

/** One call an agent made, as the task keeps it. */
export interface CallRecord {
  at: string;
  by: string;
  disposition: Disposition;
  reason?: string;
  callbackAt?: string;
  note?: string;
}

const MONTH_SECONDS = 30 * 24 * 60 * 60;

/**
 * Creates call tasks in Rekindle's own queue table, where agents pick them by queue and priority, and, with
 * `alsoCreate` (an Amazon Connect instance), as a Connect task too. The task id is (run, user), so a retried
 * batch creates no second task. A Connect failure leaves the task in Rekindle's queue, where the agent console
 * still shows it; it is reported to `onConnectFailure` (a log and a metric), never as a failed send.
 */
export const callTaskQueue = (
  alsoCreate?: (task: CallTask) => Promise<unknown>,
  onConnectFailure: (error: unknown) => void = () => {},
): ChannelSender<'call'> => ({
  async send(message) {
    const taskId = `${message.runId}#${message.userId}`;
    const task: CallTask = {
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
      timeZone: message.timeZone,
      status: 'open',
      attempts: 0,
      createdAt: message.sentAt,
      expiresAt: message.expiresAt,
      ttl: Math.floor(Date.parse(message.expiresAt) / 1000) + MONTH_SECONDS,
    };
    const created = await putCallTask(task);
    if (created && alsoCreate) await alsoCreate(task).catch(onConnectFailure);
    return { messageId: taskId };
  },
});
