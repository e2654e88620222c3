import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentConsolePage, consoleHeaders } from '../functions/agents/console-page';
import type { CallTask } from '../functions/channels/call-task-queue';
import { startAgentDesk } from '../local/agents';
import { launchChromium } from './support/chromium';

describe('the agent console in Chromium, against DynamoDB Local', () => {
  let desk: Awaited<ReturnType<typeof startAgentDesk>>;
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];

  beforeAll(async () => {
    desk = await startAgentDesk();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 420, height: 900 } });
    page.setDefaultTimeout(10_000);
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(desk.url);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await desk?.stop();
  });

  const tasks = async () => (await desk.rekindle.scanTable('CallTasks')) as unknown as CallTask[];

  it('signs in, takes a task, records its outcome and takes the next, on a phone-sized screen', async () => {
    // Act: sign in as Ana, take the first task.
    await page.selectOption('#agent', 'ana');
    await page.click('#sign-in-button');
    await page.click('#next');
    await page.waitForSelector('#task:not([hidden])');
    const firstTitle = await page.textContent('#task-title');
    const phone = await page.textContent('#phone');
    const history = await page.locator('#history li').allTextContents();

    // Record "not interested, rate too high" and take the next one.
    await page.selectOption('#disposition', 'reached-not-interested');
    await page.waitForSelector('#reason-field:not([hidden])');
    await page.selectOption('#reason', 'rate-too-high');
    await page.fill('#note', 'Wants a lower rate');
    await page.click('#record');
    await page.locator('#status', { hasText: 'Recorded' }).waitFor();
    const recorded = await page.textContent('#status');
    await page.click('#next');
    await page.waitForSelector('#task:not([hidden])');
    const secondTitle = await page.textContent('#task-title');

    // Assess: the page showed the script, the phone and the history; the outcome reached the table.
    expect(firstTitle).toMatch(/^registered-no-visit · priority 1 · attempt 1$/);
    expect(phone).toMatch(/^\+52551000000\d$/);
    expect(history).toHaveLength(3);
    expect(history[1]).toMatch(/^sms .*\[link: app\]/);
    expect(recorded).toBe('Recorded: reached-not-interested (closed).');
    expect(secondTitle).toMatch(/^registered-no-visit · priority 1 · attempt 1$/);
    const closed = (await tasks()).filter((task) => task.status === 'closed');
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({
      closedAs: 'reached-not-interested',
      closedBy: 'agent-ana',
      calls: [expect.objectContaining({ reason: 'rate-too-high', note: 'Wants a lower rate' })],
    });
    expect((await tasks()).filter((task) => task.leasedBy === 'agent-ana')).toHaveLength(1);
    // Nothing but the page and its own API.
    expect(requests.every((url) => url.startsWith(desk.url))).toBe(true);
  });
});

describe('the agent console on AWS: signing in with the Cognito user pool', () => {
  it('answers each challenge Cognito asks (new password, authenticator setup) and calls the API with the ID token', async () => {
    // Prepare: the page as the stack serves it; Cognito and the API have no local form here, so the browser's
    // requests to them are answered by a stand-in that records them.
    const signIn = { kind: 'cognito' as const, region: 'us-east-1', clientId: 'client-123' };
    const page = agentConsolePage({ signIn });
    const browser = await launchChromium();
    const tab = await browser.newPage();
    const cognitoCalls: { target: string; body: Record<string, unknown> }[] = [];
    const apiCalls: { path: string; authorization: string | undefined }[] = [];
    await tab.route('https://agents.example/', (route) =>
      route.fulfill({ status: 200, headers: consoleHeaders(page, signIn), body: page }),
    );
    await tab.route('https://cognito-idp.us-east-1.amazonaws.com/', async (route) => {
      const target = String(route.request().headers()['x-amz-target']).split('.').pop() ?? '';
      const body = route.request().postDataJSON() as Record<string, unknown>;
      cognitoCalls.push({ target, body });
      const answers: Record<string, unknown> = {
        InitiateAuth: { ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: 's1' },
        AssociateSoftwareToken: { SecretCode: 'JBSWY3DPEHPK3PXP', Session: 's3' },
        VerifySoftwareToken: { Status: 'SUCCESS', Session: 's4' },
      };
      const challenge = (body as { ChallengeName?: string }).ChallengeName;
      const answer =
        target === 'RespondToAuthChallenge'
          ? challenge === 'NEW_PASSWORD_REQUIRED'
            ? { ChallengeName: 'MFA_SETUP', Session: 's2' }
            : { AuthenticationResult: { IdToken: 'id-token-of-ana', AccessToken: 'access' } }
          : answers[target];
      await route.fulfill({
        status: 200,
        contentType: 'application/x-amz-json-1.1',
        body: JSON.stringify(answer),
      });
    });
    await tab.route('https://agents.example/queues/**', (route) => {
      apiCalls.push({
        path: new URL(route.request().url()).pathname,
        authorization: route.request().headers().authorization,
      });
      return route.fulfill({ status: 204 });
    });

    // Act: first sign-in of an account an administrator created: password, new password, authenticator app.
    await tab.goto('https://agents.example/');
    await tab.fill('#email', 'ana@lender.example');
    await tab.fill('#password', 'Temporary-Pass-1');
    await tab.click('#sign-in-button');
    await tab.locator('#new-password-field:not([hidden])').waitFor();
    await tab.fill('#new-password', 'A-new-Passw0rd!');
    await tab.click('#sign-in-button');
    await tab.locator('#totp-secret:not([hidden])').waitFor();
    const secret = await tab.textContent('#totp-secret');
    await tab.fill('#code', '123456');
    await tab.click('#sign-in-button');
    await tab.locator('#desk:not([hidden])').waitFor();
    await tab.click('#next');
    await tab.locator('#status', { hasText: 'Nothing to call' }).waitFor();
    await browser.close();

    // Assess: each step as Cognito's API expects it; the API got the ID token.
    expect(cognitoCalls.map((call) => call.target)).toEqual([
      'InitiateAuth',
      'RespondToAuthChallenge',
      'AssociateSoftwareToken',
      'VerifySoftwareToken',
      'RespondToAuthChallenge',
    ]);
    expect(cognitoCalls[0]?.body).toEqual({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: 'client-123',
      AuthParameters: { USERNAME: 'ana@lender.example', PASSWORD: 'Temporary-Pass-1' },
    });
    expect(cognitoCalls[1]?.body).toMatchObject({
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session: 's1',
      ChallengeResponses: { USERNAME: 'ana@lender.example', NEW_PASSWORD: 'A-new-Passw0rd!' },
    });
    expect(cognitoCalls[3]?.body).toEqual({ Session: 's3', UserCode: '123456' });
    expect(cognitoCalls[4]?.body).toMatchObject({ ChallengeName: 'MFA_SETUP', Session: 's4' });
    expect(secret).toContain('JBSWY3DPEHPK3PXP');
    expect(apiCalls).toEqual([{ path: '/queues/onboarding/next', authorization: 'Bearer id-token-of-ana' }]);
  });
});
