import { Template } from 'aws-cdk-lib/assertions';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { defaultQuietHours, isQuietHour } from '../functions/guardrails/quiet-hours';
import { createRekindleApp, STACK_NAME } from '../infra/rekindle-app';
import { campaign as registeredNoVisit } from '../statemachines/campaigns/registered-no-visit';
import { CAMPAIGN, RUN_DATE, useLocalRekindle } from './support/local-rekindle';
import { aUser } from './support/users';

const local = useLocalRekindle();
const at = (localTime: string, zone: string) => DateTime.fromISO(localTime, { zone }).toJSDate();

describe('quiet hours', () => {
  it.each([
    ['20:59', false],
    ['21:00', true],
    ['23:30', true],
    ['00:00', true],
    ['08:59', true],
    ['09:00', false],
    ['12:00', false],
  ])(
    'hold for push, SMS and email from 21:00 to 09:00 in the user’s own time: %s is quiet: %s',
    (time, quiet) => {
      expect(isQuietHour(at(`2026-11-22T${time}`, 'Asia/Tokyo'), defaultQuietHours.sms, 'Asia/Tokyo')).toBe(
        quiet,
      );
    },
  );

  it('hold calls to 09:00–20:00', () => {
    const zone = 'America/Mexico_City';
    expect(isQuietHour(at('2026-11-22T19:59', zone), defaultQuietHours.call, zone)).toBe(false);
    expect(isQuietHour(at('2026-11-22T20:00', zone), defaultQuietHours.call, zone)).toBe(true);
  });

  it('fail synthesis for a campaign whose send window falls inside them, naming the campaign, window and channel', () => {
    const late = { ...registeredNoVisit, sendWindows: [{ start: '20:00', end: '22:00' }] };
    expect(() => createRekindleApp({ skipBundling: true, campaigns: [late] })).toThrow(
      expect.objectContaining({
        name: 'CampaignInQuietHours',
        message:
          'Campaign registered-no-visit: send window 20:00–22:00 falls inside push quiet hours 21:00–09:00',
      }),
    );
  });

  it('are changed without code: CDK context sets them stack-wide, and the shipped campaigns are checked against them', () => {
    // A stricter evening for SMS: the shipped 19:00–21:00 window no longer fits.
    const strict = () =>
      createRekindleApp({ skipBundling: true, quietHours: { sms: { start: '20:00', end: '09:00' } } });
    expect(strict).toThrow(
      expect.objectContaining({
        name: 'CampaignInQuietHours',
        message: expect.stringContaining('send window 19:00–21:00 falls inside sms quiet hours 20:00–09:00'),
      }),
    );

    const { app } = createRekindleApp({
      skipBundling: true,
      quietHours: { email: { start: '22:00', end: '08:00' } },
    });
    const template = Template.fromJSON(app.synth().getStackByName(STACK_NAME).template);
    const sendTouch = Object.values(template.findResources('AWS::Lambda::Function')).find(
      (fn) => fn.Metadata?.['rekindle:handler'] === 'send-touch',
    );
    expect(JSON.parse(sendTouch?.Properties.Environment.Variables.QUIET_HOURS)).toEqual({
      ...defaultQuietHours,
      email: { start: '22:00', end: '08:00' },
    });
  });

  it.each([
    ['not JSON', '{sms', 'quietHours: must be JSON'],
    ['a bad time', '{"sms":{"start":"25:00","end":"09:00"}}', 'quietHours.sms.start: must be a local time'],
    ['an unknown channel', '{"fax":{"start":"21:00","end":"09:00"}}', 'quietHours.fax: unknown field'],
  ])('reject a configuration that is %s with InvalidGuardrails', (_case, value, message) => {
    // Prepare: the value as `-c quietHours=...` hands it over, a string.
    expect(() => createRekindleApp({ skipBundling: true, quietHours: value as never })).toThrow(
      expect.objectContaining({ name: 'InvalidGuardrails', message: expect.stringContaining(message) }),
    );
  });

  it('hold a userIds launch to each user’s own hours: nothing reaches Tokyo at 2 a.m.', async () => {
    // Prepare: the run's windows are Mexico City's; 11:00 there is 02:00 in Tokyo.
    await local.rekindle.importUsers([aUser('mexico-city'), aUser('tokyo', { timeZone: 'Asia/Tokyo' })]);

    // Act
    const result = await local.rekindle.runCampaign(CAMPAIGN, {
      runDate: RUN_DATE,
      userIds: ['mexico-city', 'tokyo'],
    });

    // Assess: every message to Tokyo would have been inside its quiet hours; the call task only queues.
    const messages = await local.rekindle.sandboxMessages();
    expect(messages.filter((message) => message.userId === 'tokyo')).toEqual([]);
    expect(messages.filter((message) => message.userId === 'mexico-city').map((m) => m.channel)).toEqual([
      'push',
      'sms',
      'email',
    ]);
    expect(result.output?.touches.map((touch) => touch.skipped['quiet-hours'] ?? 0)).toEqual([1, 1, 1, 0]);
    for (const message of messages) {
      expect(
        isQuietHour(new Date(message.sentAt), defaultQuietHours[message.channel], 'America/Mexico_City'),
      ).toBe(false);
    }
  });
});
