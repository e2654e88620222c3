import { z } from 'zod';
import { describeFirstIssue, RekindleError } from '../shared/errors';
import { instant } from '../shared/schemas';

/**
 * What an agent may say happened on a call. `no-answer` and `busy` put the task back in the queue after a
 * delay, up to MAX_ATTEMPTS; `callback-requested` puts it back for the time the person asked, if the call
 * window is still open then; `do-not-call` turns the person's call consent off; the others close the task.
 */
export const dispositions = [
  'reached-interested',
  'reached-not-interested',
  'no-answer',
  'busy',
  'wrong-number',
  'callback-requested',
  'do-not-call',
] as const;
export type Disposition = (typeof dispositions)[number];

/** Why a person reached said no: what tells the lender why the other channels did not convert. */
export const notInterestedReasons = [
  'no-need-now',
  'rate-too-high',
  'limit-too-low',
  'found-another-lender',
  'bad-past-experience',
  'distrusts-app',
  'financial-difficulty',
  'other',
] as const;

export const outcomeSchema = z
  .strictObject({
    disposition: z.enum(dispositions),
    reason: z.enum(notInterestedReasons).optional(),
    callbackAt: instant.optional(),
    note: z.string().max(1_000).optional(),
  })
  .superRefine((outcome, context) => {
    const issue = (path: string, message: string) =>
      context.addIssue({ code: 'custom', path: [path], message });
    if (outcome.disposition === 'reached-not-interested' && outcome.reason === undefined) {
      issue('reason', 'reached-not-interested needs a reason');
    }
    if (outcome.disposition !== 'reached-not-interested' && outcome.reason !== undefined) {
      issue('reason', 'only reached-not-interested takes a reason');
    }
    if (outcome.disposition === 'callback-requested' && outcome.callbackAt === undefined) {
      issue('callbackAt', 'callback-requested needs the time to call back');
    }
    if (outcome.disposition !== 'callback-requested' && outcome.callbackAt !== undefined) {
      issue('callbackAt', 'only callback-requested takes a callback time');
    }
  });
export type CallOutcome = z.infer<typeof outcomeSchema>;

/** A request of the agent API that does not parse; nothing was read or written. */
export class InvalidAgentRequest extends RekindleError {
  constructor(message: string) {
    super('InvalidAgentRequest', message);
  }
}

/** The outcome an agent posted, checked; a bad one is an InvalidAgentRequest naming the field. */
export const parseOutcome = (body: unknown): CallOutcome => {
  const parsed = outcomeSchema.safeParse(body);
  if (!parsed.success) throw new InvalidAgentRequest(describeFirstIssue(parsed.error));
  return parsed.data;
};

/** Calls to one task, in all: after the last unanswered one the task closes `attempts-exhausted`. */
export const MAX_ATTEMPTS = 3;

/** How long an unanswered or busy call waits before the task is back in the queue. */
export const REQUEUE_MINUTES: Record<'no-answer' | 'busy', number> = { 'no-answer': 120, busy: 30 };

/** How long a task stays with the agent who took it; then it goes back to the queue. */
export const LEASE_MINUTES = 10;
