import { DateTime } from 'luxon';
import { describeOffer } from '../campaign/copy';
import type { CallRecord, CallTask } from '../channels/call-task-queue';
import {
  closeCallTaskUncalled,
  getCallTask,
  leaseCallTask,
  openTasksOf,
  settleCallTask,
  type TaskSettlement,
} from '../data/call-tasks';
import { getBrakesItem, STACK } from '../data/controls';
import { getUsers } from '../data/users';
import { isQuietHour, type QuietSpan } from '../guardrails/quiet-hours';
import { RekindleError } from '../shared/errors';
import type { UserRecord } from '../users/user';
import { applyUserUpdate } from '../users/user-update';
import {
  type CallOutcome,
  InvalidAgentRequest,
  LEASE_MINUTES,
  MAX_ATTEMPTS,
  REQUEUE_MINUTES,
} from './dispositions';

/** No task of that id. */
export class TaskNotFound extends RekindleError {
  constructor(taskId: string) {
    super('TaskNotFound', `No call task ${taskId}`);
  }
}

/** The task is closed or expired: nothing more can be recorded on it. */
export class TaskClosed extends RekindleError {
  constructor(taskId: string, status: string) {
    super('TaskClosed', `Call task ${taskId} is ${status}`);
  }
}

/** The agent does not hold the task's lease: another agent took it, or the lease ran out. */
export class LeaseNotHeld extends RekindleError {
  constructor(taskId: string, why: 'held-by-another' | 'never-leased') {
    super('LeaseNotHeld', `You do not hold call task ${taskId}: ${why}`);
  }
}

/** Source of a call consent withdrawn by the person on a call. */
export const DO_NOT_CALL_SOURCE = 'do-not-call';

/** The task's person's time zone; tasks created before they kept it use their run's (the run id names it). */
const timeZoneOf = (task: CallTask) => task.timeZone ?? task.runId.split('#')[2] ?? 'UTC';

/** Whether the task may be offered to an agent at `now`: available, unleased, in its window and in hours. */
const callableAt = (task: CallTask, now: Date, callingQuiet: QuietSpan) => {
  const at = now.toISOString();
  return (
    task.status === 'open' &&
    (task.leaseUntil === undefined || task.leaseUntil <= at) &&
    (task.availableAt === undefined || task.availableAt <= at) &&
    task.expiresAt > at &&
    !isQuietHour(now, callingQuiet, timeZoneOf(task))
  );
};

/** What an agent sees of a task: no name, no email; the phone only while they hold it. */
export interface TaskView {
  taskId: string;
  queue: string;
  priority: number;
  campaignId: string;
  status: CallTask['status'];
  script: string;
  offer: string | null;
  lastTouches: CallTask['lastTouches'];
  attempts: number;
  calls: CallRecord[];
  callWindowEndsAt: string;
  leaseUntil: string | null;
  person: {
    /** Only for the agent holding the lease. */
    phone: string | null;
    locale: string | null;
    timeZone: string;
    /** The person's local time now, for the greeting and for calling hours. */
    localTime: string;
    ring: string | null;
    valueTier: string | null;
    registeredAt: string | null;
    lastLoginAt: string | null;
    lastDrawdownAt: string | null;
  };
}

const viewOf = (task: CallTask, user: UserRecord | undefined, agentId: string, now: Date): TaskView => {
  const holds = task.leasedBy === agentId && (task.leaseUntil ?? '') > now.toISOString();
  const timeZone = timeZoneOf(task);
  return {
    taskId: task.taskId,
    queue: task.queue,
    priority: task.priority,
    campaignId: task.campaignId,
    status: task.status,
    script: task.script,
    offer: task.offer ? describeOffer(task.offer, user?.locale ?? 'en') : null,
    lastTouches: task.lastTouches,
    attempts: task.attempts ?? 0,
    calls: task.calls ?? [],
    callWindowEndsAt: task.expiresAt,
    leaseUntil: holds ? (task.leaseUntil ?? null) : null,
    person: {
      phone: holds ? (user?.contact.phone ?? null) : null,
      locale: user?.locale ?? null,
      timeZone,
      localTime: DateTime.fromJSDate(now, { zone: timeZone }).toFormat("yyyy-MM-dd'T'HH:mm"),
      ring: user?.ring ?? null,
      valueTier: user?.valueTier ?? null,
      registeredAt: user?.lifecycle.registeredAt ?? null,
      lastLoginAt: user?.lifecycle.lastLoginAt ?? null,
      lastDrawdownAt: user?.lifecycle.lastDrawdownAt ?? null,
    },
  };
};

const userOf = async (userId: string) => (await getUsers([userId], { consistent: true })).get(userId);

/**
 * The next task of a queue for this agent: the highest-priority, oldest open task whose call window is open,
 * that is available now and whose person is inside calling hours in their own time zone, leased to the agent
 * for LEASE_MINUTES. A task whose person withdrew call consent since is closed on the way. Undefined when
 * the queue has nothing to call now.
 */
export const takeNextTask = async (
  queue: string,
  agentId: string,
  now: Date,
  callingQuiet: QuietSpan,
): Promise<TaskView | undefined> => {
  const until = new Date(now.getTime() + LEASE_MINUTES * 60_000);
  // The operator's brakes hold calls too: nothing of a paused campaign (or stack) or a stopped run is offered.
  const { pauses, stops } = await getBrakesItem();
  if (pauses[STACK]?.paused) return undefined;
  for await (const candidate of openTasksOf(queue)) {
    if (!callableAt(candidate, now, callingQuiet)) continue;
    if (pauses[candidate.campaignId]?.paused || stops[candidate.runId]) continue;
    // Another agent may take it first: then this one goes on down the queue.
    const leased = await leaseCallTask(candidate.taskId, agentId, now, until);
    if (leased === undefined) continue;
    const user = await userOf(leased.userId);
    if (!user?.consents.call || !user.contact.phone) {
      await closeCallTaskUncalled(
        leased.taskId,
        agentId,
        now,
        user?.consents.call ? 'no-phone' : 'consent-withdrawn',
      );
      continue;
    }
    return viewOf(leased, user, agentId, now);
  }
  return undefined;
};

/** One task as the agent sees it (the phone only if they hold it). */
export const taskDetail = async (taskId: string, agentId: string, now: Date): Promise<TaskView> => {
  const task = await getCallTask(taskId);
  if (task === undefined) throw new TaskNotFound(taskId);
  return viewOf(task, await userOf(task.userId), agentId, now);
};

/**
 * Why this agent cannot record on this task now, as a named error; nothing when they can. A lease that ran out
 * still lets its agent record while nobody else took the task (a call can outlast the lease): taking it
 * overwrites `leasedBy`.
 */
const assertHeld = (task: CallTask | undefined, taskId: string, agentId: string): CallTask => {
  if (task === undefined) throw new TaskNotFound(taskId);
  if (task.status !== 'open') throw new TaskClosed(taskId, task.status);
  if (task.leasedBy === undefined) throw new LeaseNotHeld(taskId, 'never-leased');
  if (task.leasedBy !== agentId) throw new LeaseNotHeld(taskId, 'held-by-another');
  return task;
};

/** What a call's outcome does to its task (see functions/agents/dispositions.ts). */
const settlementOf = (task: CallTask, outcome: CallOutcome, now: Date): TaskSettlement => {
  switch (outcome.disposition) {
    case 'no-answer':
    case 'busy': {
      if ((task.attempts ?? 0) + 1 >= MAX_ATTEMPTS) return { closedAs: 'attempts-exhausted' };
      const at = new Date(now.getTime() + REQUEUE_MINUTES[outcome.disposition] * 60_000);
      return { requeueAt: at.toISOString() };
    }
    case 'callback-requested': {
      // Compared as moments: a callback time may carry any offset.
      const at = Date.parse(outcome.callbackAt ?? '');
      return at < Date.parse(task.expiresAt)
        ? { requeueAt: new Date(at).toISOString() }
        : { closedAs: 'callback-after-window' };
    }
    default:
      return { closedAs: outcome.disposition };
  }
};

/**
 * Records the outcome of the call on the task the agent holds (a lease that ran out still counts while nobody
 * else took the task). Unknown task, a closed task, someone else's task, a callback time in the past: a named
 * error, nothing written. Do not call turns the person's call consent off through the one user-write path
 * first, and does so even if the run expired the task during the call: the person is never called again.
 */
export const recordCallOutcome = async (
  taskId: string,
  agentId: string,
  outcome: CallOutcome,
  now: Date,
): Promise<{ taskId: string; result: 'requeued' | 'closed'; availableAt?: string; closedAs?: string }> => {
  if (outcome.callbackAt !== undefined && Date.parse(outcome.callbackAt) <= now.getTime()) {
    throw new InvalidAgentRequest('callbackAt: must be in the future');
  }
  const found = await getCallTask(taskId);
  // The person asked not to be called: that holds even if the task closed or its lease passed meanwhile, as
  // long as this agent is the one who had it.
  if (outcome.disposition === 'do-not-call' && found !== undefined && found.leasedBy === agentId) {
    await applyUserUpdate({
      userId: found.userId,
      occurredAt: now.toISOString(),
      source: DO_NOT_CALL_SOURCE,
      eventId: `call-task#${taskId}`,
      fields: { consents: { call: false } },
      ifMissing: 'ignore',
    });
  }
  const task = assertHeld(found, taskId, agentId);
  const settlement = settlementOf(task, outcome, now);
  const call: CallRecord = {
    at: now.toISOString(),
    by: agentId,
    disposition: outcome.disposition,
    ...(outcome.reason ? { reason: outcome.reason } : {}),
    ...(outcome.callbackAt ? { callbackAt: outcome.callbackAt } : {}),
    ...(outcome.note ? { note: outcome.note } : {}),
  };
  if (!(await settleCallTask(taskId, agentId, now, call, settlement))) {
    // Lost between the read and the write: say why, as if it had been seen at the read.
    assertHeld(await getCallTask(taskId), taskId, agentId);
    throw new LeaseNotHeld(taskId, 'held-by-another');
  }
  return 'requeueAt' in settlement
    ? { taskId, result: 'requeued', availableAt: settlement.requeueAt }
    : { taskId, result: 'closed', closedAs: settlement.closedAs };
};

/** A queue as a supervisor sees it: counts by state and the open tasks, without phones. */
export const queueOverview = async (queue: string, now: Date, callingQuiet: QuietSpan) => {
  const at = now.toISOString();
  const tasks: Omit<CallTask, 'script' | 'lastTouches' | 'offer'>[] = [];
  const counts = { open: 0, callableNow: 0, leased: 0, waiting: 0, outsideCallingHours: 0 };
  for await (const task of openTasksOf(queue)) {
    counts.open += 1;
    if (task.leaseUntil !== undefined && task.leaseUntil > at) counts.leased += 1;
    else if (task.availableAt !== undefined && task.availableAt > at) counts.waiting += 1;
    else if (isQuietHour(now, callingQuiet, timeZoneOf(task))) counts.outsideCallingHours += 1;
    if (callableAt(task, now, callingQuiet)) counts.callableNow += 1;
    const { script: _script, lastTouches: _lastTouches, offer: _offer, ...summary } = task;
    tasks.push(summary);
  }
  return { queue, counts, tasks };
};
