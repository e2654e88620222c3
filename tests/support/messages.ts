/** What every outbound message of the channel tests shares: touch 1 of a registered-no-visit run. */
export const messageBase = {
  userId: 'user-1',
  campaignId: 'registered-no-visit',
  runId: 'registered-no-visit#2026-11-22#America/Mexico_City',
  touch: 1,
  touchId: 'registered-no-visit#2026-11-22#America/Mexico_City#000001|t1#c0001',
  variant: 'default',
  sentAt: '2026-11-22T17:00:00.000Z',
};
