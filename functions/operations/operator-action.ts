import { z } from 'zod';
import { RekindleError } from '../shared/errors';

/**
 * What an operator can do, from the ops CLI against a deployed stack or from an `operator` line of an
 * events file locally: the same fields, checked by the same schema, carried out by `operate`.
 */
export const operatorActionFields = {
  action: z.enum(['pause', 'resume', 'stop']),
  /** pause / resume: one campaign ... */
  campaignId: z.string().min(1).max(128).optional(),
  /** ... or the whole stack. */
  all: z.literal(true).optional(),
  /** stop: the run to end. */
  runId: z.string().min(1).max(512).optional(),
  /** Kept with the control and shown by `status`. */
  reason: z.string().min(1).max(500).optional(),
};

/** The one rule zod cannot say field by field: what each action names. */
export const checkOperatorTarget = (
  action: { action: string; campaignId?: string; all?: true; runId?: string },
  context: z.RefinementCtx,
): void => {
  if (action.action === 'stop') {
    if (action.runId === undefined)
      context.addIssue({ code: 'custom', path: ['runId'], message: 'stop needs the run id' });
    if (action.campaignId !== undefined || action.all !== undefined)
      context.addIssue({ code: 'custom', path: ['runId'], message: 'stop names one run, not a campaign' });
    return;
  }
  if ((action.campaignId === undefined) === (action.all === undefined))
    context.addIssue({
      code: 'custom',
      path: ['campaignId'],
      message: `${action.action} needs either a campaign id or all (the whole stack), not both`,
    });
  if (action.runId !== undefined)
    context.addIssue({
      code: 'custom',
      path: ['runId'],
      message: `${action.action} takes a campaign, not a run`,
    });
};

export const operatorActionSchema = z.strictObject(operatorActionFields).superRefine(checkOperatorTarget);
export type OperatorAction = z.infer<typeof operatorActionSchema>;

/** An operator action that names nothing it can act on; nothing was written. */
export class InvalidOperatorAction extends RekindleError {
  constructor(message: string) {
    super('InvalidOperatorAction', message);
  }
}

/** A pause or resume for a campaign the stack does not run; nothing was written. */
export class UnknownCampaign extends RekindleError {
  constructor(campaignId: string, known: readonly string[]) {
    super('UnknownCampaign', `No campaign ${campaignId} in this stack (campaigns: ${known.join(', ')})`);
  }
}

/** A stop for a run that never started or has already closed; nothing was written. */
export class RunNotOpen extends RekindleError {
  constructor(runId: string, status: string) {
    super('RunNotOpen', `Run ${runId} ${status}; only an open run can be stopped`);
  }
}
