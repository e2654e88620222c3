import { assertUnreachable } from '../shared/errors';
import type { Channel, ChannelStep, Offer } from './definition';

type TemplateOf<C extends Channel> = Extract<ChannelStep, { channel: C }>['template'];
export type CopyOf<C extends Channel> = NonNullable<TemplateOf<C>[string]>;

/** Copy for the user's locale, then language, then the "en" fallback every template has. */
export const copyForLocale = <C extends Channel>(template: TemplateOf<C>, locale: string): CopyOf<C> => {
  const language = locale.split('-')[0] ?? locale;
  const copy = template[locale] ?? template[language] ?? template.en;
  if (copy === undefined) throw new Error('template has no "en" copy');
  return copy as CopyOf<C>;
};

const money = (amount: number, currency: string) => `${currency} ${amount.toLocaleString('en-US')}`;

/** How an offer reads in a message, in the user's language (English unless Spanish). */
export const describeOffer = (offer: Offer, locale: string): string => {
  const spanish = locale.startsWith('es');
  switch (offer.kind) {
    case 'cash-coupon':
      return spanish
        ? `un cupón de ${money(offer.amount, offer.currency)}`
        : `a ${money(offer.amount, offer.currency)} cash coupon`;
    case 'discount-coupon':
      return spanish ? `${offer.percent}% de descuento` : `${offer.percent}% off`;
    case 'interest-free-days':
      return spanish ? `${offer.days} días sin intereses` : `${offer.days} interest-free days`;
    case 'raised-limit':
      return spanish
        ? `un aumento de límite de ${money(offer.amount, offer.currency)}`
        : `a limit raised by ${money(offer.amount, offer.currency)}`;
    default:
      return assertUnreachable(offer);
  }
};

/** Fills the {offer} placeholder of every text field of a copy. */
export const renderCopy = <T extends Record<string, string>>(
  copy: T,
  offer: Offer | undefined,
  locale: string,
): T => {
  const offerText = offer ? describeOffer(offer, locale) : '';
  return Object.fromEntries(
    Object.entries(copy).map(([field, value]) => [field, value.replaceAll('{offer}', offerText)]),
  ) as T;
};
