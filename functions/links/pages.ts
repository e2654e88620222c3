/** The tiny pages the unsubscribe endpoint answers with; no scripts, nothing loaded from elsewhere. */
const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title></head><body><main><h1>${title}</h1>${body}</main></body></html>`;

/** What a GET shows: one button that POSTs to the same address. Mail scanners prefetch GETs; only a POST counts. */
export const confirmPage = page(
  'Unsubscribe from these emails',
  '<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>',
);

export const unsubscribedPage = page(
  'You are unsubscribed',
  '<p>You will not receive these emails any more.</p>',
);

export const invalidLinkPage = page('This link is not valid', '<p>Nothing was changed.</p>');

export const expiredLinkPage = page(
  'This link has expired',
  '<p>Open the app to see what is waiting for you.</p>',
);

export const unknownDestinationPage = page(
  'This link leads nowhere any more',
  '<p>Open the app to see what is waiting for you.</p>',
);
