import type { CampaignInput } from '../../functions/campaign/definition';

/** Registered, no visit within 3 days; goal: a login. */
export const campaign: CampaignInput = {
  id: 'registered-no-visit',
  description: 'Users who registered but have not opened the app in the 3 days since',
  audience: { dormancyModel: 'registered-no-visit' },
  goal: 'login',
  timeZones: ['America/Mexico_City'],
  holdoutPercent: 10,
  reentryCooldownDays: 30,
  steps: [
    {
      type: 'channel',
      channel: 'push',
      template: {
        en: {
          title: 'Your credit line is waiting',
          body: 'Finish setting up your account in two minutes.',
          link: '{link:app}',
        },
        es: {
          title: 'Tu línea de crédito te espera',
          body: 'Termina de configurar tu cuenta en dos minutos.',
          link: '{link:app}',
        },
      },
    },
    { type: 'wait', minDays: 1 },
    {
      type: 'channel',
      channel: 'sms',
      template: {
        en: {
          body: 'Your account is ready: log in to see your credit offer. {link:app} Reply STOP to opt out.',
        },
        es: {
          body: 'Tu cuenta está lista: entra para ver tu oferta de crédito. {link:app} Responde STOP para no recibir más.',
        },
      },
    },
    { type: 'wait', minDays: 2 },
    {
      type: 'channel',
      channel: 'email',
      template: {
        en: {
          subject: 'Your account is one step away',
          body: 'Log in to finish your profile and see what you qualify for. {link:app}',
        },
        es: {
          subject: 'Tu cuenta está a un paso',
          body: 'Entra para completar tu perfil y ver lo que puedes obtener. {link:app}',
        },
      },
    },
    { type: 'wait', minDays: 3 },
    {
      type: 'channel',
      channel: 'call',
      queue: 'onboarding',
      template: {
        en: {
          script: 'Welcome call: help the customer log in for the first time and ask what stopped them.',
        },
        es: {
          script:
            'Llamada de bienvenida: ayuda al cliente a entrar por primera vez y pregunta qué lo detuvo.',
        },
      },
    },
  ],
};
