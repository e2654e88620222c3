import type { CallTask } from '../../functions/channels/call-task-queue';
import { CAMPAIGN, RUN_ID } from './local-rekindle';

/** An open call task of the onboarding queue for the test run's touch 4: `task-<user>` calls `<user>`. */
export const aCallTask = (taskId: string, overrides: Partial<CallTask> = {}): CallTask => ({
  taskId,
  queue: 'onboarding',
  priority: 3,
  userId: taskId.replace('task-', ''),
  campaignId: CAMPAIGN,
  runId: RUN_ID,
  touchId: `${RUN_ID}#000001|t4#c0001`,
  script: 'Welcome call: help the customer log in.',
  lastTouches: [
    { channel: 'push', sentAt: '2026-11-22T17:00:00.000Z', copy: 'Tu línea de crédito te espera' },
  ],
  timeZone: 'America/Mexico_City',
  status: 'open',
  attempts: 0,
  createdAt: '2026-11-22T17:00:00.000Z',
  expiresAt: '2026-11-25T17:00:00.000Z',
  ttl: 1_800_000_000,
  ...overrides,
});
