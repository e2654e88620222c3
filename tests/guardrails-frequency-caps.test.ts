import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import type { CampaignInput } from '../functions/campaign/definition';
import { type ContactEntry, defaultFrequencyCaps, withinCaps } from '../functions/guardrails/frequency-caps';
import { createRekindleApp, STACK_NAME } from '../infra/rekindle-app';
import { UserSimulator } from '../local/user-simulator';
import { campaign as registeredNoVisit } from '../statemachines/campaigns/registered-no-visit';
import { RUN_DATE, TIME_ZONE, useLocalRekindle } from './support/local-rekindle';
import { aUser } from './support/users';

/** The same dormancy model twice: both campaigns enroll the same people on the same day. */
const sibling: CampaignInput = { ...registeredNoVisit, id: 'registered-no-visit-sibling', holdoutPercent: 0 };
const local = useLocalRekindle([{ ...registeredNoVisit, holdoutPercent: 0 }, sibling]);
const silent = () =>
  new UserSimulator(
    1,
    Object.fromEntries(['push', 'sms', 'email', 'call'].map((channel) => [channel, { click: 0, optOut: 0 }])),
    0,
  );

const contact = (at: string, channel: ContactEntry['channel']): ContactEntry => ({
  at,
  channel,
  runId: 'r',
});
const caps = defaultFrequencyCaps;
const zone = 'America/Mexico_City';

describe('frequency caps', () => {
  it('allow one message per local day, counted in the person’s own time zone', () => {
    // 23:30 local on the 22nd is 05:30Z on the 23rd; 00:30 local on the 23rd is the next local day.
    const lateEvening = [contact('2026-11-23T05:30:00.000Z', 'sms')];
    expect(withinCaps(lateEvening, 'email', new Date('2026-11-23T05:45:00.000Z'), zone, caps)).toBe(false);
    expect(withinCaps(lateEvening, 'email', new Date('2026-11-23T06:30:00.000Z'), zone, caps)).toBe(true);
  });

  it('allow three messages in any 7 days over push, SMS and email, and two pushes', () => {
    const week = [
      contact('2026-11-16T17:00:00.000Z', 'sms'),
      contact('2026-11-18T17:00:00.000Z', 'push'),
      contact('2026-11-20T17:00:00.000Z', 'push'),
    ];
    expect(withinCaps(week, 'email', new Date('2026-11-22T17:00:00.000Z'), zone, caps)).toBe(false);
    // A week after the first, one slot frees up, but not for a third push.
    expect(withinCaps(week, 'email', new Date('2026-11-23T17:00:01.000Z'), zone, caps)).toBe(true);
    expect(withinCaps(week, 'push', new Date('2026-11-23T17:00:01.000Z'), zone, caps)).toBe(false);
  });

  it('count call tasks apart: one per 7 days, whatever the messages', () => {
    const messages = [contact('2026-11-22T17:00:00.000Z', 'push')];
    expect(withinCaps(messages, 'call', new Date('2026-11-22T18:00:00.000Z'), zone, caps)).toBe(true);
    const called = [...messages, contact('2026-11-20T17:00:00.000Z', 'call')];
    expect(withinCaps(called, 'call', new Date('2026-11-22T18:00:00.000Z'), zone, caps)).toBe(false);
  });

  it('are stack-wide configuration: CDK context overrides the defaults; a bad value fails synthesis', () => {
    const { app } = createRekindleApp({ skipBundling: true, frequencyCaps: { messagesPer7Days: 2 } });
    const template = Template.fromJSON(app.synth().getStackByName(STACK_NAME).template);
    const sendTouch = Object.values(template.findResources('AWS::Lambda::Function')).find(
      (fn) => fn.Metadata?.['rekindle:handler'] === 'send-touch',
    );
    expect(JSON.parse(sendTouch?.Properties.Environment.Variables.FREQUENCY_CAPS)).toEqual({
      ...defaultFrequencyCaps,
      messagesPer7Days: 2,
    });
    expect(() =>
      createRekindleApp({ skipBundling: true, frequencyCaps: '{"messagesPerLocalDay":0}' as never }),
    ).toThrow(
      expect.objectContaining({
        name: 'InvalidGuardrails',
        message: expect.stringContaining('messagesPerLocalDay'),
      }),
    );
  });

  it('hold under real concurrency: two runs sending to the same people at once never both get through', async () => {
    // Prepare: 30 people dormant for both campaigns; both runs' first touches go at the same moment.
    const userIds = Array.from({ length: 30 }, (_, index) => `u-${index}`);
    await local.rekindle.importUsers(userIds.map((userId) => aUser(userId)));

    // Act
    const [first, second] = await local.rekindle.runCampaigns(
      [registeredNoVisit.id, sibling.id].map((campaignId) => ({
        campaignId,
        input: { runDate: RUN_DATE, timeZone: TIME_ZONE },
      })),
      { simulator: silent() },
    );

    // Assess: from the messages alone, nobody got two on one local day, more than three in 7 days, or two pushes.
    const messages = await local.rekindle.sandboxMessages();
    for (const userId of userIds) {
      const own = messages.filter((message) => message.userId === userId);
      const days = own.map((message) =>
        new Date(message.sentAt).toLocaleDateString('en-CA', { timeZone: zone }),
      );
      expect(new Set(days).size).toBe(days.length);
      expect(own.length).toBeLessThanOrEqual(3);
      expect(own.filter((message) => message.channel === 'push').length).toBeLessThanOrEqual(2);
    }
    // Each first touch went to 30 people between the two runs, never 60.
    const firstTouch = [first, second].map((run) => run?.output?.touches[0]);
    expect(firstTouch.reduce((sum, touch) => sum + (touch?.sent.push ?? 0), 0)).toBe(30);
    expect(firstTouch.reduce((sum, touch) => sum + (touch?.skipped['frequency-capped'] ?? 0), 0)).toBe(30);
    // One call task per person in 7 days, over both campaigns.
    const tasks = await local.rekindle.callTasks();
    expect(new Set(tasks.map((task) => task.userId)).size).toBe(tasks.length);
  });

  it('keep a capped member in the run, and offer the capped step again at the next touch', async () => {
    // Prepare
    await local.rekindle.importUsers([aUser('a')]);

    // Act
    const runs = await local.rekindle.runCampaigns(
      [registeredNoVisit.id, sibling.id].map((campaignId) => ({
        campaignId,
        input: { runDate: RUN_DATE, timeZone: TIME_ZONE },
      })),
      { simulator: silent() },
    );

    // Assess: whichever run was capped at touch 1 planned push (its first step) again at touch 2.
    const capped = runs.find((run) => run.output?.touches[0]?.skipped['frequency-capped'] === 1);
    const chunks = (await local.rekindle.scanTable('Touches')).filter(
      (chunk) => chunk.runId === capped?.output?.runId,
    );
    const planned = (touch: number) =>
      (chunks.find((chunk) => chunk.touch === touch)?.plannedRungs as Record<string, number> | undefined)?.a;
    expect(capped).toBeDefined();
    expect([planned(1), planned(2)]).toEqual([0, 0]);
    // It stayed in the run: every touch of that run took it up again.
    expect(chunks.map((chunk) => chunk.touch).sort()).toEqual([1, 2, 3, 4]);
    // Over both runs: never two messages on one local day, never more than three in the week.
    const messages = await local.rekindle.sandboxMessages();
    expect(messages.length).toBeLessThanOrEqual(3);
  });
});
