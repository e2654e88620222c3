import { DateTime } from 'luxon';
import { type Channel, channels, type Goal, goals } from '../campaign/definition';
import { compareVariants, type FunnelRow, funnelByChannel, type VariantComparison } from '../campaign/funnel';
import { type Lift, liftOf } from '../campaign/lift';
import type { RunSummary } from '../campaign/run';
import { channelColours, chartSvg, type IntervalRow, intervalChartSvg } from './chart-svg';
import type { ReportData, ReportRun, RunCost } from './report-data';

/** Markup that is safe to put in the page as it is: what `html` builds, and the SVG ECharts draws. */
class Markup {
  constructor(readonly text: string) {}
}

type Interpolation = Markup | readonly Markup[] | string | number | null;

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[character] ?? '',
  );

const fragment = (value: Interpolation): string => {
  if (value === null) return '';
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return value.map((item: Markup) => item.text).join('');
  return escapeHtml(String(value));
};

/** A template whose every interpolation is escaped unless it is markup already: no data becomes markup. */
const html = (strings: TemplateStringsArray, ...values: Interpolation[]): Markup =>
  new Markup(
    values.reduce<string>(
      (out, value, index) => out + fragment(value) + strings[index + 1],
      strings[0] ?? '',
    ),
  );

const CHART_WIDTH = 720;
// Drawn without a browser, ECharts can only guess how wide a legend's words are: room to spare.
const LEGEND = { top: 0, itemGap: 28 };

// The terminal report's wording (local/report.ts), so both read the same.
const count = (value: number) => value.toLocaleString('en-US');
const percent = (part: number, whole: number) =>
  whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)}%`;
const signedPoints = (value: number) => `${value >= 0 ? '+' : ''}${value}`;
const liftText = (lift: Lift) =>
  `${signedPoints(lift.points)} pts (95% CI ${signedPoints(lift.low)} to ${signedPoints(lift.high)})`;
/** Dollars to the cent, or to one significant digit under a cent, where cents would round to nothing. */
const usd = (value: number) =>
  value > 0 && value < 0.01
    ? `$${value.toPrecision(1)}`
    : `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const plural = (amount: number, noun: string) => `${count(amount)} ${noun}${amount === 1 ? '' : 's'}`;

/** A count with its rate beside it, or a dash where the channel cannot know the count. */
const countAndRate = (part: number | null, whole: number | null) =>
  part === null || whole === null
    ? html`<span class="none">–</span>`
    : html`${count(part)} <span class="rate">${percent(part, whole)}</span>`;

const goalColumn = {
  login: 'loggedIn',
  credit_apply: 'applied',
  drawdown: 'drewDown',
} as const satisfies Record<Goal, keyof FunnelRow>;
const goalWords: Record<Goal, string> = {
  login: 'logged in',
  credit_apply: 'applied',
  drawdown: 'drew down',
};

const goalOf = (summary: RunSummary): Goal => {
  const goal = goals.find((candidate) => candidate === summary.goal);
  if (!goal) throw new Error(`run ${summary.runId} has goal ${summary.goal}, not one of ${goals.join(', ')}`);
  return goal;
};

/** Channels in ladder order: push, SMS, email, call. */
const byLadder = (a: Channel, b: Channel) => channels.indexOf(a) - channels.indexOf(b);

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
const messagedOf = (summary: RunSummary) => summary.cohortSize - summary.holdout.size;
const messagesSentOf = (summary: RunSummary) =>
  sum(summary.touches.flatMap((touch) => Object.values(touch.sent).map((sent) => sent ?? 0)));
const isoWeekOf = (runDate: string) => DateTime.fromISO(runDate, { zone: 'utc' }).toFormat("kkkk-'W'WW");

const badges = (run: ReportRun) => [
  ...(run.interim ? [html`<span class="badge interim">interim</span>`] : []),
  ...(run.summary.dryRun ? [html`<span class="badge dry-run">dry run</span>`] : []),
  ...(run.summary.brakes.stoppedAt ? [html`<span class="badge stopped">stopped</span>`] : []),
];

/** A campaign's runs, and the ones its totals count: a dry run sends nothing and converts nobody. */
interface CampaignRuns {
  campaignId: string;
  goal: Goal;
  runs: ReportRun[];
  counted: ReportRun[];
  /** How a run is named in charts and tables: its date, its zone if the campaign runs in several. */
  labelOf: (run: ReportRun) => string;
}

const campaignsOf = (runs: readonly ReportRun[]): CampaignRuns[] => {
  const byCampaign = new Map<string, ReportRun[]>();
  for (const run of runs) {
    byCampaign.set(run.summary.campaignId, [...(byCampaign.get(run.summary.campaignId) ?? []), run]);
  }
  return [...byCampaign]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([campaignId, campaignRuns]) => {
      const sorted = [...campaignRuns].sort(
        (a, b) =>
          a.summary.runDate.localeCompare(b.summary.runDate) ||
          a.summary.timeZone.localeCompare(b.summary.timeZone),
      );
      const severalZones = new Set(sorted.map((run) => run.summary.timeZone)).size > 1;
      const first = sorted[0]?.summary;
      if (!first) throw new Error(`campaign ${campaignId} has no runs`);
      return {
        campaignId,
        goal: goalOf(first),
        runs: sorted,
        counted: sorted.filter((run) => !run.summary.dryRun),
        labelOf: (run) =>
          `${run.summary.runDate}${severalZones ? ` ${run.summary.timeZone}` : ''}${run.interim ? ' (interim)' : ''}`,
      };
    });
};

/** The campaign's conversions over all counted runs, against all their holdouts together. */
const campaignTotals = ({ counted }: CampaignRuns): CampaignTotals => {
  const messaged = sum(counted.map((run) => messagedOf(run.summary)));
  const converted = sum(counted.map((run) => run.summary.totalConverted));
  const holdout = {
    size: sum(counted.map((run) => run.summary.holdout.size)),
    converted: sum(counted.map((run) => run.summary.holdout.converted)),
  };
  const totalUsd = sum(counted.map((run) => run.cost.totalUsd));
  return {
    messaged,
    converted,
    holdout,
    lift: liftOf({ converted, size: messaged }, holdout),
    totalUsd,
    perConversionUsd: converted === 0 ? null : totalUsd / converted,
  };
};

interface CampaignTotals {
  messaged: number;
  converted: number;
  holdout: { size: number; converted: number };
  lift: Lift | undefined;
  totalUsd: number;
  perConversionUsd: number | null;
}

const figure = (name: string, caption: string, svg: string) =>
  html`<figure class="chart" data-chart="${name}">${new Markup(svg)}<figcaption>${caption}</figcaption></figure>`;

const stages = [
  ['sent', 'sent'],
  ['delivered', 'delivered'],
  ['opened', 'opened'],
  ['clicked', 'clicked'],
  ['loggedIn', 'logged in'],
  ['applied', 'applied'],
  ['drewDown', 'drew down'],
] as const;

type ChannelFunnel = ReturnType<typeof funnelByChannel>[number];

/** Nobody clicks a call task: its clicks are not zero, they do not exist. */
const clickedOf = (row: Pick<FunnelRow, 'channel' | 'clicked'>) =>
  row.channel === 'call' ? null : row.clicked;

const funnelFigure = (campaign: CampaignRuns, byChannel: readonly ChannelFunnel[]) =>
  figure(
    `funnel-${campaign.campaignId}`,
    'Funnel by channel, summed over the runs. Field targets: clicks above 20% of those touched, logins 80–90% of clickers.',
    chartSvg(
      {
        legend: LEGEND,
        grid: { left: 16, right: 16, top: 44, bottom: 24 },
        xAxis: { type: 'category', data: stages.map(([, words]) => words) },
        yAxis: { type: 'value' },
        series: byChannel.map((row) => ({
          type: 'bar',
          name: row.channel,
          barMaxWidth: 28,
          itemStyle: { color: channelColours[row.channel] },
          data: stages.map(([stage]) => (stage === 'clicked' ? clickedOf(row) : row[stage]) ?? '-'),
        })),
      },
      { width: CHART_WIDTH, height: 300 },
    ),
  );

/** Members whose links scanners or previews fetched, by channel, as "email 12, sms 3". */
const scannerText = (scannerClicks: Partial<Record<Channel, number>>) => {
  const parts = Object.entries(scannerClicks)
    .filter(([, requests]) => (requests ?? 0) > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([channel, requests]) => `${channel} ${count(requests ?? 0)}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
};

const funnelTable = (
  byChannel: readonly ChannelFunnel[],
  scannerClicks: Partial<Record<Channel, number>>,
) => html`
  <table>
    <thead><tr><th>channel</th><th>sent</th><th>delivered</th><th>failed</th><th>no final report</th>
      <th>opened <small>of delivered</small></th><th>clicked</th><th>scanned <small>not clicks</small></th>
      <th>called</th><th>reached</th><th>logged in</th><th>applied</th><th>drew down</th></tr></thead>
    <tbody>${byChannel.map(
      (row) => html`<tr><th>${row.channel}</th><td>${count(row.sent)}</td>
        <td>${countAndRate(row.delivered, row.sent)}</td><td>${countAndRate(row.failed, row.sent)}</td>
        <td>${countAndRate(row.unreported, row.sent)}</td><td>${countAndRate(row.opened, row.delivered)}</td>
        <td>${countAndRate(clickedOf(row), row.sent)}</td><td>${countAndRate(row.scanned, row.sent)}</td>
        <td>${countAndRate(row.attempted, row.sent)}</td><td>${countAndRate(row.reached, row.sent)}</td>
        <td>${countAndRate(row.loggedIn, row.sent)}</td><td>${countAndRate(row.applied, row.sent)}</td>
        <td>${countAndRate(row.drewDown, row.sent)}</td></tr>`,
    )}</tbody>
  </table>
  <p class="note">Clicked counts the members who followed a link themselves; scanned, those whose links a mail
    scanner or a link preview fetched. Those members by channel: ${scannerText(scannerClicks)}.</p>`;

/** Per touch and channel: messages sent, and members who reached the goal after that touch. */
const conversionsPart = (campaign: CampaignRuns, rows: readonly FunnelRow[]) => {
  const column = goalColumn[campaign.goal];
  const cells = new Map<string, { touch: number; channel: Channel; sent: number; reached: number }>();
  for (const row of rows) {
    const key = `${row.touch}|${row.channel}`;
    const cell = cells.get(key) ?? { touch: row.touch, channel: row.channel, sent: 0, reached: 0 };
    cells.set(key, { ...cell, sent: cell.sent + row.sent, reached: cell.reached + row[column] });
  }
  const touches = [...new Set([...cells.values()].map((cell) => cell.touch))].sort((a, b) => a - b);
  const channelsUsed = [...new Set([...cells.values()].map((cell) => cell.channel))].sort(byLadder);
  const credited = (touch: number) =>
    sum(
      campaign.counted.flatMap((run) =>
        run.summary.touches.filter((summary) => summary.touch === touch).map((summary) => summary.converted),
      ),
    );
  if (touches.length === 0) return html`<p class="none">Nothing was sent.</p>`;
  return html`${figure(
    `conversions-${campaign.campaignId}`,
    `Members who ${goalWords[campaign.goal]} after each touch, by the channel that touch used.`,
    chartSvg(
      {
        legend: LEGEND,
        grid: { left: 16, right: 16, top: 44, bottom: 24 },
        xAxis: { type: 'category', data: touches.map((touch) => `touch ${touch}`) },
        yAxis: { type: 'value', minInterval: 1 },
        series: channelsUsed.map((channel) => ({
          type: 'bar',
          name: channel,
          barMaxWidth: 64,
          stack: 'reached',
          itemStyle: { color: channelColours[channel] },
          data: touches.map((touch) => cells.get(`${touch}|${channel}`)?.reached ?? '-'),
        })),
      },
      { width: CHART_WIDTH, height: 260 },
    ),
  )}
  <table>
    <thead><tr><th>touch</th><th class="text">channel</th><th>sent</th><th>${goalWords[campaign.goal]} after the touch</th>
      <th>conversions credited to the touch</th></tr></thead>
    <tbody>${touches.flatMap((touch) =>
      [...cells.values()]
        .filter((cell) => cell.touch === touch)
        .sort((a, b) => byLadder(a.channel, b.channel))
        .map(
          (cell, index) => html`<tr><td>${touch}</td><th>${cell.channel}</th><td>${count(cell.sent)}</td>
            <td>${countAndRate(cell.reached, cell.sent)}</td>
            <td>${index === 0 ? count(credited(touch)) : ''}</td></tr>`,
        ),
    )}</tbody>
  </table>
  <p class="note">A member who converts counts after every touch they had before; each conversion is credited
    to one touch only (the last column, for all channels of the touch). Converted before the first touch:
    ${count(sum(campaign.counted.map((run) => run.summary.convertedBeforeFirstTouch)))}.</p>`;
};

const CLICK_COLOUR = '#2a7f9e';
const LOGIN_COLOUR = '#c8553d';

const variantLabel = (comparison: VariantComparison) =>
  `touch ${comparison.touch} ${comparison.channel}: ${comparison.variant} vs ${comparison.baseline}`;

const tooFewToTell = (comparison: VariantComparison) =>
  comparison.clicks?.tooSmallToTell || comparison.logins?.tooSmallToTell;

/**
 * Copy variants over the campaign's runs, each against its touch's baseline. Only the runs that sent several
 * variants at a touch and channel count there: a baseline from a run without the variant is another cohort.
 */
const variantsPart = (campaign: CampaignRuns) => {
  const comparisons = compareVariants(
    campaign.counted.flatMap((run) =>
      run.funnel.filter((row) =>
        run.variants.some((variant) => variant.touch === row.touch && variant.channel === row.channel),
      ),
    ),
  );
  const challengers = comparisons.filter((comparison) => comparison.clicks && comparison.logins);
  if (challengers.length === 0) return html`<p class="none">No touch sent more than one copy variant.</p>`;
  const rows = challengers.flatMap((comparison): IntervalRow[] => [
    ...(comparison.clicks
      ? [{ label: `${variantLabel(comparison)} · clicks`, lift: comparison.clicks, colour: CLICK_COLOUR }]
      : []),
    ...(comparison.logins
      ? [{ label: `${variantLabel(comparison)} · logins`, lift: comparison.logins, colour: LOGIN_COLOUR }]
      : []),
  ]);
  const liftCell = (lift: Lift | undefined) => (lift ? liftText(lift) : 'baseline');
  return html`${figure(
    `variants-${campaign.campaignId}`,
    'Each variant minus its baseline, in points, with 95% intervals: click-through and login after the touch. Grey: too few to tell.',
    intervalChartSvg(rows, CHART_WIDTH),
  )}
  <table>
    <thead><tr><th>touch</th><th class="text">channel</th><th class="text">variant</th><th>sent</th><th>clicked</th><th>logged in</th>
      <th>click-through vs baseline</th><th>login vs baseline</th><th></th></tr></thead>
    <tbody>${comparisons.map(
      (comparison) => html`<tr><td>${comparison.touch}</td><td class="text">${comparison.channel}</td>
        <th>${comparison.variant}</th><td>${count(comparison.sent)}</td>
        <td>${countAndRate(comparison.clicked, comparison.sent)}</td>
        <td>${countAndRate(comparison.loggedIn, comparison.sent)}</td>
        <td>${liftCell(comparison.clicks)}</td><td>${liftCell(comparison.logins)}</td>
        <td>${tooFewToTell(comparison) ? html`<span class="warning-text">too few to tell</span>` : ''}</td></tr>`,
    )}</tbody>
  </table>`;
};

const tooSmallWarning = (label: string, holdoutSize: number, lift: Lift) =>
  html`<p class="warning"><strong>Holdout too small to tell</strong> (${label}): ${count(holdoutSize)} members held
    out, lift ${liftText(lift)}. This cannot be told apart from chance; do not read it as a result.</p>`;

/** Each run's lift over its holdout, and all runs' members against all their holdouts. */
const holdoutPart = (campaign: CampaignRuns, totals: CampaignTotals) => {
  const withLift = campaign.counted.flatMap((run) =>
    run.summary.lift ? [{ label: campaign.labelOf(run), summary: run.summary, lift: run.summary.lift }] : [],
  );
  if (withLift.length === 0) return html`<p class="none">No run kept a holdout: lift cannot be measured.</p>`;
  const pooled = withLift.length > 1 && totals.lift ? totals.lift : undefined;
  const rows: IntervalRow[] = [
    ...withLift.map(({ label, lift }) => ({ label, lift, colour: '#4e79a7' })),
    ...(pooled ? [{ label: 'all runs', lift: pooled, colour: '#1b1b1b' }] : []),
  ];
  return html`${figure(
    `lift-${campaign.campaignId}`,
    'Conversion rate of the messaged members minus that of the holdout, in points, with 95% intervals. Grey: too small to tell.',
    intervalChartSvg(rows, CHART_WIDTH),
  )}
  ${withLift.flatMap(({ label, summary, lift }) =>
    lift.tooSmallToTell ? [tooSmallWarning(label, summary.holdout.size, lift)] : [],
  )}
  ${pooled?.tooSmallToTell ? tooSmallWarning('all runs', totals.holdout.size, pooled) : null}
  <table>
    <thead><tr><th>run</th><th>messaged</th><th>converted</th><th>holdout</th><th>holdout converted</th>
      <th>lift</th></tr></thead>
    <tbody>${withLift.map(
      ({ label, summary, lift }) => html`<tr><th>${label}</th><td>${count(messagedOf(summary))}</td>
        <td>${countAndRate(summary.totalConverted, messagedOf(summary))}</td><td>${count(summary.holdout.size)}</td>
        <td>${countAndRate(summary.holdout.converted, summary.holdout.size)}</td>
        <td>${liftText(lift)}${lift.tooSmallToTell ? html` <span class="warning-text">too small to tell</span>` : ''}</td></tr>`,
    )}${
      pooled
        ? html`<tr class="total"><th>all runs</th><td>${count(totals.messaged)}</td>
        <td>${countAndRate(totals.converted, totals.messaged)}</td><td>${count(totals.holdout.size)}</td>
        <td>${countAndRate(totals.holdout.converted, totals.holdout.size)}</td>
        <td>${liftText(pooled)}${pooled.tooSmallToTell ? html` <span class="warning-text">too small to tell</span>` : ''}</td></tr>`
        : null
    }</tbody>
  </table>`;
};

const costCells = (cost: RunCost, channelsUsed: readonly Channel[]) =>
  html`${channelsUsed.map((channel) => {
    const spent = cost.byChannel[channel];
    return spent
      ? html`<td>${usd(spent.usd)} <span class="rate">${count(spent.messages)} msgs</span></td>`
      : html`<td><span class="none">–</span></td>`;
  })}<td>${usd(cost.orchestrationUsd)}</td><td>${usd(cost.totalUsd)}</td>
  <td>${cost.perConversionUsd === null ? 'nobody converted' : usd(cost.perConversionUsd)}</td>`;

/** What each run cost at list prices, and all runs together. */
const costPart = (campaign: CampaignRuns, totals: CampaignTotals) => {
  const channelsUsed = [
    ...new Set(campaign.counted.flatMap((run) => Object.keys(run.cost.byChannel) as Channel[])),
  ].sort(byLadder);
  const byChannel: RunCost['byChannel'] = {};
  for (const channel of channelsUsed) {
    const spent = campaign.counted.flatMap((run) => {
      const cost = run.cost.byChannel[channel];
      return cost ? [cost] : [];
    });
    byChannel[channel] = {
      messages: sum(spent.map((cost) => cost.messages)),
      usd: sum(spent.map((cost) => cost.usd)),
    };
  }
  const allRuns: RunCost = {
    byChannel,
    orchestrationUsd: sum(campaign.counted.map((run) => run.cost.orchestrationUsd)),
    totalUsd: totals.totalUsd,
    perConversionUsd: totals.perConversionUsd,
  };
  return html`<table>
    <thead><tr><th>run</th>${channelsUsed.map((channel) => html`<th>${channel}</th>`)}<th>orchestration</th>
      <th>total</th><th>per conversion</th></tr></thead>
    <tbody>${campaign.counted.map(
      (run) => html`<tr><th>${campaign.labelOf(run)}</th>${costCells(run.cost, channelsUsed)}</tr>`,
    )}${
      campaign.counted.length > 1
        ? html`<tr class="total"><th>all runs</th>${costCells(allRuns, channelsUsed)}</tr>`
        : null
    }</tbody>
  </table>
  <p class="note">At list prices; per conversion is the total over the messaged members who converted.</p>`;
};

/** The campaign's runs by ISO week of their run date: messages sent, members converted, conversion rate. */
const weeklyPart = (campaign: CampaignRuns) => {
  const weeks = new Map<
    string,
    { runs: number; sent: number; messaged: number; converted: number; interim: boolean }
  >();
  for (const { summary, interim } of campaign.counted) {
    const week = isoWeekOf(summary.runDate);
    const totals = weeks.get(week) ?? { runs: 0, sent: 0, messaged: 0, converted: 0, interim: false };
    weeks.set(week, {
      runs: totals.runs + 1,
      sent: totals.sent + messagesSentOf(summary),
      messaged: totals.messaged + messagedOf(summary),
      converted: totals.converted + summary.totalConverted,
      interim: totals.interim || interim,
    });
  }
  const rows = [...weeks].sort(([a], [b]) => a.localeCompare(b));
  if (rows.length === 0) return html`<p class="none">No runs.</p>`;
  const weekLabel = ([week, totals]: (typeof rows)[number]) => `${week}${totals.interim ? ' (interim)' : ''}`;
  return html`${figure(
    `weekly-${campaign.campaignId}`,
    'Per ISO week of the run date: messages sent and members converted (left), conversion rate of the members messaged (right).',
    chartSvg(
      {
        legend: LEGEND,
        grid: { left: 16, right: 16, top: 44, bottom: 24 },
        xAxis: { type: 'category', data: rows.map(weekLabel) },
        yAxis: [
          { type: 'value', minInterval: 1 },
          { type: 'value', axisLabel: { formatter: '{value}%' }, splitLine: { show: false } },
        ],
        series: [
          {
            type: 'bar',
            name: 'messages sent',
            barMaxWidth: 64,
            itemStyle: { color: '#9bb7d4' },
            data: rows.map(([, week]) => week.sent),
          },
          {
            type: 'bar',
            name: 'converted',
            barMaxWidth: 64,
            label: { show: true, position: 'top' },
            itemStyle: { color: '#2a7f9e' },
            data: rows.map(([, week]) => week.converted),
          },
          {
            type: 'line',
            name: 'conversion rate',
            yAxisIndex: 1,
            label: { show: true, formatter: '{c}%' },
            itemStyle: { color: '#c8553d' },
            data: rows.map(([, week]) =>
              week.messaged === 0 ? '-' : Math.round((1000 * week.converted) / week.messaged) / 10,
            ),
          },
        ],
      },
      { width: CHART_WIDTH, height: 260 },
    ),
  )}
  <table>
    <thead><tr><th>ISO week</th><th>runs</th><th>messages sent</th><th>messaged</th><th>converted</th></tr></thead>
    <tbody>${rows.map(
      (row) => html`<tr><th>${weekLabel(row)}</th><td>${row[1].runs}</td><td>${count(row[1].sent)}</td>
        <td>${count(row[1].messaged)}</td><td>${countAndRate(row[1].converted, row[1].messaged)}</td></tr>`,
    )}</tbody>
  </table>`;
};

/** One run as it stands: its cohort, outcome, cost, and its funnel rows by touch, channel, variant and offer. */
const runPart = (run: ReportRun) => {
  const { summary, cost } = run;
  const messaged = messagedOf(summary);
  const variantLines = run.variants.flatMap((comparison) =>
    comparison.clicks && comparison.logins
      ? [
          html`<li>${variantLabel(comparison)} (${count(comparison.sent)} sent) · clicked ${liftText(comparison.clicks)}
            · logged in ${liftText(comparison.logins)}${tooFewToTell(comparison) ? html` · <span class="warning-text">too few to tell</span>` : ''}</li>`,
        ]
      : [],
  );
  return html`<article class="run" data-run="${summary.runId}">
    <h4>${summary.runDate} · ${summary.timeZone} ${badges(run)}</h4>
    ${run.interim ? html`<p class="note">Interim: the conversion window is still open, these numbers will still move.</p>` : null}
    <p>Cohort ${count(summary.cohortSize)} enrolled (${count(summary.holdout.size)} holdout) of
      ${count(summary.selection.candidates)} dormant that day · converted ${count(summary.totalConverted)} of
      ${count(messaged)} messaged (${percent(summary.totalConverted, messaged)}) · ${
        summary.holdout.size === 0
          ? 'no holdout'
          : `holdout ${count(summary.holdout.converted)} of ${count(summary.holdout.size)} (${percent(summary.holdout.converted, summary.holdout.size)})`
      }${summary.lift ? ` · lift ${liftText(summary.lift)}` : ''}
      ${summary.lift?.tooSmallToTell ? html`· <span class="warning-text">holdout too small to tell</span>` : null}</p>
    <p>Cost ${usd(cost.totalUsd)} · per conversion ${cost.perConversionUsd === null ? 'nobody converted' : usd(cost.perConversionUsd)}
      · links fetched by scanners or previews (members, never clicks): ${scannerText(run.scannerClicks)}</p>
    ${
      run.funnel.length === 0
        ? html`<p class="none">Nothing was sent.</p>`
        : html`<table>
      <thead><tr><th>touch</th><th class="text">channel</th><th class="text">variant</th><th class="text">offer</th><th>sent</th><th>delivered</th>
        <th>failed</th><th>no final report</th><th>opened <small>of delivered</small></th><th>clicked</th>
        <th>scanned</th><th>called</th><th>reached</th><th>logged in</th><th>applied</th><th>drew down</th></tr></thead>
      <tbody>${run.funnel.map(
        (
          row,
        ) => html`<tr><td>${row.touch}</td><td class="text">${row.channel}</td><td class="text">${row.variant}</td>
          <td class="text">${row.offer ?? '–'}</td><td>${count(row.sent)}</td><td>${countAndRate(row.delivered, row.sent)}</td>
          <td>${countAndRate(row.failed, row.sent)}</td><td>${countAndRate(row.unreported, row.sent)}</td>
          <td>${countAndRate(row.opened, row.delivered)}</td><td>${countAndRate(clickedOf(row), row.sent)}</td>
          <td>${countAndRate(row.scanned, row.sent)}</td>
          <td>${countAndRate(row.attempted, row.sent)}</td><td>${countAndRate(row.reached, row.sent)}</td>
          <td>${countAndRate(row.loggedIn, row.sent)}</td><td>${countAndRate(row.applied, row.sent)}</td>
          <td>${countAndRate(row.drewDown, row.sent)}</td></tr>`,
      )}</tbody>
    </table>`
    }
    ${variantLines.length > 0 ? html`<ul class="variants">${variantLines}</ul>` : null}
  </article>`;
};

const campaignSection = (campaign: CampaignRuns, index: number) => {
  const totals = campaignTotals(campaign);
  const rows = campaign.counted.flatMap((run) => run.funnel);
  const byChannel = funnelByChannel(rows).sort((a, b) => byLadder(a.channel, b.channel));
  const scannerClicks: Partial<Record<Channel, number>> = {};
  for (const run of campaign.counted) {
    for (const [channel, clicks] of Object.entries(run.scannerClicks) as [Channel, number][]) {
      scannerClicks[channel] = (scannerClicks[channel] ?? 0) + clicks;
    }
  }
  const interim = campaign.counted.filter((run) => run.interim).length;
  const dryRuns = campaign.runs.length - campaign.counted.length;
  const dates = campaign.runs.map((run) => run.summary.runDate);
  return html`<section class="campaign" id="campaign-${index + 1}" data-campaign="${campaign.campaignId}">
    <h2>${campaign.campaignId}</h2>
    <p class="meta">goal ${campaign.goal} · ${plural(campaign.runs.length, 'run')},
      ${dates[0] ?? '–'} to ${dates.at(-1) ?? '–'}${dryRuns > 0 ? ` · ${plural(dryRuns, 'dry run')}, counted in no total` : ''}</p>
    ${
      interim > 0
        ? html`<p class="interim-note"><span class="badge interim">interim</span> ${interim} of
      ${plural(campaign.counted.length, 'run')}: the conversion window is still open, their numbers will still move.</p>`
        : null
    }
    <dl class="headline">
      <div><dt>messaged</dt><dd>${count(totals.messaged)}</dd></div>
      <div><dt>converted</dt><dd>${count(totals.converted)} <span class="rate">${percent(totals.converted, totals.messaged)}</span></dd></div>
      <div><dt>lift over holdout</dt><dd>${totals.lift ? liftText(totals.lift) : 'no holdout'}</dd></div>
      <div><dt>cost</dt><dd>${usd(totals.totalUsd)}</dd></div>
      <div><dt>cost per conversion</dt><dd>${totals.perConversionUsd === null ? 'nobody converted' : usd(totals.perConversionUsd)}</dd></div>
    </dl>
    <h3>Funnel</h3>
    ${rows.length > 0 ? html`${funnelFigure(campaign, byChannel)}${funnelTable(byChannel, scannerClicks)}` : html`<p class="none">Nothing was sent.</p>`}
    <h3>Conversions by touch and channel</h3>
    ${conversionsPart(campaign, rows)}
    <h3>Copy variants</h3>
    ${variantsPart(campaign)}
    <h3>Holdout lift</h3>
    ${holdoutPart(campaign, totals)}
    <h3>Cost</h3>
    ${costPart(campaign, totals)}
    <h3>Weekly trend</h3>
    ${weeklyPart(campaign)}
    <h3>Runs</h3>
    ${campaign.runs.map(runPart)}
  </section>`;
};

const overview = (campaigns: readonly CampaignRuns[]) => html`<table class="overview">
  <thead><tr><th>campaign</th><th>runs</th><th>messaged</th><th>converted</th><th>lift over holdout</th>
    <th>cost</th><th>per conversion</th></tr></thead>
  <tbody>${campaigns.map((campaign, index) => {
    const totals = campaignTotals(campaign);
    const interim = campaign.counted.filter((run) => run.interim).length;
    return html`<tr><th><a href="#campaign-${index + 1}">${campaign.campaignId}</a></th>
      <td>${campaign.counted.length}${interim > 0 ? html` <span class="badge interim">${interim} interim</span>` : null}</td>
      <td>${count(totals.messaged)}</td><td>${countAndRate(totals.converted, totals.messaged)}</td>
      <td>${totals.lift ? liftText(totals.lift) : '–'}${totals.lift?.tooSmallToTell ? html` <span class="warning-text">too small to tell</span>` : null}</td>
      <td>${usd(totals.totalUsd)}</td>
      <td>${totals.perConversionUsd === null ? '–' : usd(totals.perConversionUsd)}</td></tr>`;
  })}</tbody>
</table>`;

const style = `
body { font: 14px/1.45 system-ui, sans-serif; color: #1b1b1b; margin: 0 auto; padding: 24px; max-width: 1040px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 40px 0 4px; padding-top: 16px; border-top: 2px solid #1b1b1b; word-break: break-all; }
h3 { font-size: 16px; margin: 28px 0 8px; }
h4 { font-size: 14px; margin: 20px 0 4px; }
.meta, .note, figcaption { color: #555; }
.note { font-size: 13px; }
table { border-collapse: collapse; margin: 8px 0; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
thead th { border-bottom: 2px solid #999; font-weight: 600; }
tbody th { font-weight: 500; text-align: left; }
tr.total th, tr.total td { border-top: 2px solid #999; font-weight: 600; }
small, .rate { color: #666; font-size: 12px; }
td .rate { display: block; }
tbody th { white-space: nowrap; }
td.text, th.text { text-align: left; }
.none { color: #888; }
figure.chart { margin: 12px 0; }
figure.chart svg { max-width: 100%; height: auto; display: block; }
.headline { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
.headline div { border: 1px solid #ddd; border-radius: 6px; padding: 8px 12px; }
.headline dt { color: #555; font-size: 12px; }
.headline dd { margin: 0; font-size: 16px; font-weight: 600; }
.badge { display: inline-block; border-radius: 4px; padding: 0 6px; font-size: 12px; font-weight: 600; }
.badge.interim { background: #fff0c2; color: #6b4e00; border: 1px solid #e0b000; }
.badge.dry-run { background: #e8e8e8; color: #333; }
.badge.stopped { background: #fde2e1; color: #8a1c12; }
.warning { background: #fde2e1; border-left: 4px solid #c0392b; padding: 8px 12px; }
.warning-text { color: #a1281b; font-weight: 600; }
.interim-note { background: #fff8e1; padding: 6px 12px; }
ul.variants { font-size: 13px; padding-left: 20px; }
`;

/**
 * The weekly review as one HTML file that opens from disk and asks the network for nothing: per campaign its
 * funnel, conversions by touch and channel, copy variants and holdout lift with their intervals, cost, weekly
 * trend, and each run's funnel rows. Charts are SVG drawn here by ECharts; the page has no script.
 */
export const renderHtmlReport = (data: ReportData): string => {
  const campaigns = campaignsOf(data.runs);
  const interim = data.runs.filter((run) => run.interim).length;
  const page = html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rekindle weekly review · ${data.from} to ${data.to}</title>
<style>${new Markup(style)}</style>
</head>
<body>
<header>
  <h1>Rekindle weekly review</h1>
  <p class="meta">Runs dated ${data.from} to ${data.to} · ${plural(data.runs.length, 'run')} of
    ${plural(campaigns.length, 'campaign')} ·
    read from ${data.source} · generated ${data.generatedAt}</p>
  ${
    interim > 0
      ? html`<p class="interim-note"><span class="badge interim">interim</span> ${interim} of
    ${plural(data.runs.length, 'run')}: the conversion window is still open at the time of this report; their
    conversions, lift and cost per conversion will still move.</p>`
      : null
  }
</header>
${campaigns.length > 0 ? overview(campaigns) : html`<p class="none">No runs between these dates.</p>`}
${campaigns.map(campaignSection)}
</body>
</html>`;
  return `<!doctype html>\n${page.text}\n`;
};
