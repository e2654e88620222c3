import type { Channel } from '../campaign/definition';
import { recordLinkRequest, type ScannerReason } from '../data/clicks';
import { now } from '../shared/clock';
import { RekindleError } from '../shared/errors';
import { linkSettingsFrom } from './link-settings';
import { linkSigningKeys } from './signing-keys';
import { type TrackedLink, verifyTrackedLink } from './tracked-link';

/** A verified link whose destination id the stack's allowlist no longer has: it redirects nowhere. */
export class LinkDestinationGone extends RekindleError {
  constructor(id: string) {
    super('LinkDestinationGone', `Link destination ${id} is not on the allowlist`);
  }
}

/** A request for a tracked link, as the HTTP API hands it over. */
export interface LinkRequest {
  token: string;
  method: string;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string | undefined>>;
}

/**
 * User agents of email security scanners, link-preview bots and scripted clients: what fetches a link
 * without a person behind it. Matched case-insensitively anywhere in the User-Agent.
 */
const SCANNER_AGENTS =
  /bot\b|bot\/|crawl|spider|preview|scanner|facebookexternalhit|slack|whatsapp|telegram|discord|skypeuri|barracuda|mimecast|proofpoint|symantec|trendmicro|forcepoint|fireeye|safelinks|google-safety|headless|curl\/|wget\/|python-requests|python-urllib|go-http-client|java\/|libwww|httpclient/i;

/**
 * Seconds after the send within which no person clicks, but a mail security gateway (email) or the phone's
 * link preview (SMS) fetches every link. Push is tapped by people only: no floor.
 */
export const TOO_SOON_SECONDS: Record<Channel, number> = { email: 30, sms: 10, push: 0, call: 0 };

/** Why a request is not a person's click, or undefined when it is one. */
export const scannerReasonOf = (
  request: Pick<LinkRequest, 'method' | 'headers'>,
  link: Pick<TrackedLink, 'channel' | 'sentAt'>,
  at: Date,
): ScannerReason | undefined => {
  if (request.method.toUpperCase() === 'HEAD') return 'head-request';
  const { headers } = request;
  const purpose = [headers.purpose, headers['sec-purpose'], headers['x-purpose'], headers['x-moz']]
    .filter((value): value is string => value !== undefined)
    .join(' ');
  if (/prefetch|preview|prerender/i.test(purpose)) return 'prefetch';
  const agent = headers['user-agent']?.trim() ?? '';
  if (agent === '') return 'no-agent';
  if (SCANNER_AGENTS.test(agent)) return 'scanner-agent';
  if (at.getTime() - Date.parse(link.sentAt) < TOO_SOON_SECONDS[link.channel] * 1000) return 'too-soon';
  return undefined;
};

/** What a followed link answers: where it redirects, and how the request was counted. */
export interface FollowedLink {
  location: string;
  link: TrackedLink;
  scanner: ScannerReason | undefined;
  /** False when the click could not be written; the person is redirected all the same. */
  recorded: boolean;
}

/**
 * Follows a tracked link: verifies it (a forged, tampered or expired link is a named error, recording
 * nothing), looks its destination id up on the allowlist, records the request for its touch (a person's
 * click, or a scanner's request kept apart) and answers where to redirect.
 */
export const followLink = async (
  request: LinkRequest,
  onRecordFailed: (error: unknown) => void,
): Promise<FollowedLink> => {
  const at = now();
  const link = verifyTrackedLink(request.token, await linkSigningKeys(), at);
  const { destinations } = linkSettingsFrom(process.env.LINK_SETTINGS);
  const location = Object.hasOwn(destinations, link.destination) ? destinations[link.destination] : undefined;
  if (location === undefined) throw new LinkDestinationGone(link.destination);
  const scanner = scannerReasonOf(request, link, at);
  try {
    await recordLinkRequest(link, at, scanner);
    return { location, link, scanner, recorded: true };
  } catch (error) {
    // Counting is ours; the person still gets where the link said.
    onRecordFailed(error);
    return { location, link, scanner, recorded: false };
  }
};
