import type { CampaignInput } from '../../functions/campaign/definition';

/** Credit line granted, no drawdown within 7 days; goal: a drawdown. */
export const campaign: CampaignInput = {
  id: 'credited-no-drawdown',
  description: 'Users with a granted credit line who have not drawn on it within 7 days',
  audience: { dormancyModel: 'credited-no-drawdown' },
  goal: 'drawdown',
  timeZones: ['America/Mexico_City'],
  holdoutPercent: 10,
  reentryCooldownDays: 30,
  steps: [
    {
      type: 'channel',
      channel: 'push',
      offer: { kind: 'cash-coupon', amount: 100, currency: 'MXN' },
      template: {
        en: {
          title: 'Your credit line is ready',
          body: 'Use it today and get {offer}.',
          link: '{link:offer}',
        },
        es: {
          title: 'Tu línea de crédito está lista',
          body: 'Úsala hoy y recibe {offer}.',
          link: '{link:offer}',
        },
      },
    },
    { type: 'wait', minDays: 2 },
    {
      type: 'channel',
      channel: 'sms',
      offer: { kind: 'cash-coupon', amount: 100, currency: 'MXN' },
      template: {
        en: {
          body: 'Your credit line is waiting. Draw today and get {offer}. {link:offer} Reply STOP to opt out.',
        },
        es: {
          body: 'Tu línea de crédito te espera. Dispón hoy y recibe {offer}. {link:offer} Responde STOP para no recibir más.',
        },
      },
    },
    { type: 'wait', minDays: 3 },
    {
      type: 'channel',
      channel: 'email',
      offer: { kind: 'cash-coupon', amount: 100, currency: 'MXN' },
      template: {
        en: {
          subject: 'Money when you need it',
          body: 'Your approved line is one tap away. Draw this week and get {offer}. {link:offer}',
        },
        es: {
          subject: 'Dinero cuando lo necesitas',
          body: 'Tu línea aprobada está a un toque. Dispón esta semana y recibe {offer}. {link:offer}',
        },
      },
    },
    { type: 'wait', minDays: 3 },
    {
      type: 'channel',
      channel: 'call',
      queue: 'telesales',
      offer: { kind: 'cash-coupon', amount: 100, currency: 'MXN' },
      template: {
        en: {
          script: 'Remind the customer of their approved line and {offer}; ask what would make them use it.',
        },
        es: { script: 'Recuerda al cliente su línea aprobada y {offer}; pregunta qué lo animaría a usarla.' },
      },
    },
  ],
};
