import type { CallTask } from '../channels/call-task-queue';

/**
 * How a batch's (or a run's) call tasks ended: how many an agent called, how many reached the person, each
 * task's end (its closing disposition, `expired` when the call window closed on it, `open` for a dry look
 * before the close) and why those reached said no.
 */
export interface CallTally {
  tasks: number;
  attempted: number;
  reached: number;
  endings: Partial<Record<string, number>>;
  notInterested: Partial<Record<string, number>>;
}

const add = (into: Partial<Record<string, number>>, key: string, count = 1) => {
  into[key] = (into[key] ?? 0) + count;
};

export const tallyCalls = (tasks: Iterable<Pick<CallTask, 'status' | 'closedAs' | 'calls'>>): CallTally => {
  const tally: CallTally = { tasks: 0, attempted: 0, reached: 0, endings: {}, notInterested: {} };
  for (const task of tasks) {
    tally.tasks += 1;
    const calls = task.calls ?? [];
    if (calls.length > 0) tally.attempted += 1;
    if (calls.some((call) => call.disposition.startsWith('reached-'))) tally.reached += 1;
    add(tally.endings, task.status === 'closed' ? (task.closedAs ?? 'closed') : task.status);
    for (const call of calls) {
      if (call.disposition === 'reached-not-interested' && call.reason) add(tally.notInterested, call.reason);
    }
  }
  return tally;
};

/** Tallies added up (a run's from its batches'). */
export const addCallTallies = (tallies: Iterable<CallTally | undefined>): CallTally | undefined => {
  let sum: CallTally | undefined;
  for (const tally of tallies) {
    if (tally === undefined) continue;
    sum ??= { tasks: 0, attempted: 0, reached: 0, endings: {}, notInterested: {} };
    sum.tasks += tally.tasks;
    sum.attempted += tally.attempted;
    sum.reached += tally.reached;
    for (const [key, count] of Object.entries(tally.endings)) add(sum.endings, key, count ?? 0);
    for (const [key, count] of Object.entries(tally.notInterested)) add(sum.notInterested, key, count ?? 0);
  }
  return sum;
};
