import pLimit from 'p-limit';
import { tallyCalls } from '../agents/call-tally';
import { expireCallTask, getCallTasks } from '../data/call-tasks';
import { getRunControl } from '../data/controls';
import { getEnrollmentBatch, recordTerminalStates } from '../data/enrollments';
import { putBatchClosing } from '../data/runs';
import { queryTouchChunks } from '../data/touches';
import { getUsers } from '../data/users';
import { conversionOf, historiesOf, type TerminalState } from './enrollment';
import type { BatchClosing, Run } from './run';

/** Call tasks of one batch expired at once: each is its own conditional write. */
const EXPIRIES_IN_FLIGHT = 8;

/**
 * Closes one batch: every member ends converted (credited to the last touch before the goal event),
 * completed (touched, not converted), exited with a reason (never touched, or the run was stopped), or
 * holdout (with its conversion recorded, so lift can be measured).
 */
export const closeBatch = async (run: Run, batch: number, now: Date): Promise<BatchClosing> => {
  const enrollment = await getEnrollmentBatch(run.runId, batch);
  const histories = historiesOf(await queryTouchChunks(run.runId, batch));
  const [users, control] = await Promise.all([getUsers(enrollment.members), getRunControl(run.runId)]);
  // A stopped run ends everyone still in it `stopped`: converted, holdout and earlier endings keep theirs.
  const stopped = control.stopRequestedAt !== undefined;
  const holdout = new Set(enrollment.holdout);
  const closing: BatchClosing = {
    batch,
    converted: 0,
    convertedAfterTouch: {},
    completed: 0,
    exited: {},
    holdout: 0,
    holdoutConverted: 0,
  };
  const terminal: Record<string, TerminalState> = {};
  for (const userId of enrollment.members) {
    const user = users.get(userId);
    const history = histories.get(userId);
    const conversion = user
      ? conversionOf(enrollment.enrolledAt, history, user, run.campaign.goal)
      : undefined;
    let state: TerminalState;
    if (holdout.has(userId)) {
      state = { status: 'holdout', ...(conversion ? { convertedAt: conversion.convertedAt } : {}) };
      closing.holdout += 1;
      if (conversion) closing.holdoutConverted += 1;
    } else if (history?.ended?.reason === 'converted' || conversion) {
      const at = history?.ended?.convertedAt ?? conversion?.convertedAt ?? '';
      const afterTouch = history?.ended?.afterTouch ?? conversion?.afterTouch ?? 0;
      state = { status: 'converted', at, afterTouch };
      closing.converted += 1;
      closing.convertedAfterTouch[afterTouch] = (closing.convertedAfterTouch[afterTouch] ?? 0) + 1;
    } else if (stopped && (history?.ended === undefined || history.ended.reason === 'stopped')) {
      state = { status: 'exited', reason: 'stopped' };
      closing.exited.stopped = (closing.exited.stopped ?? 0) + 1;
    } else if ((history?.sent.length ?? 0) > 0) {
      state = { status: 'completed' };
      closing.completed += 1;
    } else {
      const reason =
        user === undefined ? 'user-missing' : (history?.ended?.reason ?? history?.lastSkip ?? 'unreachable');
      state = { status: 'exited', reason };
      closing.exited[reason] = (closing.exited[reason] ?? 0) + 1;
    }
    terminal[userId] = state;
  }
  // Call tasks still open when the call window has passed expire; a dry run created none.
  if (!run.dryRun) {
    const callTasks = [...histories.values()].flatMap((history) =>
      history.sent.filter((touch) => touch.channel === 'call').map((touch) => touch.messageId),
    );
    const limit = pLimit(EXPIRIES_IN_FLIGHT);
    await Promise.all(callTasks.map((taskId) => limit(() => expireCallTask(taskId, now.toISOString()))));
    // How they ended, read once they all did: what agents recorded, or expired.
    if (callTasks.length > 0) closing.calls = tallyCalls((await getCallTasks(callTasks)).values());
  }
  await recordTerminalStates(run.runId, batch, terminal);
  await putBatchClosing(run.runId, closing);
  return closing;
};
