import { DateTime } from 'luxon';
import type { CampaignInput } from '../functions/campaign/definition';
import { type DormancyModel, dormancyModels } from '../functions/users/dormancy';
import type { User } from '../functions/users/user';
import { campaignDefinitions } from '../statemachines/campaigns';
import { type ChaosOptions, type ChaosReport, runChaos } from './chaos';
import { randomStream } from './random';

/** The load run's three time zones: each campaign runs in all three, one execution per zone. */
export const LOAD_TIME_ZONES = ['America/Mexico_City', 'America/Bogota', 'America/Lima'] as const;

/** The load run's two campaigns, by the dormancy model each reads. */
export const LOAD_CAMPAIGNS = ['registered-no-visit', 'application-incomplete'] as const;

/** Two campaigns as deployed, each in the three zones. */
export const loadCampaigns = (): CampaignInput[] =>
  LOAD_CAMPAIGNS.map((id) => {
    const campaign = campaignDefinitions.find((candidate) => candidate.id === id);
    if (!campaign) throw new Error(`No campaign ${id}`);
    return { ...campaign, timeZones: [...LOAD_TIME_ZONES] };
  });

/**
 * `perCampaign` people dormant on the run date for each of the two campaigns, a third in each zone: reachable
 * on most channels (a few without a push token, an email, or some consent), so every rung of the ladder is
 * walked, and the simulated people react as in `npm start`.
 */
export const loadPopulation = (seed: number, runDate: string, perCampaign: number): User[] =>
  LOAD_CAMPAIGNS.flatMap((model: DormancyModel, m) =>
    Array.from({ length: perCampaign }, (_, index): User => {
      const timeZone = LOAD_TIME_ZONES[index % LOAD_TIME_ZONES.length] ?? 'UTC';
      const userId = `load-${m}-${String(index + 1).padStart(6, '0')}`;
      const random = randomStream(seed, userId);
      // Dormant from the run date: the model's anchor that many days before, in the person's own zone.
      const anchor =
        DateTime.fromISO(runDate, { zone: timeZone })
          .minus({ days: dormancyModels[model].dormantAfterDays })
          .set({ hour: 9, minute: random.integer(0, 59) })
          .toUTC()
          .toISO() ?? '';
      const registeredAt =
        model === 'registered-no-visit'
          ? anchor
          : (DateTime.fromISO(anchor).minus({ days: 60 }).toISO() ?? '');
      return {
        userId,
        contact: {
          // One number per person: a STOP from one number speaks for everyone who has it.
          phone: `+52${m + 1}${String(index).padStart(9, '0')}`,
          ...(random.chance(0.8) ? { email: `${userId}@example.com` } : {}),
        },
        push: random.chance(0.8)
          ? { token: `token-${userId}`, platform: random.chance(0.6) ? 'fcm' : 'apns' }
          : null,
        timeZone,
        locale: random.chance(0.8) ? 'es-MX' : 'en-US',
        consents: {
          push: true,
          sms: random.chance(0.95),
          email: random.chance(0.9),
          call: random.chance(0.7),
        },
        lifecycle:
          model === 'registered-no-visit'
            ? { registeredAt }
            : { registeredAt, lastLoginAt: anchor, applicationStartedAt: anchor },
        tags: [],
      };
    }),
  );

/**
 * The load run: two campaigns in three zones, `perCampaign` people each (50,000 by default), all six executions
 * at once on one timeline, with the checks of the chaos run (and no faults injected).
 */
export const runLoad = (
  options: Pick<ChaosOptions, 'seed' | 'runDate' | 'bundled' | 'simulatedPeople'> & { perCampaign: number },
): Promise<ChaosReport> =>
  runChaos({
    seed: options.seed,
    runDate: options.runDate,
    days: 1,
    users: 0,
    population: loadPopulation(options.seed, options.runDate, options.perCampaign),
    campaigns: loadCampaigns(),
    rates: {},
    outageMinutes: 0,
    duplicateEvery: 0,
    // A call center of three simulated agents for 100,000 people would only let the tasks expire.
    callCenter: false,
    simulatedPeople: options.simulatedPeople,
    bundled: options.bundled,
  });
