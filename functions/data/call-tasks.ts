import type { CallTask } from '../channels/call-task-queue';
import { requireEnv } from '../shared/config';
import { putIfAbsent } from './put-if-absent';

const callTasksTable = requireEnv('CALL_TASKS_TABLE');

/**
 * Creates the task once per (run, user); false when it already exists (a retried batch). `queueOrder`
 * sorts the `byQueue` index, where agents read a queue's tasks by priority, then age.
 */
export const putCallTask = (task: CallTask): Promise<boolean> =>
  putIfAbsent(
    callTasksTable,
    { ...task, queueOrder: `${task.priority}#${task.createdAt}#${task.userId}` },
    'taskId',
  );
