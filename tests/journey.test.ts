import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { generatePopulation } from '../local/population';
import { UserSimulator } from '../local/user-simulator';
import { CAMPAIGN, RUN_DATE, TIME_ZONE, useLocalRekindle } from './support/local-rekindle';
import { aUser } from './support/users';

const local = useLocalRekindle();
const runInput = { runDate: RUN_DATE, timeZone: TIME_ZONE };
const dormant = { lifecycle: { registeredAt: '2026-11-01T18:00:00.000Z' } };

describe('the registered-no-visit journey', () => {
  it('sends no SMS to a user who logged in after the push, and no push to a user without a push token', async () => {
    // Prepare: everybody who gets a push clicks and logs in.
    await local.rekindle.importUsers([
      aUser('has-app', dormant),
      aUser('uninstalled', { ...dormant, push: null }),
    ]);
    const simulator = new UserSimulator(7, { push: { click: 1, loginAfterClick: 1 }, sms: { click: 0 } });

    // Act
    const result = await local.rekindle.runCampaign(CAMPAIGN, runInput, { simulator });

    // Assess
    const sent = (await local.rekindle.sandboxMessages()).map(
      ({ userId, channel }) => `${userId}:${channel}`,
    );
    expect(sent.sort()).toEqual(['has-app:push', 'uninstalled:sms']);
    expect(result.output?.steps).toEqual([
      { step: 'push', channel: 'push', sent: 1, skipped: { 'no-address': 1 }, converted: 1 },
      { step: 'sms', channel: 'sms', sent: 1, skipped: { converted: 1 }, converted: 0 },
    ]);
    const enrollments = await local.rekindle.scanTable('Enrollments');
    expect(enrollments.find((item) => item.userId === 'has-app')).toMatchObject({
      status: 'converted',
      convertedAfterStep: 'push',
    });
    expect(enrollments.find((item) => item.userId === 'uninstalled')).toMatchObject({ status: 'completed' });
  });

  it('credits a login that arrives after the last touch, within the conversion window, to that touch', async () => {
    // Prepare
    await local.rekindle.importUsers([aUser('late-converter', { ...dormant, push: null })]);
    const simulator = new UserSimulator(7, {
      sms: { click: 1, loginAfterClick: 1, meanMinutesToClick: 600 },
    });

    // Act
    const result = await local.rekindle.runCampaign(CAMPAIGN, runInput, { simulator });

    // Assess
    expect(result.output?.steps.map((step) => step.converted)).toEqual([0, 1]);
    expect(result.output?.totalConverted).toBe(1);
  });

  it('sends every touch inside a send window of the user, and the SMS at least a day after the push', async () => {
    // Prepare
    const population = generatePopulation({ seed: 3, runDate: RUN_DATE, timeZone: TIME_ZONE, size: 300 });
    await local.rekindle.importUsers(population);

    // Act
    await local.rekindle.runCampaign(CAMPAIGN, runInput, { simulator: new UserSimulator(3) });

    // Assess
    const messages = await local.rekindle.sandboxMessages();
    expect(messages.length).toBeGreaterThan(100);
    for (const message of messages) {
      const local = DateTime.fromISO(message.sentAt, { zone: TIME_ZONE });
      const minute = local.hour * 60 + local.minute;
      const inMorning = minute >= 11 * 60 && minute < 12 * 60;
      const inEvening = minute >= 19 * 60 && minute < 21 * 60;
      expect(inMorning || inEvening, `${message.userId} ${message.channel} at ${local.toISO()}`).toBe(true);
    }
    const pushAt = new Map(
      messages.filter((m) => m.channel === 'push').map((m) => [m.userId, Date.parse(m.sentAt)]),
    );
    for (const sms of messages.filter((m) => m.channel === 'sms')) {
      const push = pushAt.get(sms.userId);
      if (push !== undefined)
        expect(Date.parse(sms.sentAt) - push).toBeGreaterThanOrEqual(24 * 60 * 60 * 1000);
    }
  });

  it('records each sandbox message with user, channel, body, virtual send time, run and step', async () => {
    // Prepare
    await local.rekindle.importUsers([aUser('english', { ...dormant, locale: 'en-US' })]);

    // Act
    await local.rekindle.runCampaign(CAMPAIGN, runInput);

    // Assess
    const [push, sms] = await local.rekindle.sandboxMessages();
    const runId = `${CAMPAIGN}#${RUN_DATE}#${TIME_ZONE}`;
    expect(push).toMatchObject({
      userId: 'english',
      channel: 'push',
      title: 'Your credit line is waiting',
      body: 'Finish setting up your account in two minutes.',
      sentAt: '2026-11-22T17:00:00.000Z', // 11:00 local, the first window after the 10:30 start
      runId,
      step: 'push',
    });
    expect(sms).toMatchObject({
      userId: 'english',
      channel: 'sms',
      sentAt: '2026-11-23T17:00:00.000Z',
      runId,
      step: 'sms',
    });
    expect(push).not.toHaveProperty('address');
    const touches = await local.rekindle.scanTable('Touches');
    expect(touches.map((touch) => [touch.touchId, touch.status, touch.messageId])).toEqual([
      [`${runId}#push`, 'sent', push?.messageId],
      [`${runId}#sms`, 'sent', sms?.messageId],
    ]);
  });

  it('gives the same result for the same seed', async () => {
    // Prepare
    const population = generatePopulation({ seed: 11, runDate: RUN_DATE, timeZone: TIME_ZONE, size: 200 });
    const runOnce = async () => {
      await local.rekindle.resetData(DateTime.fromISO(`${RUN_DATE}T10:30`, { zone: TIME_ZONE }).toJSDate());
      await local.rekindle.importUsers(population);
      const result = await local.rekindle.runCampaign(CAMPAIGN, runInput, {
        simulator: new UserSimulator(11, { push: { click: 0.4 }, sms: { click: 0.3 } }),
      });
      return { summary: result.output, messages: await local.rekindle.sandboxMessages() };
    };

    // Act
    const first = await runOnce();
    const second = await runOnce();

    // Assess
    expect(first.summary?.totalConverted).toBeGreaterThan(0);
    expect(second).toEqual(first);
  });
});
