import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { ConfigurationSet, EmailSendingEvent, EventDestination } from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import type { Campaign } from '../functions/campaign/definition';
import type { FrequencyCaps } from '../functions/guardrails/frequency-caps';
import type { QuietHours } from '../functions/guardrails/quiet-hours';
import type { SendRates } from '../functions/pacing/send-rates';
import { CampaignStateMachine } from '../statemachines/campaign-state-machine';
import { type ChannelConfig, RekindleFunctions } from './functions';
import { UserImport } from './imports';
import { ChannelFeedback } from './inbound';
import { RekindleTables } from './tables';
import { CampaignTriggers } from './triggers';

export interface RekindleStackProps extends StackProps {
  campaigns: Campaign[];
  channels: ChannelConfig;
  /** Stack-wide: nothing is sent inside them, whatever a campaign or a console launch says. */
  quietHours: QuietHours;
  /** Stack-wide: how often one person may hear from us over every campaign and run. */
  frequencyCaps: FrequencyCaps;
  /** Stack-wide: messages per second each provider takes. */
  sendRates: SendRates;
  /** Stack-wide: how long a pause may hold a touch before the touch is given up (`paused`). */
  pauseLimitHours: number;
}

export class RekindleStack extends Stack {
  readonly tables: RekindleTables;
  readonly functions: RekindleFunctions;
  readonly campaignStateMachines: CampaignStateMachine[];

  constructor(scope: Construct, id: string, props: RekindleStackProps) {
    super(scope, id, props);
    this.tables = new RekindleTables(this, 'Tables', { sandbox: props.channels.mode === 'sandbox' });
    // With real providers, SES reports every event Rekindle's funnel reads (sends, deliveries, delays,
    // bounces, complaints, opens, clicks, rejects) to the default event bus through this configuration set.
    const emailConfigurationSetName = `${this.stackName}-email-events`;
    const emailEvents =
      props.channels.mode === 'aws'
        ? new ConfigurationSet(this, 'EmailEvents', { configurationSetName: emailConfigurationSetName })
        : undefined;
    emailEvents?.addEventDestination('ToEventBridge', {
      destination: EventDestination.eventBus(EventBus.fromEventBusName(this, 'DefaultBus', 'default')),
      events: [
        EmailSendingEvent.SEND,
        EmailSendingEvent.DELIVERY,
        EmailSendingEvent.DELIVERY_DELAY,
        EmailSendingEvent.BOUNCE,
        EmailSendingEvent.COMPLAINT,
        EmailSendingEvent.OPEN,
        EmailSendingEvent.CLICK,
        EmailSendingEvent.REJECT,
      ],
    });
    this.functions = new RekindleFunctions(this, 'Functions', {
      tables: this.tables,
      channels: props.channels,
      quietHours: props.quietHours,
      frequencyCaps: props.frequencyCaps,
      pauseLimitHours: props.pauseLimitHours,
      sendRates: props.sendRates,
      emailConfigurationSetName: emailEvents?.configurationSetName,
    });

    // What comes back from people (SMS replies, bounces, complaints, unsubscribes) and the bulk user import.
    const feedback = new ChannelFeedback(this, 'ChannelFeedback', {
      tables: this.tables,
      emailConfigurationSetName,
    });
    feedback.allowLinkSigning(this.functions.sendTouch);
    new UserImport(this, 'UserImport', { tables: this.tables });

    this.campaignStateMachines = props.campaigns.map((campaign) => {
      const machine = new CampaignStateMachine(this, `Campaign-${campaign.id}`, {
        campaign,
        functions: this.functions,
        sendRates: props.sendRates,
      });
      new CampaignTriggers(this, `Triggers-${campaign.id}`, {
        campaignId: campaign.id,
        timeZones: campaign.timeZones,
        localTime: campaign.schedule.localTime,
        stateMachine: machine.stateMachine,
      });
      return machine;
    });

    // What the ops CLI (npm run ops) reads to find the brakes and the runs.
    new CfnOutput(this, 'ControlsTable', { value: this.tables.controls.tableName });
    new CfnOutput(this, 'RunsTable', { value: this.tables.runs.tableName });
    new CfnOutput(this, 'Campaigns', { value: props.campaigns.map((campaign) => campaign.id).join(',') });

    // App events (logins, clicks, applications, drawdowns) come in on their own bus.
    const appEvents = new EventBus(this, 'AppEvents');
    new Rule(this, 'AppEventsToRecorder', {
      eventBus: appEvents,
      eventPattern: { detailType: ['app-event'] },
      targets: [new LambdaFunction(this.functions.recordAppEvent, { retryAttempts: 4 })],
    });
  }
}
