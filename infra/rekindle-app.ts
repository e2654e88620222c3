import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { CampaignInput } from '../functions/campaign/definition';
import { type FrequencyCaps, frequencyCapsFrom } from '../functions/guardrails/frequency-caps';
import {
  assertOutsideQuietHours,
  type QuietHours,
  quietHoursFrom,
} from '../functions/guardrails/quiet-hours';
import { assertCampaignLinks, type LinkSettings, linkSettingsFrom } from '../functions/links/link-settings';
import { pauseLimitFrom } from '../functions/operations/pause-limit';
import { type SendRates, sendRatesFrom } from '../functions/pacing/send-rates';
import { campaignDefinitions, validateCampaign } from '../statemachines/campaigns';
import type { ConnectConfig } from './agents';
import type { ChannelConfig } from './functions';
import { type AlarmThresholds, alarmEmailFrom, alarmThresholdsFrom } from './monitoring';
import { RekindleStack } from './rekindle-stack';

export const STACK_NAME = 'Rekindle';

export interface RekindleAppOptions {
  channels?: ChannelConfig;
  campaigns?: CampaignInput[];
  /** Overrides of the default quiet hours (else from CDK context `quietHours`). */
  quietHours?: Partial<QuietHours>;
  /** Overrides of the default frequency caps (else from CDK context `frequencyCaps`). */
  frequencyCaps?: Partial<FrequencyCaps>;
  /** Overrides of the default provider rates (else from CDK context `sendRates`). */
  sendRates?: Partial<SendRates>;
  /** Overrides of the default tracked-link settings (else from CDK context `links`). */
  links?: Partial<LinkSettings>;
  /** How long a pause may hold a touch (else from CDK context `pauseLimitHours`, default 24). */
  pauseLimitHours?: number;
  /** Overrides of the default alarm thresholds (else from CDK context `alarmThresholds`). */
  alarmThresholds?: Partial<AlarmThresholds>;
  /** An address to subscribe to the alarm topic (else from CDK context `alarmEmail`; default none). */
  alarmEmail?: string;
  /** An Amazon Connect instance for call tasks (else from CDK context `connectInstanceId` and `connectContactFlowId`). */
  connect?: ConnectConfig;
  /** Skip esbuild bundling (the local runtime imports handler modules directly). */
  skipBundling?: boolean;
  outdir?: string;
}

/**
 * Channel providers from CDK context (-c key=value); see README "Deploy". Without context the deployment
 * is a sandbox: it records messages in the outbox table and sends nothing.
 */
const channelsFromContext = (app: App): ChannelConfig => {
  const mode = app.node.tryGetContext('channels') ?? 'sandbox';
  if (mode === 'sandbox') return { mode: 'sandbox' };
  if (mode !== 'aws') throw new Error(`Context "channels" must be "sandbox" or "aws", not "${mode}"`);
  const required = ['pinpointApplicationId', 'smsOriginationIdentityArn', 'emailFromAddress'] as const;
  const values = Object.fromEntries(required.map((key) => [key, app.node.tryGetContext(key)]));
  const missing = required.filter((key) => !values[key]);
  if (missing.length > 0) {
    throw new Error(`channels=aws needs ${missing.map((key) => `-c ${key}=...`).join(' ')}`);
  }
  return { mode: 'aws', ...(values as Record<(typeof required)[number], string>) };
};

/** Connect is optional: both ids, or neither (nothing of Connect is deployed). */
const connectFrom = (given: ConnectConfig | undefined, app: App): { connect?: ConnectConfig } => {
  if (given) return { connect: given };
  const instanceId = app.node.tryGetContext('connectInstanceId');
  const contactFlowId = app.node.tryGetContext('connectContactFlowId');
  if (!instanceId && !contactFlowId) return {};
  if (!instanceId || !contactFlowId) {
    throw new Error('Amazon Connect needs both -c connectInstanceId=... and -c connectContactFlowId=...');
  }
  return { connect: { instanceId, contactFlowId } };
};

/** The CDK app with cdk-nag's AwsSolutions checks: unacknowledged findings fail synthesis. */
export const createRekindleApp = (options: RekindleAppOptions = {}) => {
  const app = new App({
    outdir: options.outdir,
    context: options.skipBundling ? { 'aws:cdk:bundling-stacks': [] } : {},
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const quietHours = quietHoursFrom(options.quietHours ?? app.node.tryGetContext('quietHours'));
  const campaigns = (options.campaigns ?? campaignDefinitions).map(validateCampaign);
  // A campaign may ask for less than the stack's guardrails allow, never for more.
  for (const campaign of campaigns) assertOutsideQuietHours(campaign, quietHours);
  // Every link of every copy is a tracked link to a destination of the allowlist.
  const linkSettings = linkSettingsFrom(options.links ?? app.node.tryGetContext('links'));
  for (const campaign of campaigns) assertCampaignLinks(campaign, linkSettings);
  const stack = new RekindleStack(app, STACK_NAME, {
    campaigns,
    channels: options.channels ?? channelsFromContext(app),
    quietHours,
    frequencyCaps: frequencyCapsFrom(options.frequencyCaps ?? app.node.tryGetContext('frequencyCaps')),
    sendRates: sendRatesFrom(options.sendRates ?? app.node.tryGetContext('sendRates')),
    pauseLimitHours: pauseLimitFrom(
      options.pauseLimitHours ?? app.node.tryGetContext('pauseLimitHours'),
      campaigns,
    ),
    linkSettings,
    ...connectFrom(options.connect, app),
    alarmThresholds: alarmThresholdsFrom(
      options.alarmThresholds ?? app.node.tryGetContext('alarmThresholds'),
    ),
    alarmEmail: alarmEmailFrom(options.alarmEmail ?? app.node.tryGetContext('alarmEmail')),
    description: 'Rekindle: cohort campaigns that bring dormant lending users back',
  });
  return { app, stack };
};
