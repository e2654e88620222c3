import { z } from 'zod';
import { ianaTimeZone } from '../shared/schemas';
import { dormancyModels } from '../users/dormancy';
import type { Lifecycle } from '../users/user';

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'must be a local time as HH:MM' });

/** A span of local time in which touches convert well; `end` is exclusive. */
export const sendWindowSchema = z
  .strictObject({ start: clockTime, end: clockTime })
  .refine((window) => window.start < window.end, { message: 'start must be before end' });

export type SendWindow = z.infer<typeof sendWindowSchema>;

/** Field practice: touches convert best 11:00–12:00 and 19:00–21:00 local time. */
export const defaultSendWindows: SendWindow[] = [
  { start: '11:00', end: '12:00' },
  { start: '19:00', end: '21:00' },
];

export const channels = ['push', 'sms'] as const;
export type Channel = (typeof channels)[number];

const messageSchema = z.strictObject({
  title: z.string().min(1).optional(),
  body: z.string().min(1).max(600),
});
export type MessageCopy = z.infer<typeof messageSchema>;

export const channelStepSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9]*$/, { message: 'must be lower-case letters and digits' }),
  channel: z.enum(channels),
  /** Minimum time after the previous step before this one; the step then waits for the next send window. */
  delayDays: z.number().int().min(0).max(30),
  /** Copy by locale ("es-MX") or language ("es"); "en" is the fallback every campaign must have. */
  copy: z.record(z.string(), messageSchema).refine((copy) => copy.en !== undefined, {
    message: 'must have an "en" entry as the fallback',
  }),
});
export type ChannelStep = z.infer<typeof channelStepSchema>;

export const goals = ['login', 'credit_apply', 'drawdown'] as const;
export type Goal = (typeof goals)[number];

/** Which lifecycle timestamp records the latest goal event. */
export const goalTimestampField: Record<Goal, keyof Lifecycle> = {
  login: 'lastLoginAt',
  credit_apply: 'lastCreditApplyAt',
  drawdown: 'lastDrawdownAt',
};

export const campaignSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/, { message: 'must be kebab-case' }),
    description: z.string().min(1),
    audience: z.strictObject({
      dormancyModel: z.enum(Object.keys(dormancyModels) as [keyof typeof dormancyModels]),
    }),
    goal: z.enum(goals),
    timeZones: z.array(ianaTimeZone).min(1),
    sendWindows: z.array(sendWindowSchema).min(1).default(defaultSendWindows),
    steps: z.array(channelStepSchema).min(1).max(8),
    /** How long after the last touch conversions are still credited to the run before it is summarised. */
    conversionWindowDays: z.number().int().min(1).max(14).default(3),
    /** Users per enrollment batch; one Distributed Map child sends one batch. */
    batchSize: z.number().int().min(1).max(1000).default(500),
  })
  .refine((campaign) => new Set(campaign.steps.map((step) => step.name)).size === campaign.steps.length, {
    message: 'step names must be unique',
    path: ['steps'],
  });

export type Campaign = z.infer<typeof campaignSchema>;
export type CampaignInput = z.input<typeof campaignSchema>;
