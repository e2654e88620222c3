import type { CampaignInput } from '../../functions/campaign/definition';

/**
 * The inner ring (app plus the bank's own debit card) of credited-no-drawdown, with a bigger coupon and
 * copy of its own. It selects from the same dormancy model as credited-no-drawdown, so the same people
 * enter both on the same day: the cross-campaign caps decide who hears from which.
 */
export const campaign: CampaignInput = {
  id: 'credited-no-drawdown-inner-ring',
  description: 'Inner-ring customers with a granted credit line who have not drawn on it within 7 days',
  audience: { dormancyModel: 'credited-no-drawdown', filters: { ring: ['inner'] } },
  goal: 'drawdown',
  timeZones: ['America/Mexico_City'],
  holdoutPercent: 10,
  reentryCooldownDays: 30,
  steps: [
    {
      type: 'channel',
      channel: 'push',
      offer: { kind: 'cash-coupon', amount: 250, currency: 'MXN' },
      template: {
        en: {
          title: 'Your credit line, straight to your card',
          body: 'Draw today into your debit card and get {offer}.',
          link: '{link:offer}',
        },
        es: {
          title: 'Tu línea de crédito, directo a tu tarjeta',
          body: 'Dispón hoy a tu tarjeta de débito y recibe {offer}.',
          link: '{link:offer}',
        },
      },
    },
    { type: 'wait', minDays: 2 },
    {
      type: 'channel',
      channel: 'sms',
      offer: { kind: 'cash-coupon', amount: 250, currency: 'MXN' },
      template: {
        en: {
          body: 'Your approved line can land on your debit card today, with {offer}. {link:offer} Reply STOP to opt out.',
        },
        es: {
          body: 'Tu línea aprobada puede llegar hoy a tu tarjeta de débito, con {offer}. {link:offer} Responde STOP para no recibir más.',
        },
      },
    },
    { type: 'wait', minDays: 3 },
    {
      type: 'channel',
      channel: 'email',
      offer: { kind: 'cash-coupon', amount: 250, currency: 'MXN' },
      template: {
        en: {
          subject: 'A thank-you for banking with us',
          body: 'As a debit card customer your approved line is one tap away. Draw this week and get {offer}. {link:offer}',
        },
        es: {
          subject: 'Un agradecimiento por ser cliente',
          body: 'Como cliente con tarjeta de débito, tu línea aprobada está a un toque. Dispón esta semana y recibe {offer}. {link:offer}',
        },
      },
    },
    { type: 'wait', minDays: 3 },
    {
      type: 'channel',
      channel: 'call',
      queue: 'telesales',
      offer: { kind: 'cash-coupon', amount: 250, currency: 'MXN' },
      template: {
        en: {
          script:
            'Thank the customer for banking with us, remind them of their approved line and {offer}; ask what would make them use it.',
        },
        es: {
          script:
            'Agradece al cliente que tenga su cuenta con nosotros, recuérdale su línea aprobada y {offer}; pregunta qué lo animaría a usarla.',
        },
      },
    },
  ],
};
