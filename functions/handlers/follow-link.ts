import { Router } from '@aws-lambda-powertools/event-handler/http';
import { followLink, LinkDestinationGone } from '../links/link-requests';
import { InvalidLinkToken } from '../links/link-token';
import { expiredLinkPage, invalidLinkPage, unknownDestinationPage } from '../links/pages';
import { LinkExpired } from '../links/tracked-link';
import { lambdaHandler } from '../shared/lambda';
import { logger, metrics } from '../shared/powertools';

// The token sits in the URL: answers are not cached and do not pass it on as a referrer.
const noStore = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' };

const html = (body: string, status: number) =>
  new Response(body, { status, headers: { 'content-type': 'text/html; charset=utf-8', ...noStore } });

const app = new Router();

/** A person's click or a scanner's fetch: counted apart, and both redirected to the allowlisted destination. */
const follow = async (token: string, req: Request) => {
  const headers = Object.fromEntries([...req.headers].map(([name, value]) => [name.toLowerCase(), value]));
  const followed = await followLink({ token, method: req.method, headers }, (error) => {
    logger.error('Click not recorded', { error: error instanceof Error ? error.name : 'unknown' });
    metrics.addMetric('ClicksNotRecorded', 'Count', 1);
  });
  const { link, scanner } = followed;
  metrics.addDimensions({ channel: link.channel, counted: scanner ? 'scanner' : 'person' });
  metrics.addMetric('LinkClicks', 'Count', 1);
  // Hashes and reasons only: nothing here names a person.
  logger.info('Link followed', { runCode: link.runCode, touch: link.touch, scanner: scanner ?? null });
  return new Response(null, { status: 302, headers: { location: followed.location, ...noStore } });
};

app.get('/l/:token', ({ params, req }) => follow(params.token ?? '', req));
app.head('/l/:token', ({ params, req }) => follow(params.token ?? '', req));

const refused = (reason: string, page: string, status: number) => {
  // The reason only; the token itself stays out of the logs.
  logger.warn('Link refused', { reason });
  metrics.addDimensions({ reason });
  metrics.addMetric('LinksRefused', 'Count', 1);
  return html(page, status);
};

app.errorHandler(InvalidLinkToken, async (error) => refused(error.reason, invalidLinkPage, 400));
app.errorHandler(LinkExpired, async () => refused('expired', expiredLinkPage, 410));
app.errorHandler(LinkDestinationGone, async () => refused('destination-gone', unknownDestinationPage, 404));
// A path whose percent-escapes do not decode (a link mangled on its way) holds no token at all.
app.errorHandler(URIError, async () => refused('malformed', invalidLinkPage, 400));

/** Tracked links (HTTP API): records the click for its touch and redirects to an allowlisted destination. */
export const handler = lambdaHandler((event: unknown, context) => app.resolve(event, context));
