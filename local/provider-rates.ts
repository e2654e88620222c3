import type { SendRates } from '../functions/pacing/send-rates';

type Provider = keyof SendRates;

/** The most moments (epoch ms, ascending) in any one-second window [t, t + 1 s). */
export const busiestSecondOf = (sorted: readonly number[]): number => {
  let most = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end += 1) {
    while ((sorted[start] ?? 0) <= (sorted[end] ?? 0) - 1000) start += 1;
    most = Math.max(most, end - start + 1);
  }
  return most;
};

/** Where `value` goes in the ascending `sorted`, after any equal to it. */
const upperBound = (sorted: readonly number[], value: number): number => {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] ?? 0) <= value) low = middle + 1;
    else high = middle;
  }
  return low;
};

/**
 * The sandbox providers' rate limits, as the real ones apply them: a message that would make any one-second
 * window hold more than the provider's rate is refused (throttled), measured on the virtual clock by the
 * moment each message is sent. Keeps every accepted moment, by provider and second, to answer that and to
 * report the busiest second.
 */
export class ProviderRateLimits {
  private readonly accepted = new Map<Provider, Map<number, number[]>>();
  readonly throttled: Record<Provider, number> = { push: 0, sms: 0, email: 0 };

  constructor(private readonly rates: SendRates) {}

  admit(provider: Provider, sentAt: string): boolean {
    const at = Date.parse(sentAt);
    const seconds = this.accepted.get(provider) ?? new Map<number, number[]>();
    this.accepted.set(provider, seconds);
    const second = Math.floor(at / 1000);
    // Every window [start, start + 1 s) that would hold this message starts at an accepted moment (or at it)
    // within the second before it; counting from each such start is enough. Each second's moments are kept
    // in order, so the three seconds around it merge in order too.
    const moments = [second - 1, second, second + 1].flatMap((key) => seconds.get(key) ?? []);
    moments.splice(upperBound(moments, at), 0, at);
    let end = 0;
    for (let start = 0; start < moments.length; start += 1) {
      const from = moments[start] ?? 0;
      if (from > at) break;
      if (from <= at - 1000) continue;
      end = Math.max(end, start);
      while (end < moments.length && (moments[end] ?? 0) < from + 1000) end += 1;
      if (end - start > this.rates[provider]) {
        this.throttled[provider] += 1;
        return false;
      }
    }
    const bucket = seconds.get(second) ?? [];
    bucket.splice(upperBound(bucket, at), 0, at);
    seconds.set(second, bucket);
    return true;
  }

  /** The most messages the provider took in any one-second window. */
  busiestSecond(provider: Provider): number {
    return busiestSecondOf([...(this.accepted.get(provider)?.values() ?? [])].flat().sort((a, b) => a - b));
  }

  reset(): void {
    this.accepted.clear();
    for (const provider of Object.keys(this.throttled) as Provider[]) this.throttled[provider] = 0;
  }
}

/** One line: each provider's configured rate, its busiest second, and the sends it throttled. */
export const formatProviders = (rates: SendRates, limits: ProviderRateLimits): string =>
  `providers: ${(['push', 'sms', 'email'] as const)
    .map((provider) => `${provider} ${rates[provider]}/s (busiest second ${limits.busiestSecond(provider)})`)
    .join(' · ')} · throttled ${Object.values(limits.throttled).reduce((sum, count) => sum + count, 0)}`;
