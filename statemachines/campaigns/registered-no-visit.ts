import type { CampaignInput } from '../../functions/campaign/definition';

/** Registered, no visit within 3 days; goal: a login. Push first, then SMS a day later. */
export const registeredNoVisit: CampaignInput = {
  id: 'registered-no-visit',
  description: 'Users who registered but have not opened the app in the 3 days since',
  audience: { dormancyModel: 'registered-no-visit' },
  goal: 'login',
  timeZones: ['America/Mexico_City'],
  steps: [
    {
      name: 'push',
      channel: 'push',
      delayDays: 0,
      copy: {
        en: { title: 'Your credit line is waiting', body: 'Finish setting up your account in two minutes.' },
        es: {
          title: 'Tu línea de crédito te espera',
          body: 'Termina de configurar tu cuenta en dos minutos.',
        },
      },
    },
    {
      name: 'sms',
      channel: 'sms',
      delayDays: 1,
      copy: {
        en: { body: 'Your account is ready: log in to see your credit offer. Reply STOP to opt out.' },
        es: {
          body: 'Tu cuenta está lista: entra para ver tu oferta de crédito. Responde STOP para no recibir más.',
        },
      },
    },
  ],
};
