import { z } from 'zod';
import { channels } from '../campaign/definition';
import { instant } from '../shared/schemas';
import { changeSource, profileEventSchema, userId } from './profile';

export const lifecycleEventTypes = [
  'login',
  'application_started',
  'credit_apply',
  'credit_granted',
  'drawdown',
  'loan_settled',
] as const;

/**
 * An event on the app-events bus (the EventBridge `detail`): a lifecycle moment, a `profile` (any fields of
 * the import format) or a `consent` captured elsewhere (the app's settings screen, a branch, a do-not-call
 * request). Clicks are not app events: only a tracked link's own endpoint counts them (functions/links).
 */
export const appEventSchema = z.discriminatedUnion('type', [
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
export const appEventTypes = [...lifecycleEventTypes, 'profile', 'consent'] as const;
