import type { CampaignInput } from '../../functions/campaign/definition';

/** Started a credit application, not finished within 3 days; goal: a submitted application. */
export const campaign: CampaignInput = {
  id: 'application-incomplete',
  description: 'Users who started a credit application and left it unfinished for 3 days',
  audience: { dormancyModel: 'application-incomplete' },
  goal: 'credit_apply',
  timeZones: ['America/Mexico_City'],
  holdoutPercent: 10,
  reentryCooldownDays: 14,
  steps: [
    {
      type: 'channel',
      channel: 'push',
      template: {
        en: {
          title: 'Your application is saved',
          body: 'Pick up where you left off: it takes 3 more minutes.',
          link: '{link:apply}',
        },
        es: {
          title: 'Tu solicitud está guardada',
          body: 'Continúa donde te quedaste: faltan 3 minutos.',
          link: '{link:apply}',
        },
      },
      variants: [
        {
          id: 'saved',
          weight: 50,
          template: {
            en: {
              title: 'Your application is saved',
              body: 'Pick up where you left off: it takes 3 more minutes.',
              link: '{link:apply}',
            },
            es: {
              title: 'Tu solicitud está guardada',
              body: 'Continúa donde te quedaste: faltan 3 minutos.',
              link: '{link:apply}',
            },
          },
        },
        {
          id: 'almost-there',
          weight: 50,
          template: {
            en: {
              title: 'Almost there',
              body: 'You are 2 steps from your credit decision.',
              link: '{link:apply}',
            },
            es: {
              title: 'Ya casi',
              body: 'Estás a 2 pasos de la respuesta a tu crédito.',
              link: '{link:apply}',
            },
          },
        },
      ],
    },
    { type: 'wait', minDays: 1 },
    {
      type: 'channel',
      channel: 'sms',
      offer: { kind: 'interest-free-days', days: 7 },
      template: {
        en: { body: 'Finish your application today and get {offer}. {link:apply} Reply STOP to opt out.' },
        es: {
          body: 'Termina tu solicitud hoy y obtén {offer}. {link:apply} Responde STOP para no recibir más.',
        },
      },
    },
    { type: 'wait', minDays: 2 },
    {
      type: 'channel',
      channel: 'email',
      offer: { kind: 'interest-free-days', days: 7 },
      template: {
        en: {
          subject: 'Your application is waiting',
          body: 'Complete it in minutes and enjoy {offer}. {link:apply}',
        },
        es: {
          subject: 'Tu solicitud te espera',
          body: 'Complétala en minutos y disfruta {offer}. {link:apply}',
        },
      },
    },
    { type: 'wait', minDays: 2 },
    {
      type: 'channel',
      channel: 'call',
      queue: 'applications',
      offer: { kind: 'interest-free-days', days: 7 },
      template: {
        en: { script: 'Offer help finishing the application; mention {offer}; record why they stopped.' },
        es: { script: 'Ofrece ayuda para terminar la solicitud; menciona {offer}; anota por qué se detuvo.' },
      },
    },
  ],
};
