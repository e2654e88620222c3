import { z } from 'zod';
import { channels } from '../campaign/definition';
import { recordTouchClicked } from '../data/touches';
import { instant } from '../shared/schemas';
import { changeSource, profileEventSchema, userId } from './profile';
import type { Lifecycle } from './user';
import { applyUserUpdate, type UserUpdateResult } from './user-update';

const lifecycleEventTypes = [
  'login',
  'application_started',
  'credit_apply',
  'credit_granted',
  'drawdown',
  'loan_settled',
] as const;

/**
 * An event on the app-events bus (the EventBridge `detail`): a lifecycle moment, a click on a tracked
 * link (it carries the touch id), a `profile` (any fields of the import format) or a `consent` captured
 * elsewhere (the app's settings screen, a branch, a do-not-call request).
 */
export const appEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('click'), userId, occurredAt: instant, touchId: z.string().min(1) }),
  z.strictObject({ type: z.enum(lifecycleEventTypes), userId, occurredAt: instant }),
  profileEventSchema,
  z
    .strictObject({
      type: z.literal('consent'),
      userId,
      channel: z.enum(channels),
      granted: z.boolean(),
      source: changeSource,
      occurredAt: instant,
    })
    .refine((event) => event.source !== 'do-not-call' || (event.channel === 'call' && !event.granted), {
      message: 'do-not-call withdraws the call channel: channel must be call and granted false',
      path: ['source'],
    }),
]);
export type AppEvent = z.infer<typeof appEventSchema>;

const lifecycleField: Record<(typeof lifecycleEventTypes)[number], keyof Lifecycle> = {
  login: 'lastLoginAt',
  application_started: 'applicationStartedAt',
  credit_apply: 'lastCreditApplyAt',
  credit_granted: 'creditGrantedAt',
  drawdown: 'lastDrawdownAt',
  loan_settled: 'loanSettledAt',
};

/** What an event changed: `recorded` (updated), `created`, `unchanged`, or why it changed nothing. */
export interface AppEventResult extends Partial<Omit<UserUpdateResult, 'outcome'>> {
  result: 'recorded' | 'created' | 'unchanged' | 'unknown-user' | 'unknown-touch';
}

/**
 * Records an app event through the one user-write path (a click is recorded on its touch). `eventId` is
 * the bus event's id, so a redelivery adds nothing twice.
 */
export const recordAppEvent = async (event: AppEvent, eventId: string): Promise<AppEventResult> => {
  if (event.type === 'click') {
    return {
      result: (await recordTouchClicked(event.touchId, event.userId, event.occurredAt))
        ? 'recorded'
        : 'unknown-touch',
    };
  }
  const base = { userId: event.userId, occurredAt: event.occurredAt, eventId };
  const update = (() => {
    switch (event.type) {
      case 'profile': {
        const { type: _type, userId: _userId, occurredAt: _occurredAt, ...fields } = event;
        return { ...base, source: 'profile', fields, ifMissing: 'create' as const };
      }
      case 'consent':
        return {
          ...base,
          source: event.source,
          fields: { consents: { [event.channel]: event.granted } },
          ifMissing: 'ignore' as const,
        };
      default:
        return {
          ...base,
          source: 'app-event',
          fields: { lifecycle: { [lifecycleField[event.type]]: event.occurredAt } },
          ifMissing: 'ignore' as const,
        };
    }
  })();
  const { outcome, ...changes } = await applyUserUpdate(update);
  return { result: outcome === 'updated' ? 'recorded' : outcome, ...changes };
};
