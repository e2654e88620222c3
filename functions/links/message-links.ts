import type { OutboundMessage } from '../channels/channel';
import { requireEnv } from '../shared/config';
import { linkSettingsFrom } from './link-settings';
import { type LinkSubject, signLinkToken } from './link-token';
import { linkSigningKeys } from './signing-keys';
import { signTrackedLink } from './tracked-link';

const linksBaseUrl = requireEnv('LINKS_BASE_URL').replace(/\/+$/, '');
const { validDays } = linkSettingsFrom(process.env.LINK_SETTINGS);

/** The signed one-click unsubscribe link an email carries (List-Unsubscribe header and footer). */
export const unsubscribeUrlFor = async (subject: LinkSubject): Promise<string> =>
  `${linksBaseUrl}/unsubscribe/${signLinkToken(subject, await linkSigningKeys())}`;

/** The path tracked links are served under: `<LINKS_BASE_URL>/l/<token>`. */
export const TRACKED_LINK_PATH = '/l/';

const PLACEHOLDER = /\{link:([a-z0-9-]{1,24})\}/g;

/**
 * The message with every `{link:<destination>}` of its copy replaced by its tracked link: signed for this
 * user, run, touch and channel, expiring `validDays` after the send. Destinations were checked against the
 * stack's allowlist when the stack was synthesized.
 */
export const withTrackedLinks = async <M extends OutboundMessage>(message: M): Promise<M> => {
  const keys = await linkSigningKeys();
  const link = (_placeholder: string, destination: string) =>
    `${linksBaseUrl}${TRACKED_LINK_PATH}${signTrackedLink(
      {
        runId: message.runId,
        touch: message.touch,
        channel: message.channel,
        userId: message.userId,
        destination,
        sentAt: message.sentAt,
        validDays,
      },
      keys,
    )}`;
  const fill = (text: string) => text.replace(PLACEHOLDER, link);
  switch (message.channel) {
    case 'push':
      return {
        ...message,
        title: fill(message.title),
        body: fill(message.body),
        ...(message.link ? { link: fill(message.link) } : {}),
      };
    case 'sms':
      return { ...message, body: fill(message.body) };
    case 'email':
      return { ...message, subject: fill(message.subject), body: fill(message.body) };
    case 'call':
      return message;
  }
};
