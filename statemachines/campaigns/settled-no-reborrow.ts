import type { CampaignInput } from '../../functions/campaign/definition';

/** Loan settled, no new loan within 30 days; goal: a drawdown. */
export const campaign: CampaignInput = {
  id: 'settled-no-reborrow',
  description: 'Users who settled a loan and have not borrowed again within 30 days',
  audience: { dormancyModel: 'settled-no-reborrow' },
  goal: 'drawdown',
  timeZones: ['America/Mexico_City'],
  holdoutPercent: 10,
  reentryCooldownDays: 60,
  steps: [
    {
      type: 'channel',
      channel: 'push',
      offer: { kind: 'raised-limit', amount: 5000, currency: 'MXN' },
      template: {
        en: {
          title: 'Thanks for paying on time',
          body: 'You now qualify for {offer}.',
          link: '{link:offer}',
        },
        es: {
          title: 'Gracias por pagar a tiempo',
          body: 'Ahora calificas para {offer}.',
          link: '{link:offer}',
        },
      },
    },
    { type: 'wait', minDays: 3 },
    {
      type: 'channel',
      channel: 'sms',
      offer: { kind: 'discount-coupon', percent: 20 },
      template: {
        en: { body: 'Welcome back offer: {offer} on your next loan. {link:offer} Reply STOP to opt out.' },
        es: {
          body: 'Oferta de regreso: {offer} en tu próximo crédito. {link:offer} Responde STOP para no recibir más.',
        },
      },
    },
    { type: 'wait', minDays: 3 },
    {
      type: 'channel',
      channel: 'email',
      offer: { kind: 'discount-coupon', percent: 20 },
      template: {
        en: {
          subject: 'A better rate for your next loan',
          body: 'As a returning customer you get {offer}. {link:offer}',
        },
        es: {
          subject: 'Una mejor tasa para tu próximo crédito',
          body: 'Como cliente recurrente obtienes {offer}. {link:offer}',
        },
      },
    },
    { type: 'wait', minDays: 3 },
    {
      type: 'channel',
      channel: 'call',
      queue: 'retention',
      offer: { kind: 'discount-coupon', percent: 20 },
      template: {
        en: { script: 'Thank the customer, present {offer} and ask about upcoming needs.' },
        es: { script: 'Agradece al cliente, presenta {offer} y pregunta por sus próximas necesidades.' },
      },
    },
  ],
};
