import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import type { Channel } from '../functions/campaign/definition';
import { defaultSendWindows } from '../functions/campaign/definition';
import type { RunSummary } from '../functions/campaign/run';
import { isInsideSendWindow } from '../functions/campaign/send-window';
import { isQuietHour, type QuietHours } from '../functions/guardrails/quiet-hours';
import { defaultSendRates, type SendRates } from '../functions/pacing/send-rates';
import { checkGuardrails } from '../local/guardrail-check';
import { busiestSecondOf } from '../local/provider-rates';
import { formatRun } from '../local/report';
import { type ExecutionStats, LocalRekindle } from '../local/runtime';
import {
  CAMPAIGN,
  dormantUsers,
  EXPRESS_MEMORY_GB,
  int,
  LAMBDA_MEMORY_GB,
  mark,
  PhaseFailed,
  PRICES,
  positiveInteger,
  round,
  TIME_ZONE,
  UsageError,
} from './common';

/**
 * `npm run bench -- --scenario pacing`: a large cohort through the four-touch campaign with every provider at
 * its configured rate, SMS slow enough that its touch cannot fit the morning window and carries over. What it
 * reports is read from the records the run leaves (the sandbox outbox, the call tasks, the run summary),
 * against the configured rates and the campaign's send windows.
 */

const RUN_DATE = '2026-11-23';
/** Half an hour before the first send window: the run plans touch 1 for 11:00. */
const RUN_START = { hour: 10, minute: 30 };
const SEND_WINDOWS = CAMPAIGN.sendWindows ?? defaultSendWindows;
const TEN_MINUTES_S = 600;

const USAGE =
  'usage: npm run bench -- --scenario pacing [--users N (default 100000)] [--sms-rate N] [--push-rate N] [--email-rate N]';

const minutesOf = (time: string) => {
  const [hour, minute] = time.split(':').map(Number);
  return (hour ?? 0) * 60 + (minute ?? 0);
};

/** The first send window's length: the one touch 1 starts in. */
const firstWindowSeconds = () => {
  const [first] = SEND_WINDOWS;
  if (!first) throw new Error('The campaign has no send window');
  return (minutesOf(first.end) - minutesOf(first.start)) * 60;
};

/**
 * The stack's default SMS rate when the morning window cannot hold the cohort at it; for a smaller cohort, a
 * rate at which the window holds two thirds of it (at least 1 a second), so the touch still carries over.
 */
const smsRateFor = (users: number) => {
  const window = firstWindowSeconds();
  return users > defaultSendRates.sms * window
    ? defaultSendRates.sms
    : Math.max(1, Math.floor(users / (1.5 * window)));
};

const parseFlags = (args: string[]) => {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        users: { type: 'string', default: '100000' },
        'sms-rate': { type: 'string' },
        'push-rate': { type: 'string' },
        'email-rate': { type: 'string' },
      },
    }));
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  const users = positiveInteger('users', values.users ?? '');
  const rate = (channel: keyof SendRates, fallback: number) => {
    const given = values[`${channel}-rate`];
    return given === undefined ? fallback : positiveInteger(`${channel}-rate`, given);
  };
  return {
    users,
    rates: {
      push: rate('push', defaultSendRates.push),
      sms: rate('sms', smsRateFor(users)),
      email: rate('email', defaultSendRates.email),
    } satisfies SendRates,
  };
};

/** A send as the records show it. */
interface Send {
  userId: string;
  runId: string;
  touch: number;
  channel: Channel;
  at: number;
}

const PACED = ['push', 'sms', 'email'] as const;
type Paced = (typeof PACED)[number];

/** The send window (its local date and opening) a moment falls in, or undefined outside every window. */
const windowOf = (at: number): string | undefined => {
  const local = DateTime.fromMillis(at, { zone: TIME_ZONE });
  const minute = local.hour * 60 + local.minute;
  const window = SEND_WINDOWS.find((w) => minute >= minutesOf(w.start) && minute < minutesOf(w.end));
  return window ? `${local.toISODate()} ${window.start}` : undefined;
};

/**
 * How long the sends took while there was something to send: in each send window they were sent in, from the
 * first to the last send plus one interval. A pause inside a window counts; the hours between windows do not.
 */
const sendingSeconds = (sorted: readonly number[], rate: number) => {
  const spans = new Map<string, { first: number; last: number }>();
  for (const at of sorted) {
    const window = windowOf(at) ?? `outside ${at}`;
    const span = spans.get(window);
    if (span) span.last = at;
    else spans.set(window, { first: at, last: at });
  }
  const seconds = [...spans.values()].reduce(
    (sum, span) => sum + (span.last - span.first) / 1000 + 1 / rate,
    0,
  );
  return { seconds, windows: spans.size };
};

const duration = (seconds: number) => {
  const whole = Math.round(seconds);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = whole % 60;
  return hours > 0
    ? `${hours}h ${String(minutes).padStart(2, '0')}m`
    : `${minutes}m ${String(rest).padStart(2, '0')}s`;
};

const pad = (text: string | number, width: number) => String(text).padStart(width);

export const pacingScenario = async (args: string[]) => {
  const flags = parseFlags(args);
  const started = performance.now();
  const runStart = DateTime.fromISO(RUN_DATE, { zone: TIME_ZONE }).set(RUN_START).toJSDate();
  const rekindle = await LocalRekindle.start({
    campaigns: [CAMPAIGN],
    clockStart: runStart,
    sendRates: flags.rates,
    longRun: true,
  });
  try {
    console.log(
      `Rekindle pacing benchmark · ${int(flags.users)} users · campaign ${CAMPAIGN.id} (push → sms → email → call),` +
        ` nobody converts, everyone reachable, no holdout · send windows ${SEND_WINDOWS.map((w) => `${w.start}–${w.end}`).join(', ')} ${TIME_ZONE}`,
    );
    console.log(
      `Configured rates: push ${int(flags.rates.push)}/s · sms ${int(flags.rates.sms)}/s · email ${int(flags.rates.email)}/s` +
        ` (the ${firstWindowSeconds() / 60}-minute morning window holds ${int(flags.rates.sms * firstWindowSeconds())} SMS)`,
    );
    const importStarted = performance.now();
    await rekindle.importUsers(dormantUsers('cohort', flags.users, RUN_DATE));
    const importSeconds = (performance.now() - importStarted) / 1000;

    const runStarted = performance.now();
    const [result] = await rekindle.runCampaigns([{ campaignId: CAMPAIGN.id, input: { runDate: RUN_DATE } }]);
    const runSeconds = (performance.now() - runStarted) / 1000;
    if (result?.status !== 'SUCCEEDED' || !result.output) {
      throw new PhaseFailed(result ? formatRun(result) : 'no result');
    }
    const summary = result.output;
    console.log(`\n${formatRun(result)}\n`);

    const readStarted = performance.now();
    const config = rekindle.guardrailConfig();
    const records = await rekindle.guardrailRecords();
    // Every message and call task, as the guardrail check reads them.
    const sends: Send[] = records.contacts.map((contact) => ({
      userId: contact.userId,
      runId: contact.runId,
      touch: contact.touch,
      channel: contact.channel,
      at: Date.parse(contact.sentAt),
    }));
    const guardrails = checkGuardrails(records, config);
    const readSeconds = (performance.now() - readStarted) / 1000;
    report({
      flags,
      summary,
      stats: result.stats,
      sends,
      guardrailViolations: guardrails.violations.length,
      quietHours: config.quietHours,
      throttled: rekindle.providerLimits.throttled,
      seconds: {
        import: importSeconds,
        run: runSeconds,
        read: readSeconds,
        total: (performance.now() - started) / 1000,
      },
    });
  } finally {
    await rekindle.stop();
  }
};

interface Measured {
  flags: ReturnType<typeof parseFlags>;
  summary: RunSummary;
  stats: ExecutionStats;
  sends: Send[];
  guardrailViolations: number;
  quietHours: QuietHours;
  throttled: Record<Paced, number>;
  seconds: { import: number; run: number; read: number; total: number };
}

/**
 * What the send steps cost in Lambda and Express time at these rates: a paced worker is billed while it waits
 * for its slots, so each invocation counts the simulated time it spanned (or the time it worked here, if
 * longer), and its Express child lasts as long as it does. Per child rounding (100 ms) is left out.
 */
const sendStepBilling = (stats: ExecutionStats, users: number) => {
  const tally = stats.lambda['send-touch'];
  const billedSeconds = (tally?.billedMilliseconds ?? 0) / 1000;
  const lambdaUsd = billedSeconds * LAMBDA_MEMORY_GB * PRICES.lambdaArmGbSecond;
  const expressUsd = billedSeconds * EXPRESS_MEMORY_GB * PRICES.expressGbSecond;
  return {
    invocations: tally?.invocations ?? 0,
    workedSeconds: (tally?.milliseconds ?? 0) / 1000,
    billedSeconds,
    lambdaUsd,
    expressUsd,
    perMillionUsd: ((lambdaUsd + expressUsd) / users) * 1_000_000,
  };
};

const report = ({
  flags,
  summary,
  stats,
  sends,
  guardrailViolations,
  quietHours,
  throttled,
  seconds,
}: Measured) => {
  const { rates } = flags;
  const byChannel = new Map<Channel, number[]>();
  for (const send of sends) {
    const times = byChannel.get(send.channel);
    if (times) times.push(send.at);
    else byChannel.set(send.channel, [send.at]);
  }
  for (const times of byChannel.values()) times.sort((a, b) => a - b);

  console.log('Channels (from the sandbox outbox: each message at its send moment)');
  console.log('  channel  configured   achieved   busiest second       sent   sending time  windows');
  const channels: Record<
    string,
    {
      configuredRate: number;
      achievedRate: number;
      maxInAnySecond: number;
      sent: number;
      sendingSeconds: number;
      windows: number;
    }
  > = {};
  for (const channel of PACED) {
    const times = byChannel.get(channel) ?? [];
    const { seconds: sending, windows } = sendingSeconds(times, rates[channel]);
    const achieved = times.length > 0 ? times.length / sending : 0;
    const busiest = busiestSecondOf(times);
    channels[channel] = {
      configuredRate: rates[channel],
      achievedRate: round(achieved, 2),
      maxInAnySecond: busiest,
      sent: times.length,
      sendingSeconds: round(sending, 1),
      windows,
    };
    console.log(
      `  ${channel.padEnd(7)} ${pad(`${int(rates[channel])}/s`, 11)} ${pad(`${achieved.toFixed(1)}/s`, 10)} ${pad(int(busiest), 16)}` +
        ` ${pad(int(times.length), 10)} ${pad(duration(sending), 14)} ${pad(windows, 8)}`,
    );
  }

  console.log('\nTouches (took: sending time in its windows; physical limit: members ÷ rate)');
  console.log('  touch  channel      sent      took   physical limit  windows  carried over  window-missed');
  const touches = summary.touches.map((touch) => {
    const channel = (Object.keys(touch.sent)[0] ?? 'none') as Channel;
    const times = sends
      .filter((send) => send.touch === touch.touch)
      .map((send) => send.at)
      .sort((a, b) => a - b);
    const sent = Object.values(touch.sent).reduce((sum, count) => sum + (count ?? 0), 0);
    const rate = channel in rates ? rates[channel as Paced] : undefined;
    const took = rate ? sendingSeconds(times, rate).seconds : 0;
    const limit = rate ? sent / rate : 0;
    const missed = touch.skipped['window-missed'] ?? 0;
    console.log(
      `  ${pad(touch.touch, 5)}  ${channel.padEnd(7)} ${pad(int(sent), 9)} ${pad(rate ? duration(took) : '–', 9)}` +
        ` ${pad(rate ? duration(limit) : '–', 16)} ${pad(touch.windows, 8)} ${pad(int(touch.carriedOver), 13)} ${pad(int(missed), 14)}`,
    );
    return {
      touch: touch.touch,
      channel,
      sent,
      tookSeconds: round(took, 1),
      physicalLimitSeconds: round(limit, 1),
      windows: touch.windows,
      carriedOver: touch.carriedOver,
      windowMissed: missed,
    };
  });

  const outsideWindow = sends.filter(
    (send) =>
      send.channel !== 'call' &&
      (!isInsideSendWindow(new Date(send.at), SEND_WINDOWS, TIME_ZONE) ||
        isQuietHour(new Date(send.at), quietHours[send.channel], TIME_ZONE)),
  ).length;
  const carriedOver = summary.touches.reduce((sum, touch) => sum + touch.carriedOver, 0);
  const throttleRetries = Object.values(throttled).reduce((sum, count) => sum + count, 0);
  const perTouch = new Map<string, number>();
  for (const send of sends) {
    const key = `${send.runId}|${send.touch}|${send.userId}`;
    perTouch.set(key, (perTouch.get(key) ?? 0) + 1);
  }
  const duplicates = [...perTouch.values()].filter((count) => count > 1).length;
  // Every enrolled member, at every touch: sent once, or skipped with a reason the run recorded.
  const lost = summary.touches.reduce((sum, touch) => {
    const sentTo = new Set(sends.filter((send) => send.touch === touch.touch).map((send) => send.userId))
      .size;
    const skipped = Object.values(touch.skipped).reduce((total, count) => total + (count ?? 0), 0);
    return sum + Math.max(0, summary.cohortSize - sentTo - skipped);
  }, 0);

  console.log('');
  console.log(`Sends outside a send window or in quiet hours: ${int(outsideWindow)}`);
  console.log(`Members carried over to a later window: ${int(carriedOver)}`);
  console.log(
    `Throttling retries: ${int(throttleRetries)} (${PACED.map((channel) => `${channel} ${int(throttled[channel])}`).join(', ')})`,
  );
  console.log(`Members lost (neither sent nor skipped with a reason, any touch): ${int(lost)}`);
  console.log(
    `Duplicate sends per (run, touch, user): ${int(duplicates)} · guardrail violations: ${int(guardrailViolations)}`,
  );
  const billing = sendStepBilling(stats, summary.cohortSize);
  console.log(
    `Send steps billed while paced: ${int(billing.invocations)} invocations spanning ${duration(billing.billedSeconds)}` +
      ` of simulated time (${duration(billing.workedSeconds)} of it worked here) → Lambda $${billing.lambdaUsd.toFixed(4)}` +
      ` + Express $${billing.expressUsd.toFixed(4)}: $${billing.perMillionUsd.toFixed(2)} per 1M users at these rates`,
  );
  console.log(
    `Wall time: ${seconds.total.toFixed(1)} s (import ${seconds.import.toFixed(1)} s, run ${seconds.run.toFixed(1)} s,` +
      ` reading the records ${seconds.read.toFixed(1)} s)\n`,
  );

  const targets = {
    achievedAtLeast90Percent: PACED.every(
      (channel) => (channels[channel]?.achievedRate ?? 0) >= 0.9 * rates[channel],
    ),
    busiestSecondWithinRate: PACED.every(
      (channel) => (channels[channel]?.maxInAnySecond ?? 0) <= rates[channel],
    ),
    outsideWindowNone: outsideWindow === 0,
    lostNone: lost === 0,
    duplicatesNone: duplicates === 0,
    guardrailsHeld: guardrailViolations === 0,
    smsCarriedOver: (summary.touches.find((touch) => touch.sent.sms)?.carriedOver ?? 0) > 0,
    underTenMinutes: seconds.total < TEN_MINUTES_S,
  };
  console.log('Targets:');
  for (const channel of PACED) {
    const measured = channels[channel];
    if (!measured) continue;
    console.log(
      `  ${mark(measured.achievedRate >= 0.9 * rates[channel])} ${channel} achieved ${measured.achievedRate}/s ≥ 90% of ${rates[channel]}/s;` +
        ` ${mark(measured.maxInAnySecond <= rates[channel])} busiest second ${measured.maxInAnySecond} ≤ ${rates[channel]}`,
    );
  }
  console.log(`  ${mark(targets.outsideWindowNone)} no send outside a window (${outsideWindow})`);
  console.log(`  ${mark(targets.lostNone)} no member lost (${lost})`);
  console.log(`  ${mark(targets.duplicatesNone)} nobody sent twice for a touch (${duplicates})`);
  console.log(`  ${mark(targets.guardrailsHeld)} every guardrail held (${guardrailViolations} violations)`);
  console.log(`  ${mark(targets.smsCarriedOver)} the SMS touch carried over to a later window`);
  console.log(
    `  ${mark(targets.underTenMinutes)} finished in under 10 minutes (${seconds.total.toFixed(0)} s)`,
  );
  const failed = Object.entries(targets)
    .filter(([, ok]) => !ok)
    .map(([name]) => name);
  console.log(failed.length === 0 ? '  all targets met\n' : `  NOT MET: ${failed.join(', ')}\n`);

  console.log(
    JSON.stringify({
      scenario: 'pacing',
      users: summary.cohortSize,
      channels,
      touches,
      outsideWindow,
      carriedOver,
      throttleRetries,
      lost,
      duplicates,
      guardrailViolations,
      sendStepBilledPerMillionUsd: round(billing.perMillionUsd, 2),
      wallSeconds: round(seconds.total, 1),
      targets,
    }),
  );
};
