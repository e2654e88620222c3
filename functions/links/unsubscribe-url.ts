import { requireEnv } from '../shared/config';
import { type LinkSubject, signLinkToken } from './link-token';
import { linkSigningKeys } from './signing-keys';

const linksBaseUrl = requireEnv('LINKS_BASE_URL').replace(/\/+$/, '');

/** The signed one-click unsubscribe link an email carries (List-Unsubscribe header and footer). */
export const unsubscribeUrlFor = async (subject: LinkSubject): Promise<string> =>
  `${linksBaseUrl}/unsubscribe/${signLinkToken(subject, await linkSigningKeys())}`;
