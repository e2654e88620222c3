import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../functions/campaign/run';
import {
  busiestSecond,
  CAMPAIGN,
  RUN_DATE,
  TIME_ZONE,
  useLocalRekindle,
  usersOn,
} from './support/local-rekindle';

const SMS_PER_SECOND = 5;
/** The email provider takes 1 message a second, though the stack is configured for its default 14. */
const EMAIL_PROVIDER_PER_SECOND = 1;
const local = useLocalRekindle(undefined, {
  sendRates: { sms: SMS_PER_SECOND },
  sandboxRates: { email: EMAIL_PROVIDER_PER_SECOND },
});

const ids = (from: number, count: number) =>
  Array.from({ length: count }, (_, index) => `user-${String(from + index).padStart(3, '0')}`);

describe('pacing', () => {
  it('keeps two runs sending at once under the SMS rate together, and near it while they send', async () => {
    // Prepare: 200 users reachable by SMS only; two operator launches of 100 users each start together.
    await local.rekindle.importUsers(await usersOn(200, ['sms']));

    // Act
    const results = await local.rekindle.runCampaigns(
      [ids(0, 100), ids(100, 100)].map((userIds) => ({
        campaignId: CAMPAIGN,
        input: { runDate: RUN_DATE, timeZone: TIME_ZONE, userIds },
      })),
    );

    // Assess: 200 SMS once each, never more than 5 in any second, at ≥ 90% of 5/s from first to last.
    expect(results.map((result) => result.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const sms = (await local.rekindle.sandboxMessages()).filter((message) => message.touch === 1);
    expect(new Set(sms.map((message) => message.userId)).size).toBe(200);
    expect(sms).toHaveLength(200);
    expect(new Set(sms.map((message) => message.runId)).size).toBe(2);
    expect(busiestSecond(sms.map((message) => message.sentAt))).toBe(SMS_PER_SECOND);
    const first = Date.parse(sms[0]?.sentAt ?? '');
    const last = Date.parse(sms.at(-1)?.sentAt ?? '');
    const achieved = sms.length / ((last - first) / 1000 + 1 / SMS_PER_SECOND);
    expect(achieved).toBeGreaterThanOrEqual(0.9 * SMS_PER_SECOND);
    expect(achieved).toBeLessThanOrEqual(SMS_PER_SECOND);
    // The runs' sends interleave on the one ledger: neither waited for the other to finish.
    const [a, b] = results.map((result) => (result.output as RunSummary).touches[0]);
    expect(String(a?.firstSentAt) < String(b?.lastSentAt)).toBe(true);
    expect(String(b?.firstSentAt) < String(a?.lastSentAt)).toBe(true);
    expect(local.rekindle.providerLimits.throttled.sms).toBe(0);
  });

  it('sends nobody twice when the worker dies between the provider call and recording its results', async () => {
    // Prepare: the second chunk's 25 SMS reach the provider, then the Lambda dies as it writes their results.
    await local.rekindle.importUsers(await usersOn(100, ['sms']));
    const { documentClient } = await import('../functions/clients/dynamodb');
    let resultsWritten = 0;
    documentClient.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { UpdateExpression?: string };
        if (input.UpdateExpression?.startsWith('SET results') && ++resultsWritten === 2) {
          const crash = new Error('The function crashed');
          crash.name = 'Lambda.ServiceException';
          throw crash;
        }
        return next(args);
      },
      { step: 'initialize', name: 'crashOnSecondResults' },
    );

    // Act: Step Functions retries the child (the state machine's Retry on Lambda.ServiceException).
    const result = await local.rekindle
      .runCampaign(CAMPAIGN, { runDate: RUN_DATE, timeZone: TIME_ZONE })
      .finally(() => documentClient.middlewareStack.remove('crashOnSecondResults'));

    // Assess: the claimed chunk is never sent again; everyone else gets the SMS once, paced.
    expect(result.status).toBe('SUCCEEDED');
    const sms = (await local.rekindle.sandboxMessages()).filter((message) => message.touch === 1);
    expect(new Set(sms.map((message) => message.userId)).size).toBe(sms.length);
    const touch1 = result.output?.touches[0];
    expect(touch1?.skipped).toEqual({ 'already-claimed': 25 });
    expect(touch1?.sent).toEqual({ sms: 75 });
    // All 100 reached the provider once: 75 recorded in results, 25 in the chunk whose results were lost.
    expect(sms).toHaveLength(100);
    expect(busiestSecond(sms.map((message) => message.sentAt))).toBeLessThanOrEqual(SMS_PER_SECOND);
  });

  it('retries what a provider slower than its configured rate throttles, past the worker’s deadline, losing nobody', async () => {
    // Prepare: 250 users reachable by email only. Paced at 14/s, the sends meet SES's own throttling
    // (TooManyRequestsException) at 1/s: 250 emails need more than one worker's 3.5-minute budget.
    await local.rekindle.importUsers(await usersOn(250, ['email']));

    // Act
    const result = await local.rekindle.runCampaign(CAMPAIGN, { runDate: RUN_DATE, timeZone: TIME_ZONE });

    // Assess: everyone gets the email once, at the provider's pace; no throttled send became a failure.
    expect(result.status).toBe('SUCCEEDED');
    const emails = (await local.rekindle.sandboxMessages()).filter((message) => message.touch === 1);
    expect(emails).toHaveLength(250);
    expect(new Set(emails.map((message) => message.userId)).size).toBe(250);
    expect(busiestSecond(emails.map((message) => message.sentAt))).toBe(EMAIL_PROVIDER_PER_SECOND);
    const touch1 = result.output?.touches[0];
    expect(touch1?.sent).toEqual({ email: 250 });
    expect(touch1?.skipped).toEqual({});
    // Every refusal was tried again and counted, over all the touch's passes.
    const refused = local.rekindle.providerLimits.throttled.email;
    expect(refused).toBeGreaterThan(250);
    expect(touch1?.throttleRetries).toBe(refused);
    // Members still throttled at the first worker's deadline went on in a retry chunk of a later pass.
    const retryChunks = (await local.rekindle.scanTable('Touches')).filter((chunk) =>
      /^t1#c1\d{4}$/.test(String(chunk.touchChunk)),
    );
    expect(retryChunks.length).toBeGreaterThan(0);
    const span = Date.parse(emails.at(-1)?.sentAt ?? '') - Date.parse(emails[0]?.sentAt ?? '');
    expect(span).toBeGreaterThan(210_000);
  });
});
