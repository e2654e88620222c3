import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedProviders } from '../local/provider-events';
import { UserSimulator, uninstalledApps } from '../local/user-simulator';
import { CAMPAIGN, RUN_DATE, RUN_START, useLocalRekindle } from './support/local-rekindle';
import { aUser } from './support/users';

// Every handler logs at DEBUG and prints its metrics, as a deployment turned all the way up would.
process.env.REKINDLE_LOG_LEVEL = 'DEBUG';
process.env.REKINDLE_METRICS = 'emit';
const local = useLocalRekindle();

/** Everything the handlers write to stdout and stderr while the runs play. */
const output: string[] = [];
const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
beforeAll(() => {
  for (const stream of ['stdout', 'stderr'] as const) {
    const original = writes[stream].bind(process[stream]);
    process[stream].write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return original(chunk, ...rest);
    }) as typeof process.stdout.write;
  }
});
afterAll(() => {
  process.stdout.write = writes.stdout;
  process.stderr.write = writes.stderr;
});

/** 80 people with addresses of their own, dormant for registered-no-visit on the first or the second day. */
const people = Array.from({ length: 80 }, (_, index) => {
  const id = String(index).padStart(3, '0');
  return aUser(`person-${id}`, {
    contact: { phone: `+5255${String(70_000_000 + index)}`, email: `person.${id}@mail.example` },
    push: { token: `device-token-${id}-${'x'.repeat(20)}`, platform: index % 2 ? 'apns' : 'fcm' },
    lifecycle: { registeredAt: index < 40 ? '2026-11-19T18:00:00.000Z' : '2026-11-20T18:00:00.000Z' },
  });
});

describe('personal data', () => {
  it('never reaches a log line or a metric dimension, over two days of runs at DEBUG', async () => {
    // Prepare: people who click, reply, unsubscribe and convert; providers that report back; agents calling.
    await local.rekindle.importUsers(people);
    local.rekindle.script(uninstalledApps(people, 7, RUN_START));
    const simulator = new SimulatedProviders(7, new UserSimulator(7));

    // Act: two daily runs, overlapping as on AWS.
    const results = await local.rekindle.runCampaigns(
      [
        { campaignId: CAMPAIGN, input: { runDate: RUN_DATE } },
        {
          campaignId: CAMPAIGN,
          input: { runDate: '2026-11-23' },
          startAt: new Date(RUN_START.getTime() + 24 * 3_600_000),
        },
      ],
      { simulator },
    );
    await local.rekindle.drainScriptedEvents();

    // Assess: it all happened, and was logged.
    expect(results.map((result) => result.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const logged = output.join('');
    const messages = await local.rekindle.sandboxMessages();
    expect(messages.length).toBeGreaterThan(100);
    expect(logged).toMatch(/"level":"DEBUG"|"level":"INFO"/);
    expect(logged).toContain('"_aws"');
    expect(local.rekindle.feed.received.some(({ event }) => event.type === 'agent-call')).toBe(true);
    // None of anyone's phone, email, push token, nor any message's text.
    const secrets = [
      ...people.flatMap((person) => [
        person.contact.phone ?? '',
        person.contact.email ?? '',
        person.push?.token ?? '',
        // Phones as End User Messaging and logs might spell them without the plus.
        (person.contact.phone ?? '').slice(1),
      ]),
      ...messages.flatMap((message) => [message.body, ...('subject' in message ? [message.subject] : [])]),
    ].filter((secret) => secret.length > 6);
    const leaked = secrets.filter((secret) => logged.includes(secret));
    expect(leaked).toEqual([]);
  });
});
