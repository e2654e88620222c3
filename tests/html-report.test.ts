import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel } from '../functions/campaign/definition';
import { compareVariants, type FunnelRow } from '../functions/campaign/funnel';
import { type Lift, liftOf } from '../functions/campaign/lift';
import type { RunSummary, TouchSummary } from '../functions/campaign/run';
import { renderHtmlReport } from '../functions/reports/html-report';
import type { ReportData, ReportRun } from '../functions/reports/report-data';
import { launchChromium } from './support/chromium';

// Prepare, by hand: registered-no-visit runs three times over ISO weeks 47 and 48 (the 19th with two push
// variants and a holdout of 40, the 24th still interim); a campaign whose id is markup runs once, without holdout.
const LOGIN_CAMPAIGN = 'registered-no-visit';
const MARKUP_CAMPAIGN = '<script>alert("rekindle")</script>&co';

/** A funnel row: delivery reports on SMS and email (one without a final word), opens on email only. */
const row = (
  touch: number,
  channel: Channel,
  variant: string,
  sent: number,
  clicked: number,
  loggedIn: number,
): FunnelRow => {
  const reported = channel === 'sms' || channel === 'email';
  const delivered = Math.round(sent * 0.9);
  return {
    touch,
    channel,
    variant,
    offer: touch === 1 ? null : '10 interest-free days',
    sent,
    delivered: reported ? delivered : null,
    failed: reported ? sent - delivered - 1 : null,
    unreported: reported ? 1 : null,
    opened: channel === 'email' ? Math.round(delivered / 4) : null,
    clicked,
    scanned: channel === 'email' ? 3 : 0,
    ...(channel === 'call'
      ? { attempted: sent, reached: Math.floor(sent / 2), notInterested: { 'rate-too-high': 1 } }
      : { attempted: null, reached: null, notInterested: null }),
    loggedIn,
    applied: Math.floor(loggedIn / 2),
    drewDown: Math.floor(loggedIn / 4),
  };
};

/** Each touch's sends by channel, from the funnel rows, with the conversions credited to it. */
const touchesOf = (funnel: readonly FunnelRow[], convertedByTouch: readonly number[]): TouchSummary[] =>
  convertedByTouch.map((converted, index) => {
    const sent: TouchSummary['sent'] = {};
    for (const { channel, sent: count } of funnel.filter((candidate) => candidate.touch === index + 1)) {
      sent[channel] = (sent[channel] ?? 0) + count;
    }
    return {
      touch: index + 1,
      sent,
      skipped: {},
      optedOut: {},
      converted,
      heldMinutes: 0,
      windows: 1,
      carriedOver: 0,
      throttleRetries: 0,
    };
  });

interface RunSpec {
  campaignId: string;
  goal: string;
  runDate: string;
  messaged: number;
  holdout: { size: number; converted: number };
  convertedByTouch: number[];
  funnel: FunnelRow[];
  /** Dollars per channel; messages are the funnel's sends. */
  usd: Partial<Record<Channel, number>>;
  orchestrationUsd: number;
  interim?: boolean;
}

const reportRun = (spec: RunSpec): ReportRun => {
  const converted = spec.convertedByTouch.reduce((sum, count) => sum + count, 0);
  const lift = liftOf({ converted, size: spec.messaged }, spec.holdout);
  const summary: RunSummary = {
    runId: `${spec.campaignId}#${spec.runDate}#America/Mexico_City`,
    campaignId: spec.campaignId,
    runDate: spec.runDate,
    timeZone: 'America/Mexico_City',
    goal: spec.goal,
    dryRun: false,
    selection: {
      candidates: spec.messaged + spec.holdout.size + 100,
      filteredOut: 60,
      inCooldown: 40,
      overLimit: 0,
      enrolled: spec.messaged + spec.holdout.size,
      holdout: spec.holdout.size,
      batchCount: 4,
    },
    cohortSize: spec.messaged + spec.holdout.size,
    touches: touchesOf(spec.funnel, spec.convertedByTouch),
    convertedBeforeFirstTouch: 0,
    totalConverted: converted,
    completed: spec.messaged - converted,
    exited: { converted },
    holdout: spec.holdout,
    liftPoints: lift?.points ?? null,
    ...(lift ? { lift } : {}),
    brakes: { heldMinutes: 0, holds: [] },
  };
  const byChannel: ReportRun['cost']['byChannel'] = {};
  for (const [channel, usd] of Object.entries(spec.usd) as [Channel, number][]) {
    const messages = spec.funnel
      .filter((candidate) => candidate.channel === channel)
      .reduce((sum, candidate) => sum + candidate.sent, 0);
    byChannel[channel] = { messages, usd };
  }
  const totalUsd = Object.values(spec.usd).reduce((sum, usd) => sum + usd, 0) + spec.orchestrationUsd;
  return {
    summary,
    funnel: spec.funnel,
    variants: compareVariants(spec.funnel),
    cost: {
      byChannel,
      orchestrationUsd: spec.orchestrationUsd,
      totalUsd,
      perConversionUsd: converted === 0 ? null : totalUsd / converted,
    },
    interim: spec.interim ?? false,
    scannerClicks: { email: 7 },
  };
};

const telling = reportRun({
  campaignId: LOGIN_CAMPAIGN,
  goal: 'login',
  runDate: '2026-11-16',
  messaged: 1200,
  holdout: { size: 400, converted: 16 },
  convertedByTouch: [90, 20, 10],
  funnel: [
    row(1, 'push', 'default', 800, 160, 90),
    row(1, 'sms', 'default', 400, 60, 30),
    row(2, 'email', 'default', 700, 70, 20),
    row(3, 'call', 'default', 300, 0, 10),
  ],
  usd: { push: 0.8, sms: 3, email: 0.07, call: 600 },
  orchestrationUsd: 0.01,
});
const withVariants = reportRun({
  campaignId: LOGIN_CAMPAIGN,
  goal: 'login',
  runDate: '2026-11-19',
  messaged: 900,
  holdout: { size: 40, converted: 2 },
  convertedByTouch: [70, 11],
  funnel: [
    row(1, 'push', 'default', 300, 60, 30),
    row(1, 'push', 'short', 300, 81, 40),
    row(1, 'sms', 'default', 300, 45, 20),
    row(2, 'email', 'default', 500, 40, 11),
  ],
  usd: { push: 0.6, sms: 2.25, email: 0.05 },
  orchestrationUsd: 0.01,
});
const interim = reportRun({
  campaignId: LOGIN_CAMPAIGN,
  goal: 'login',
  runDate: '2026-11-24',
  messaged: 1000,
  holdout: { size: 300, converted: 6 },
  convertedByTouch: [50],
  funnel: [row(1, 'push', 'default', 700, 120, 35), row(1, 'sms', 'default', 300, 40, 15)],
  usd: { push: 0.7, sms: 2.25 },
  orchestrationUsd: 0.01,
  interim: true,
});
const withoutHoldout = reportRun({
  campaignId: MARKUP_CAMPAIGN,
  goal: 'drawdown',
  runDate: '2026-11-25',
  messaged: 500,
  holdout: { size: 0, converted: 0 },
  convertedByTouch: [10],
  funnel: [row(1, 'sms', 'default', 500, 50, 40)],
  usd: { sms: 3.75 },
  orchestrationUsd: 0.01,
});
const loginRuns = [telling, withVariants, interim];
const data: ReportData = {
  source: 'local output /tmp/rekindle-run',
  generatedAt: '2026-11-26T09:00:00.000Z',
  from: '2026-11-16',
  to: '2026-11-25',
  runs: [interim, withoutHoldout, telling, withVariants],
};

const signed = (value: number) => `${value >= 0 ? '+' : ''}${value}`;
const liftText = (lift: Lift) =>
  `${signed(lift.points)} pts (95% CI ${signed(lift.low)} to ${signed(lift.high)})`;
const liftOfRun = (run: ReportRun) => {
  if (!run.summary.lift) throw new Error(`fixture: ${run.summary.runId} has no lift`);
  return run.summary.lift;
};
/** A CSS attribute selector for any value, quotes included. */
const withAttribute = (name: string, value: string) => `[${name}=${JSON.stringify(value)}]`;
const runArticle = (run: ReportRun) => `article.run${withAttribute('data-run', run.summary.runId)}`;
const campaignSection = (campaignId: string) =>
  `section.campaign${withAttribute('data-campaign', campaignId)}`;
const sumOf = (runs: readonly ReportRun[], pick: (run: ReportRun) => number) =>
  runs.reduce((sum, run) => sum + pick(run), 0);

describe('the HTML report as a string', () => {
  const html = renderHtmlReport(data);

  it('shows how many members agents called and reached, on call rows only', () => {
    // Assess: the call row (300 sent, all called, 150 reached) has both; other channels show a dash.
    expect(html).toMatch(/<th>called<\/th><th>reached<\/th>/);
    expect(html).toMatch(
      /300 <span class="rate">100(\.0)?%<\/span><\/td><td>150 <span class="rate">50(\.0)?%<\/span>/,
    );
  });

  it('escapes the texts that come from data', () => {
    // Assess
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(&quot;rekindle&quot;)&lt;/script&gt;&amp;co');
  });

  it('refers to nothing outside the file: no scripts, stylesheets, images, fonts or external URLs', () => {
    // Assess
    expect(html).not.toMatch(/<(script|link|img|iframe|object|embed)\b/i);
    expect(html).not.toMatch(/\b(src|href|xlink:href|srcset|poster|action)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/url\(\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/@import/i);
  });
});

describe('the HTML report in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let directory: string;
  let fileUrl: string;
  const requests: string[] = [];

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'rekindle-report-'));
    const file = join(directory, 'report.html');
    writeFileSync(file, renderHtmlReport(data));
    fileUrl = pathToFileURL(file).href;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    // A missing element fails in seconds, not after Playwright's 30 s default.
    page.setDefaultTimeout(5_000);
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(fileUrl, { waitUntil: 'load' });
  });

  afterAll(async () => {
    await browser?.close();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  it('asks for nothing but the file itself', () => {
    // Assess
    expect(requests).toEqual([fileUrl]);
  });

  it('draws every chart: an SVG with its bars, intervals and lines, of a visible size', async () => {
    // Act
    const charts = await page.$$eval('figure.chart', (figures) =>
      figures.map((figure) => {
        const svg = figure.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        const marks = [...figure.querySelectorAll('[ecmeta_ssr_type="chart"]')];
        return {
          name: figure.getAttribute('data-chart'),
          width: box?.width ?? 0,
          height: box?.height ?? 0,
          paths: figure.querySelectorAll('svg path').length,
          marks: marks.length,
          circles: figure.querySelectorAll('svg circle').length,
          tallestMark: Math.max(0, ...marks.map((mark) => mark.getBoundingClientRect().height)),
        };
      }),
    );

    // Assess
    const byName = new Map(charts.map((chart) => [chart.name, chart]));
    expect([...byName.keys()].sort()).toEqual(
      [
        ...['funnel', 'conversions', 'variants', 'lift', 'weekly'].map((kind) => `${kind}-${LOGIN_CAMPAIGN}`),
        ...['funnel', 'conversions', 'weekly'].map((kind) => `${kind}-${MARKUP_CAMPAIGN}`),
      ].sort(),
    );
    for (const chart of charts) {
      expect(chart.width, `${chart.name} width`).toBeGreaterThan(300);
      expect(chart.height, `${chart.name} height`).toBeGreaterThan(100);
      expect(chart.paths, `${chart.name} paths`).toBeGreaterThan(5);
      expect(chart.tallestMark, `${chart.name} drawn marks`).toBeGreaterThan(4);
    }
    // The login campaign's funnel: a bar per stage a channel knows (push 5, SMS 6, email 7, call 4: no clicks).
    expect(byName.get(`funnel-${LOGIN_CAMPAIGN}`)?.marks).toBe(5 + 6 + 7 + 4);
    expect(byName.get(`funnel-${MARKUP_CAMPAIGN}`)?.marks).toBe(6);
    // Three runs and all runs together; one variant's clicks and logins: a dot at each estimate.
    expect(byName.get(`lift-${LOGIN_CAMPAIGN}`)?.circles).toBe(4);
    expect(byName.get(`variants-${LOGIN_CAMPAIGN}`)?.circles).toBe(2);
    // Two weeks: sent and converted bars, and the rate's two points.
    expect(byName.get(`weekly-${LOGIN_CAMPAIGN}`)?.marks).toBe(2 + 2 + 2);
  });

  it('labels the interim run, and the weeks and campaigns that hold one', async () => {
    // Assess
    const interimRun = page.locator(runArticle(interim));
    await expect(interimRun.locator('.badge.interim').textContent()).resolves.toBe('interim');
    await expect(interimRun.textContent()).resolves.toContain('the conversion window is still open');
    for (const run of [telling, withVariants, withoutHoldout]) {
      await expect(page.locator(`${runArticle(run)} .badge.interim`).count()).resolves.toBe(0);
    }
    await expect(page.locator('body').innerText()).resolves.toContain('2026-W48 (interim)');
    await expect(page.locator('body').innerText()).resolves.toContain('2026-W47\t');
  });

  it('warns in plain words where the holdout is too small to tell, and only there', async () => {
    // Prepare
    expect(liftOfRun(withVariants).tooSmallToTell).toBe(true);
    expect(liftOfRun(telling).tooSmallToTell).toBe(false);
    expect(liftOfRun(interim).tooSmallToTell).toBe(false);

    // Act
    const warnings = await page.locator('.warning').allInnerTexts();

    // Assess
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('Holdout too small to tell (2026-11-19)');
    expect(warnings[0]).toContain('40 members held out');
    expect(warnings[0]).toContain(liftText(liftOfRun(withVariants)));
  });

  it('shows each lift with its interval, as computed from the counts', async () => {
    // Prepare
    const messaged = sumOf(loginRuns, (run) => run.summary.cohortSize - run.summary.holdout.size);
    const converted = sumOf(loginRuns, (run) => run.summary.totalConverted);
    const holdout = {
      size: sumOf(loginRuns, (run) => run.summary.holdout.size),
      converted: sumOf(loginRuns, (run) => run.summary.holdout.converted),
    };
    const allRuns = liftOf({ converted, size: messaged }, holdout);
    const variant = compareVariants(withVariants.funnel).find((comparison) => comparison.variant === 'short');
    if (!allRuns || !variant?.clicks || !variant.logins) throw new Error('fixture: lifts missing');

    // Act
    const campaign = page.locator(campaignSection(LOGIN_CAMPAIGN));
    const text = await campaign.innerText();
    const headline = await campaign.locator('.headline').innerText();

    // Assess
    expect(headline).toContain(liftText(allRuns));
    for (const run of loginRuns) expect(text).toContain(liftText(liftOfRun(run)));
    expect(text).toContain(liftText(variant.clicks));
    expect(text).toContain(liftText(variant.logins));
    expect(variant.clicks.points).toBe(7);
    await expect(page.locator(campaignSection(MARKUP_CAMPAIGN)).innerText()).resolves.toContain(
      'No run kept a holdout',
    );
  });

  it('shows what a conversion cost, per run and over the campaign', async () => {
    // Prepare
    const total = sumOf(loginRuns, (run) => run.cost.totalUsd);
    const converted = sumOf(loginRuns, (run) => run.summary.totalConverted);

    // Act
    const headline = await page.locator(`${campaignSection(LOGIN_CAMPAIGN)} .headline`).innerText();
    const runText = await page.locator(runArticle(telling)).innerText();

    // Assess
    expect(headline).toContain(`cost per conversion\n$${(total / converted).toFixed(2)}`);
    expect(runText).toContain(`per conversion $${(telling.cost.totalUsd / 120).toFixed(2)}`);
  });

  it('shows a campaign id that is markup as text, and runs no script', async () => {
    // Assess
    await expect(page.locator('h2').allTextContents()).resolves.toContain(MARKUP_CAMPAIGN);
    await expect(page.locator('script').count()).resolves.toBe(0);
  });
});
