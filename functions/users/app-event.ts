import { z } from 'zod';
import { recordTouchClicked } from '../data/touches';
import { getUser, putUser } from '../data/users';
import { instant } from '../shared/schemas';
import type { Lifecycle } from './user';

/**
 * An event from the lending app, as it arrives on the app-events bus (the EventBridge `detail`).
 * A click carries the touch id from the tracked link.
 */
export const appEventSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('click'),
    userId: z.string().min(1),
    occurredAt: instant,
    touchId: z.string().min(1),
  }),
  z.strictObject({
    type: z.enum([
      'login',
      'application_started',
      'credit_apply',
      'credit_granted',
      'drawdown',
      'loan_settled',
    ]),
    userId: z.string().min(1),
    occurredAt: instant,
  }),
]);
export type AppEvent = z.infer<typeof appEventSchema>;

const lifecycleField: Record<Exclude<AppEvent['type'], 'click'>, keyof Lifecycle> = {
  login: 'lastLoginAt',
  application_started: 'applicationStartedAt',
  credit_apply: 'lastCreditApplyAt',
  credit_granted: 'creditGrantedAt',
  drawdown: 'lastDrawdownAt',
  loan_settled: 'loanSettledAt',
};

export type AppEventResult = 'recorded' | 'unknown-user' | 'unknown-touch' | 'stale';

/**
 * Moves the user's lifecycle forward (which also keeps the dormancy index true) or records a click on
 * a touch. Conversions are read from the lifecycle by the send step and the run summary.
 */
export const recordAppEvent = async (event: AppEvent): Promise<AppEventResult> => {
  if (event.type === 'click') {
    return (await recordTouchClicked(event.touchId, event.userId, event.occurredAt))
      ? 'recorded'
      : 'unknown-touch';
  }
  const user = await getUser(event.userId);
  if (user === undefined) return 'unknown-user';
  const field = lifecycleField[event.type];
  const current = user.lifecycle[field];
  // Events can arrive out of order; the lifecycle keeps the latest time of each.
  if (current !== undefined && Date.parse(current) >= Date.parse(event.occurredAt)) return 'stale';
  await putUser({ ...user, lifecycle: { ...user.lifecycle, [field]: event.occurredAt } });
  return 'recorded';
};
