import type { AppEvent, lifecycleEventTypes } from './app-event';
import type { Lifecycle } from './user';
import { applyUserUpdate, type UserUpdateResult } from './user-update';

const lifecycleField: Record<(typeof lifecycleEventTypes)[number], keyof Lifecycle> = {
  login: 'lastLoginAt',
  application_started: 'applicationStartedAt',
  credit_apply: 'lastCreditApplyAt',
  credit_granted: 'creditGrantedAt',
  drawdown: 'lastDrawdownAt',
  loan_settled: 'loanSettledAt',
};

/**
 * What an event changed: `recorded` (updated), `created`, `unchanged`, `pending` (kept for a user not
 * created yet), or why it changed nothing.
 */
export interface AppEventResult extends Partial<Omit<UserUpdateResult, 'outcome'>> {
  result: 'recorded' | 'created' | 'unchanged' | 'pending' | 'not-applicable' | 'unknown-user';
}

/**
 * Records an app event through the one user-write path. `eventId` is the bus event's id, so a redelivery
 * adds nothing twice.
 */
export const recordAppEvent = async (event: AppEvent, eventId: string): Promise<AppEventResult> => {
  const base = { userId: event.userId, occurredAt: event.occurredAt, eventId };
  const update = (() => {
    switch (event.type) {
      case 'profile': {
        const { type: _type, userId: _userId, occurredAt: _occurredAt, ...fields } = event;
        return { ...base, source: 'profile', fields, ifMissing: 'keep' as const };
      }
      case 'consent':
        return {
          ...base,
          source: event.source,
          fields: { consents: { [event.channel]: event.granted } },
          ifMissing: 'keep' as const,
        };
      default:
        return {
          ...base,
          source: 'app-event',
          fields: { lifecycle: { [lifecycleField[event.type]]: event.occurredAt } },
          ifMissing: 'keep' as const,
        };
    }
  })();
  const { outcome, ...changes } = await applyUserUpdate(update);
  return { result: outcome === 'updated' ? 'recorded' : outcome, ...changes };
};
