import type { OutboundMessage } from '../channels/channel';
import type { User } from '../users/user';
import type { Channel, ChannelStep, MessageCopy } from './definition';
import type { SkipReason } from './run';

export type TouchStatus = 'claimed' | 'sent' | 'failed';

/** One message to one user in one step of one run; claimed before the provider is called. */
export interface Touch {
  userId: string;
  /** `${runId}#${step}`; also what links and provider context carry. */
  touchId: string;
  runId: string;
  step: string;
  channel: Channel;
  status: TouchStatus;
  claimedAt: string;
  messageId?: string;
  sentAt?: string;
  clickedAt?: string;
}

export const touchIdOf = (runId: string, step: string): string => `${runId}#${step}`;

type Address = OutboundMessage['address'];

/** Where this user can be reached on the channel, or why not. */
export const addressFor = (user: User, channel: Channel): { address: Address } | { skip: SkipReason } => {
  switch (channel) {
    case 'push':
      if (user.push === null) return { skip: 'no-address' };
      if (!user.consents.push) return { skip: 'no-consent' };
      return { address: user.push };
    case 'sms':
      if (user.contact.phone === undefined) return { skip: 'no-address' };
      if (!user.consents.sms) return { skip: 'no-consent' };
      return { address: { phone: user.contact.phone } };
    default:
      return assertUnreachable(channel);
  }
};

/** Copy for the user's locale, then language, then the "en" fallback every step has. */
export const copyFor = (step: ChannelStep, locale: string): MessageCopy => {
  const language = locale.split('-')[0] ?? locale;
  const copy = step.copy[locale] ?? step.copy[language] ?? step.copy.en;
  if (copy === undefined) throw new Error(`Step ${step.name} has no "en" copy`);
  return copy;
};

export const assertUnreachable = (value: never): never => {
  throw new Error(`Unexpected value: ${String(value)}`);
};
