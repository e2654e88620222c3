import { getBrakesItem, getRunControls, putPause, putResume, putStopRequest, STACK } from '../data/controls';
import { getRunRecord, queryOpenRuns, type RunRecord } from '../data/runs';
import { describeFirstIssue } from '../shared/errors';
import { heldMilliseconds, type PauseControl, type RunControl } from './controls';
import { InvalidOperatorAction, operatorActionSchema, RunNotOpen, UnknownCampaign } from './operator-action';

export interface OperatorContext {
  /** When the action happens: now from the CLI, the line's `occurredAt` locally. */
  at: Date;
  /** Who acted (the CLI's caller identity ARN, `events-file` locally). */
  by: string;
  /** The campaigns the stack runs. */
  campaignIds: readonly string[];
}

/**
 * Carries out one operator action and says what it did. A pause is read by every send step before its
 * next chunk; a stop by the next chunk and by the run's next step. Bad input changes nothing.
 */
export const operate = async (input: unknown, context: OperatorContext): Promise<string> => {
  const parsed = operatorActionSchema.safeParse(input);
  if (!parsed.success) throw new InvalidOperatorAction(describeFirstIssue(parsed.error));
  const action = parsed.data;
  const at = context.at.toISOString();
  if (action.action === 'stop') {
    const runId = action.runId ?? '';
    const run = await getRunRecord(runId);
    if (run === undefined) throw new RunNotOpen(runId, 'never started');
    if (run.status !== 'running') throw new RunNotOpen(runId, `is already ${run.status}`);
    await putStopRequest(runId, at, context.by);
    return `Stop requested for ${runId}: nothing more is sent; it closes at its next step`;
  }
  if (action.campaignId !== undefined && !context.campaignIds.includes(action.campaignId)) {
    throw new UnknownCampaign(action.campaignId, context.campaignIds);
  }
  const target = action.campaignId ?? STACK;
  const what = action.campaignId === undefined ? 'every campaign' : `campaign ${action.campaignId}`;
  if (action.action === 'pause') {
    await putPause(target, at, context.by, action.reason);
    return `Paused ${what}: sends stop before their next chunk; held runs look again every few minutes`;
  }
  await putResume(target, at, context.by);
  return `Resumed ${what}: held touches go on at their next send moment`;
};

/** Everything `status` shows: the pauses, and every open run with its brakes. */
export interface ControlStatus {
  stack: PauseControl;
  campaigns: Record<string, PauseControl>;
  runs: (RunRecord & { control: RunControl; heldMinutes: number })[];
}

export const controlStatus = async (campaignIds: readonly string[], now: Date): Promise<ControlStatus> => {
  const [runs, brakes] = await Promise.all([queryOpenRuns(), getBrakesItem()]);
  const controls = await getRunControls(runs.map((run) => run.runId));
  const pause = (target: string): PauseControl => brakes.pauses[target] ?? { paused: false };
  return {
    stack: pause(STACK),
    campaigns: Object.fromEntries(campaignIds.map((id) => [id, pause(id)])),
    runs: runs.map((run) => {
      const control = controls.get(run.runId) ?? { holds: {}, carries: {} };
      const held = Object.values(control.holds).reduce((sum, hold) => sum + heldMilliseconds(hold, now), 0);
      return { ...run, control, heldMinutes: Math.round(held / 60_000) };
    }),
  };
};

const pauseLine = (name: string, control: PauseControl) =>
  control.paused
    ? `${name}: PAUSED since ${control.pausedAt} by ${control.changedBy}${control.reason ? ` (${control.reason})` : ''}`
    : `${name}: running${control.changedAt ? ` (resumed ${control.changedAt} by ${control.changedBy})` : ''}`;

/** The status as an operator reads it in a terminal. */
export const formatStatus = (status: ControlStatus): string => {
  const lines = [pauseLine('stack', status.stack)];
  for (const [id, control] of Object.entries(status.campaigns)) lines.push(pauseLine(`  ${id}`, control));
  lines.push('', status.runs.length === 0 ? 'No open runs' : `Open runs (${status.runs.length}):`);
  for (const run of status.runs) {
    const open = Object.entries(run.control.holds).filter(([, hold]) => hold.until === undefined);
    const state = run.control.stopRequestedAt
      ? `STOPPING (requested ${run.control.stopRequestedAt} by ${run.control.stoppedBy})`
      : open.length > 0
        ? `HELD at touch ${open.map(([touch]) => touch).join(', ')} since ${open[0]?.[1].since}`
        : 'running';
    const held = run.heldMinutes > 0 ? ` · held ${run.heldMinutes} min in all` : '';
    lines.push(
      `  ${run.runId} · started ${run.startedAt}${run.dryRun ? ' · dry run' : ''} · ${state}${held}`,
    );
  }
  return lines.join('\n');
};
