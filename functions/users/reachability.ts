import type { Channel } from '../campaign/definition';
import type { User } from './user';

/** Whether the user has an address for the channel. */
const hasAddress = (user: User, channel: Channel): boolean => {
  switch (channel) {
    case 'push':
      return user.push !== null;
    case 'sms':
    case 'call':
      return user.contact.phone !== undefined;
    case 'email':
      return user.contact.email !== undefined;
  }
};

/** Whether the user can be reached on the channel and agreed to it, now. */
export const isReachable = (user: User, channel: Channel): boolean =>
  hasAddress(user, channel) && user.consents[channel];
