import type { CallTask } from '../channels/call-task-queue';
import { type DeliveryKind, deliveryStatusOf } from '../channels/delivery-events';
import type { ClickRecord } from '../data/clicks';
import { userHashOf } from '../links/tracked-link';
import type { Lifecycle } from '../users/user';
import { describeOffer } from './copy';
import { type Campaign, type Channel, ladderOf } from './definition';
import { type Lift, liftOf } from './lift';
import type { TouchChunk } from './touch';

/**
 * What the funnel of one run is counted from: its touch chunks, its messages' delivery records, its tracked
 * links' click records, its people.
 */
export interface FunnelRecords {
  campaign: Pick<Campaign, 'steps'>;
  /** Every touch chunk of the run, with its results. */
  chunks: readonly TouchChunk[];
  /** Delivery record of each email and SMS message id: the earliest moment of each kind of provider event. */
  deliveries: ReadonlyMap<string, Partial<Record<DeliveryKind, string>>>;
  /** Click records of the run's tracked links, by touch, then by user hash (functions/data/clicks.ts). */
  clicks: ReadonlyMap<number, ReadonlyMap<string, Pick<ClickRecord, 'clickedAt' | 'scannerAt'>>>;
  /** The run's call tasks by task id (a call touch's message id): the calls agents made. */
  callTasks?: ReadonlyMap<string, Pick<CallTask, 'calls'>>;
  /** Each member's lifecycle as it stands now. */
  lifecycles: ReadonlyMap<string, Pick<Lifecycle, 'lastLoginAt' | 'lastCreditApplyAt' | 'lastDrawdownAt'>>;
}

/**
 * One row of a run's funnel: the members a touch reached on one channel with one copy variant and offer.
 * `delivered`, `failed` and `unreported` (no final word from the provider: none yet, or End User Messaging's
 * TEXT_UNKNOWN) are null where the channel has no delivery report: a push Pinpoint accepted is delivered to
 * the platform, a call task is only queued. `opened` is known for email only. `clicked` counts members who
 * followed a tracked link of the touch themselves; `scanned` those whose links a mail scanner or a link
 * preview fetched (never a click, whether or not the person clicked too). The lifecycle goals count members
 * who reached them after this touch.
 */
export interface FunnelRow {
  touch: number;
  channel: Channel;
  variant: string;
  /** The offer of the ladder step, in words ("10 interest-free days"), or null. */
  offer: string | null;
  sent: number;
  delivered: number | null;
  failed: number | null;
  unreported: number | null;
  opened: number | null;
  clicked: number;
  scanned: number;
  /** Call tasks only (else null): members an agent called at least once, reached, and why those who said no did. */
  attempted: number | null;
  reached: number | null;
  notInterested: Partial<Record<string, number>> | null;
  loggedIn: number;
  applied: number;
  drewDown: number;
}

const after = (moment: string | undefined, sentAt: string) => moment !== undefined && moment > sentAt;

/** The run's funnel, by touch × channel × variant × offer, in touch order then channel, variant. */
export const funnelOf = ({
  campaign,
  chunks,
  deliveries,
  clicks,
  callTasks = new Map(),
  lifecycles,
}: FunnelRecords): FunnelRow[] => {
  const ladder = ladderOf(campaign);
  const rows = new Map<string, FunnelRow>();
  for (const chunk of chunks) {
    for (const [userId, result] of Object.entries(chunk.results ?? {})) {
      if (!('sentAt' in result)) continue;
      const step = ladder[result.rung];
      const offer = step?.offer ? describeOffer(step.offer, 'en') : null;
      const key = [chunk.touch, result.channel, result.variant, offer].join('|');
      const row = rows.get(key) ?? {
        touch: chunk.touch,
        channel: result.channel,
        variant: result.variant,
        offer,
        sent: 0,
        ...(result.channel === 'email' || result.channel === 'sms'
          ? { delivered: 0, failed: 0, unreported: 0 }
          : { delivered: null, failed: null, unreported: null }),
        opened: result.channel === 'email' ? 0 : null,
        clicked: 0,
        scanned: 0,
        ...(result.channel === 'call'
          ? { attempted: 0, reached: 0, notInterested: {} }
          : { attempted: null, reached: null, notInterested: null }),
        loggedIn: 0,
        applied: 0,
        drewDown: 0,
      };
      rows.set(key, row);
      row.sent += 1;
      const seen = deliveries.get(result.messageId) ?? {};
      if (row.delivered !== null && row.failed !== null && row.unreported !== null) {
        const status = deliveryStatusOf(seen);
        if (status === 'delivered') row.delivered += 1;
        else if (status === 'failed') row.failed += 1;
        else row.unreported += 1;
      }
      const click = clicks.get(chunk.touch)?.get(userHashOf(userId));
      // A person who followed an email's link opened it, whether or not the open pixel loaded.
      if (row.opened !== null && (seen.opened || seen.clicked || click?.clickedAt)) row.opened += 1;
      if (click?.clickedAt) row.clicked += 1;
      if (click?.scannerAt) row.scanned += 1;
      const calls = callTasks.get(result.messageId)?.calls ?? [];
      if (row.attempted !== null && row.reached !== null && row.notInterested !== null && calls.length > 0) {
        row.attempted += 1;
        if (calls.some((call) => call.disposition.startsWith('reached-'))) row.reached += 1;
        for (const call of calls) {
          if (call.disposition === 'reached-not-interested' && call.reason) {
            row.notInterested[call.reason] = (row.notInterested[call.reason] ?? 0) + 1;
          }
        }
      }
      const lifecycle = lifecycles.get(userId);
      if (after(lifecycle?.lastLoginAt, result.sentAt)) row.loggedIn += 1;
      if (after(lifecycle?.lastCreditApplyAt, result.sentAt)) row.applied += 1;
      if (after(lifecycle?.lastDrawdownAt, result.sentAt)) row.drewDown += 1;
    }
  }
  return [...rows.values()].sort(
    (a, b) =>
      a.touch - b.touch ||
      a.channel.localeCompare(b.channel) ||
      a.variant.localeCompare(b.variant) ||
      String(a.offer).localeCompare(String(b.offer)),
  );
};

const addCount = (a: number | null, b: number | null) => (a === null || b === null ? (a ?? b) : a + b);

/** Rows added up by channel (over touches, variants and offers, and over runs if given several runs' rows). */
export const funnelByChannel = (
  rows: readonly FunnelRow[],
): Omit<FunnelRow, 'touch' | 'variant' | 'offer'>[] => {
  const byChannel = new Map<Channel, Omit<FunnelRow, 'touch' | 'variant' | 'offer'>>();
  for (const { touch: _touch, variant: _variant, offer: _offer, ...row } of rows) {
    const sum = byChannel.get(row.channel);
    if (!sum) {
      byChannel.set(row.channel, {
        ...row,
        notInterested: row.notInterested ? { ...row.notInterested } : null,
      });
      continue;
    }
    sum.sent += row.sent;
    sum.delivered = addCount(sum.delivered, row.delivered);
    sum.failed = addCount(sum.failed, row.failed);
    sum.unreported = addCount(sum.unreported, row.unreported);
    sum.opened = addCount(sum.opened, row.opened);
    sum.clicked += row.clicked;
    sum.scanned += row.scanned;
    sum.attempted = addCount(sum.attempted, row.attempted);
    sum.reached = addCount(sum.reached, row.reached);
    if (sum.notInterested && row.notInterested) {
      for (const [reason, count] of Object.entries(row.notInterested)) {
        sum.notInterested[reason] = (sum.notInterested[reason] ?? 0) + (count ?? 0);
      }
    }
    sum.loggedIn += row.loggedIn;
    sum.applied += row.applied;
    sum.drewDown += row.drewDown;
  }
  return [...byChannel.values()].sort((a, b) => a.channel.localeCompare(b.channel));
};

/** One copy variant of a touch on a channel, against the touch's baseline variant. */
export interface VariantComparison {
  touch: number;
  channel: Channel;
  variant: string;
  baseline: string;
  sent: number;
  clicked: number;
  loggedIn: number;
  /** Click-through and login after the touch, this variant minus the baseline, in points with 95% intervals. */
  clicks?: Lift;
  logins?: Lift;
}

/**
 * Copy variants against each other, for every touch and channel that sent more than one: each against the
 * baseline (`default` if there is one, else the first by name), rates of what was sent, with Newcombe's
 * interval and the same too-small warning as the holdout's lift.
 */
export const compareVariants = (rows: readonly FunnelRow[]): VariantComparison[] => {
  const groups = new Map<string, Map<string, { sent: number; clicked: number; loggedIn: number }>>();
  for (const row of rows) {
    const key = `${row.touch}|${row.channel}`;
    const variants = groups.get(key) ?? new Map();
    groups.set(key, variants);
    const sum = variants.get(row.variant) ?? { sent: 0, clicked: 0, loggedIn: 0 };
    variants.set(row.variant, {
      sent: sum.sent + row.sent,
      clicked: sum.clicked + row.clicked,
      loggedIn: sum.loggedIn + row.loggedIn,
    });
  }
  const comparisons: VariantComparison[] = [];
  for (const [key, variants] of groups) {
    if (variants.size < 2) continue;
    const [touch, channel] = key.split('|') as [string, Channel];
    const names = [...variants.keys()].sort();
    const baseline = names.includes('default') ? 'default' : (names[0] ?? '');
    const base = variants.get(baseline) ?? { sent: 0, clicked: 0, loggedIn: 0 };
    for (const variant of names) {
      const counts = variants.get(variant) ?? { sent: 0, clicked: 0, loggedIn: 0 };
      const against = (pick: (group: typeof counts) => number) =>
        variant === baseline
          ? undefined
          : liftOf(
              { converted: pick(counts), size: counts.sent },
              { converted: pick(base), size: base.sent },
            );
      const clicks = against((group) => group.clicked);
      const logins = against((group) => group.loggedIn);
      comparisons.push({
        touch: Number(touch),
        channel,
        variant,
        baseline,
        ...counts,
        ...(clicks ? { clicks } : {}),
        ...(logins ? { logins } : {}),
      });
    }
  }
  return comparisons.sort((a, b) => a.touch - b.touch || a.channel.localeCompare(b.channel));
};
