import { z } from 'zod';
import { ianaTimeZone } from '../shared/schemas';
import { dormancyModelNames } from '../users/dormancy';
import { type Lifecycle, rings, valueTiers } from '../users/user';

const unique = (values: readonly string[]) => new Set(values).size === values.length;

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

export const channels = ['push', 'sms', 'email', 'call'] as const;
export type Channel = (typeof channels)[number];

/** Copy per locale ("es-MX") or language ("es"); "en" is the fallback every template must have. */
const byLocale = <T extends z.ZodType>(copy: T) =>
  z
    .record(z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, { message: 'must be a locale such as es-MX' }), copy)
    .refine((template) => template.en !== undefined, { message: 'must have an "en" entry as the fallback' });

const text = (max: number) => z.string().min(1).max(max);
export const templateSchemas = {
  push: byLocale(
    z.strictObject({
      title: text(60),
      body: text(180),
      /** Where a tap leads: a tracked link (`{link:<destination>}`); without it the tap opens the app. */
      link: z
        .string()
        .regex(/^\{link:[a-z0-9-]{1,24}\}$/, { message: 'must be one {link:<destination>} placeholder' })
        .optional(),
    }),
  ),
  sms: byLocale(z.strictObject({ body: text(480) })),
  email: byLocale(z.strictObject({ subject: text(120), body: text(20_000) })),
  call: byLocale(z.strictObject({ script: text(2_000) })),
} as const;

/** The hooks that lift conversion in consumer lending. */
export const offerSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('cash-coupon'),
    amount: z.number().positive(),
    currency: z.string().length(3),
  }),
  z.strictObject({ kind: z.literal('discount-coupon'), percent: z.number().positive().max(100) }),
  z.strictObject({ kind: z.literal('interest-free-days'), days: z.number().int().positive().max(90) }),
  z.strictObject({
    kind: z.literal('raised-limit'),
    amount: z.number().positive(),
    currency: z.string().length(3),
  }),
]);
export type Offer = z.infer<typeof offerSchema>;

const variant = <T extends z.ZodType>(template: T) =>
  z.strictObject({ id: z.string().regex(/^[a-z0-9-]+$/), weight: z.number().positive(), template });

/**
 * A channel step: one rung of the campaign's ladder. Its template is used for every user whose touch
 * lands on this channel; weighted variants, when given, replace the template for a deterministic share.
 */
const channelStep = <C extends Channel>(channel: C) =>
  z.strictObject({
    type: z.literal('channel'),
    channel: z.literal(channel),
    template: templateSchemas[channel],
    variants: z
      .array(variant(templateSchemas[channel]))
      .min(2)
      // The funnel counts by variant id: two variants of one id would be counted, and compared, as one.
      .refine((variants) => unique(variants.map((one) => one.id)), {
        message: 'must not repeat a variant id',
      })
      .optional(),
    offer: offerSchema.optional(),
  });

export const stepSchema = z.discriminatedUnion('type', [
  z.discriminatedUnion('channel', [
    channelStep('push'),
    channelStep('sms'),
    channelStep('email'),
    /** The last rung: a call task for an agent in this queue. */
    channelStep('call').extend({ queue: z.string().regex(/^[a-z0-9-]+$/) }),
  ]),
  /** Time between two touches; the next touch then waits for the next send window. */
  z.strictObject({ type: z.literal('wait'), minDays: z.number().int().min(1).max(30) }),
]);
export type Step = z.infer<typeof stepSchema>;
export type ChannelStep = Extract<Step, { type: 'channel' }>;

export const goals = ['login', 'credit_apply', 'drawdown'] as const;
export type Goal = (typeof goals)[number];

/** Which lifecycle timestamp records the latest goal event. */
export const goalTimestampField = {
  login: 'lastLoginAt',
  credit_apply: 'lastCreditApplyAt',
  drawdown: 'lastDrawdownAt',
} as const satisfies Record<Goal, keyof Lifecycle>;

export const audienceSchema = z.strictObject({
  dormancyModel: z.enum(dormancyModelNames),
  filters: z
    .strictObject({
      /** The user must carry every one of these tags. */
      tagsAll: z.array(z.string().min(1)).min(1).optional(),
      /** The user must carry at least one of these tags. */
      tagsAny: z.array(z.string().min(1)).min(1).optional(),
      ring: z.array(z.enum(rings)).min(1).optional(),
      /** true: only users with the app installed (a push registration); false: only those without. */
      installed: z.boolean().optional(),
      valueTier: z.array(z.enum(valueTiers)).min(1).optional(),
    })
    .default({}),
});
export type Audience = z.infer<typeof audienceSchema>;

export const campaignSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/, { message: 'must be kebab-case' }),
    description: z.string().min(1),
    audience: audienceSchema,
    goal: z.enum(goals),
    /** One daily run per zone: a zone given twice would be two schedules of the same run. */
    timeZones: z.array(ianaTimeZone).min(1).refine(unique, { message: 'must not repeat a time zone' }),
    sendWindows: z.array(sendWindowSchema).min(1).default(defaultSendWindows),
    /** Channel steps in ladder order, with waits between them. */
    steps: z.array(stepSchema).min(1),
    /** Share of each cohort enrolled as control: never messaged, conversions still recorded. */
    holdoutPercent: z.number().min(0).max(50).default(0),
    /** A user is not enrolled in this campaign again within this many days. */
    reentryCooldownDays: z.number().int().min(0).max(365).default(30),
    /** After the last touch: how long conversions are still credited, and call tasks stay open. */
    conversionWindowDays: z.number().int().min(1).max(14).default(3),
    callWindowDays: z.number().int().min(1).max(14).default(2),
    /** Daily start in each time zone; the first touch then waits for the first send window. */
    schedule: z.strictObject({ localTime: clockTime }).default({ localTime: '10:30' }),
    /**
     * Send windows one touch may take: what the providers' rates could not send in a window carries over to
     * the next, up to this many windows in all; members still unsent then get `window-missed`.
     */
    carryOverWindows: z.number().int().min(1).max(7).default(3),
    /** Users per enrollment batch; one Distributed Map child sends one batch. */
    batchSize: z.number().int().min(1).max(1000).default(500),
  })
  .superRefine((campaign, context) => {
    const issue = (path: (string | number)[], message: string) =>
      context.addIssue({ code: 'custom', path, message });
    campaign.steps.forEach((step, index) => {
      const previous = campaign.steps[index - 1];
      if (step.type === 'wait' && (previous === undefined || previous.type === 'wait')) {
        issue(['steps', index], 'a wait must follow a channel step');
      }
      if (step.type === 'channel' && previous?.type === 'channel') {
        issue(['steps', index], 'two channel steps need a wait between them');
      }
      if (step.type === 'channel' && usesOfferPlaceholder(step) && step.offer === undefined) {
        issue(['steps', index, 'template'], 'uses {offer} but the step has no offer');
      }
    });
    if (campaign.steps.at(-1)?.type === 'wait') issue(['steps'], 'must end with a channel step');
    const ladder = campaign.steps.filter((step) => step.type === 'channel').map((step) => step.channel);
    if (new Set(ladder).size !== ladder.length)
      issue(['steps'], 'each channel may appear once in the ladder');
  });

const usesOfferPlaceholder = (step: ChannelStep) =>
  JSON.stringify([step.template, step.variants ?? []]).includes('{offer}');

export type Campaign = z.infer<typeof campaignSchema>;
export type CampaignInput = z.input<typeof campaignSchema>;

/** The campaign's channel steps in order: touch k of a user uses the k-th rung they can be reached on. */
export const ladderOf = (campaign: Pick<Campaign, 'steps'>): ChannelStep[] =>
  campaign.steps.filter((step): step is ChannelStep => step.type === 'channel');
