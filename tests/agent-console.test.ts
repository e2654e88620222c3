import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
