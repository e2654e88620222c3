/**
 * Key parts several tables share. Pure, and reading no environment: a function imports them without taking on
 * the table variables of the modules that use them (a module-level `requireEnv` runs at every cold start).
 */

/** A batch number as its sort-key part: zero-padded, so batches sort in number order. */
export const batchKey = (batch: number): string => String(batch).padStart(6, '0');

/** A touch chunk's partition: its run and batch. */
export const runBatch = (runId: string, batch: number) => `${runId}#${batchKey(batch)}`;

/** A touch chunk's sort key: its touch and chunk. */
export const chunkKey = (touch: number, chunk: number) => `t${touch}#c${String(chunk).padStart(4, '0')}`;

/** The id a message's provider context carries back: its chunk's key. */
export const touchIdOf = (runId: string, batch: number, touch: number, chunk: number) =>
  `${runBatch(runId, batch)}|${chunkKey(touch, chunk)}`;

const TOUCH_ID = /^(.+)#(\d{6})\|t(\d+)#c(\d{4,})$/;

/** The run, batch, touch and chunk a touch id names; undefined for anything touchIdOf did not make. */
export const parseTouchId = (
  touchId: string,
): { runId: string; batch: number; touch: number; chunk: number } | undefined => {
  const [, runId, batch, touch, chunk] = TOUCH_ID.exec(touchId) ?? [];
  return runId === undefined
    ? undefined
    : { runId, batch: Number(batch), touch: Number(touch), chunk: Number(chunk) };
};
