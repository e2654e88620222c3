import { Router } from '@aws-lambda-powertools/event-handler/http';
import { InvalidLinkToken } from '../links/link-token';
import { confirmPage, invalidLinkPage, unsubscribedPage } from '../links/pages';
import { checkUnsubscribeToken, unsubscribe } from '../links/unsubscribe';
import { lambdaHandler } from '../shared/lambda';
import { logger, metrics } from '../shared/powertools';

// The token sits in the URL: pages are not cached and do not pass it on as a referrer.
const html = (body: string, status = 200) =>
  new Response(body, {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    },
  });

const app = new Router();

app.get('/unsubscribe/:token', async ({ params }) => {
  await checkUnsubscribeToken(params.token ?? '');
  metrics.addMetric('UnsubscribePagesShown', 'Count', 1);
  return html(confirmPage);
});

/** RFC 8058 one-click: the mail client (or the page's button) POSTs, and email is off. */
app.post('/unsubscribe/:token', async ({ params }) => {
  const { userId, campaignId, outcome } = await unsubscribe(params.token ?? '');
  logger.info('Unsubscribed', { userId, campaignId, outcome });
  metrics.addDimensions({ outcome });
  metrics.addMetric('Unsubscribes', 'Count', 1);
  return html(unsubscribedPage);
});

const invalidLink = async (error: Error) => {
  // The reason only; the token itself stays out of the logs.
  logger.warn('Invalid unsubscribe link', { reason: error.message });
  metrics.addMetric('InvalidUnsubscribeLinks', 'Count', 1);
  return html(invalidLinkPage, 400);
};
app.errorHandler(InvalidLinkToken, invalidLink);
// A path whose percent-escapes do not decode (a link mangled on its way) holds no token at all.
app.errorHandler(URIError, () => invalidLink(new InvalidLinkToken('malformed')));

/** The one-click unsubscribe endpoint (HTTP API): GET shows a button, POST unsubscribes. */
export const handler = lambdaHandler((event: unknown, context) => app.resolve(event, context));
