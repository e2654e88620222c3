import { describe, expect, it } from 'vitest';
import { deliveryStatusOf, seenKindsOf } from '../functions/channels/delivery-events';
import { userHashOf } from '../functions/links/tracked-link';
import { SimulatedProviders } from '../local/provider-events';
import { UserSimulator } from '../local/user-simulator';
import { CAMPAIGN, RUN_DATE, RUN_ID, TIME_ZONE, useLocalRekindle } from './support/local-rekindle';
import { reachableOn } from './support/users';

const local = useLocalRekindle();

/** People who click every message that reaches them, and never convert or opt out. */
const clickers = () =>
  new UserSimulator(
    11,
    Object.fromEntries(
      ['push', 'sms', 'email', 'call'].map((channel) => [
        channel,
        { click: 1, goalAfterClick: 0, optOut: 0 },
      ]),
    ),
    0,
  );

/** 150 users reachable by email only and 150 by SMS only, each with an address of their own. */
const users = Array.from({ length: 300 }, (_, index) => {
  const userId = `user-${String(index).padStart(3, '0')}`;
  return index < 150
    ? reachableOn(userId, ['email'])
    : reachableOn(userId, ['sms'], { contact: { phone: `+5255${String(index).padStart(8, '0')}` } });
});

describe('the sandbox providers', () => {
  it('report every email and SMS through the real handlers, and people react only to what reached them', async () => {
    // Prepare
    await local.rekindle.importUsers(users);

    // Act
    const result = await local.rekindle.runCampaign(
      CAMPAIGN,
      { runDate: RUN_DATE, timeZone: TIME_ZONE },
      { simulator: new SimulatedProviders(11, clickers()) },
    );
    await local.rekindle.drainScriptedEvents();

    // Assess: one delivery record per message, joined to its run, touch and user.
    expect(result.status).toBe('SUCCEEDED');
    const messages = await local.rekindle.sandboxMessages();
    expect(messages).toHaveLength(300);
    const records = new Map(
      (await local.rekindle.scanTable('Deliveries')).map((record) => [String(record.messageId), record]),
    );
    const statusOf = new Map<string, string>();
    for (const message of messages) {
      const record = records.get(message.messageId);
      expect(record).toMatchObject({
        channel: message.channel,
        userId: message.userId,
        runId: RUN_ID,
        touch: message.touch,
        touchId: message.touchId,
      });
      statusOf.set(message.userId, deliveryStatusOf(seenKindsOf(record ?? {})));
    }
    // Most arrive; some do not, on both channels, at the documented rates' order of magnitude.
    for (const channel of ['email', 'sms']) {
      const ofChannel = messages.filter((message) => message.channel === channel);
      const failed = ofChannel.filter((message) => statusOf.get(message.userId) !== 'delivered').length;
      expect(failed).toBeGreaterThan(0);
      expect(failed / ofChannel.length).toBeLessThan(0.12);
    }
    // Everyone whose message arrived clicked its tracked link; nobody whose message did not.
    const userOfHash = new Map(users.map(({ userId }) => [userHashOf(userId), userId]));
    const clicked = new Set(
      (await local.rekindle.scanTable('Clicks')).flatMap((record) =>
        record.clickedAt ? [userOfHash.get(String(record.userHash))] : [],
      ),
    );
    const delivered = [...statusOf].filter(([, status]) => status === 'delivered').map(([userId]) => userId);
    expect([...clicked].sort()).toEqual(delivered.sort());
    // A permanent bounce turned email off through the consent path, as the second rule does on AWS.
    const bounced = local.rekindle.feed.received.flatMap(({ event }) =>
      event.type === 'ses-event' && event.event['detail-type'] === 'Email Bounced' ? [event] : [],
    );
    /** The parts of an SES event's detail this test reads. */
    type SesDetail = { mail: { messageId: string }; bounce?: { bounceType?: string } };
    const detailOf = (event: (typeof bounced)[number]) => event.event.detail as unknown as SesDetail;
    const permanent = bounced.filter((event) => detailOf(event).bounce?.bounceType === 'Permanent');
    expect(permanent.length).toBeGreaterThan(0);
    const finalUsers = new Map((await local.rekindle.users()).map((user) => [String(user.userId), user]));
    for (const event of permanent) {
      const message = messages.find((candidate) => candidate.messageId === detailOf(event).mail.messageId);
      expect(finalUsers.get(message?.userId ?? '')).toMatchObject({
        consents: { email: false },
        consentSources: { email: 'ses-bounce' },
      });
    }
  });
});
