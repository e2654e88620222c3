import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { ConfigurationSet, EmailSendingEvent, EventDestination } from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import type { Campaign } from '../functions/campaign/definition';
import type { FrequencyCaps } from '../functions/guardrails/frequency-caps';
import type { QuietHours } from '../functions/guardrails/quiet-hours';
import type { LinkSettings } from '../functions/links/link-settings';
import type { SendRates } from '../functions/pacing/send-rates';
import { CampaignStateMachine } from '../statemachines/campaign-state-machine';
import { AgentDesk, type ConnectConfig } from './agents';
import { type ChannelConfig, RekindleFunctions } from './functions';
import { UserImport } from './imports';
import { ChannelFeedback } from './inbound';
import { type AlarmThresholds, RekindleMonitoring } from './monitoring';
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
  /** An Amazon Connect instance that also gets every call task as a Connect task; without it, nothing of Connect. */
  connect?: ConnectConfig;
  /** Stack-wide: where tracked links may lead, and for how long they work. */
  linkSettings: LinkSettings;
  /** When the alarms go off (send failure rate, SES reputation); see infra/monitoring.ts for the defaults. */
  alarmThresholds: AlarmThresholds;
  /** An address subscribed to the alarm topic; others subscribe themselves (README "Dashboard and alarms"). */
  alarmEmail?: string;
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
      linkSettings: props.linkSettings,
    });
    feedback.allowLinkSigning(this.functions.sendTouch);
    const userImport = new UserImport(this, 'UserImport', { tables: this.tables });
    // The call center: agents take, work and close the call tasks the ladders' last rungs create.
    const agentDesk = new AgentDesk(this, 'AgentDesk', { tables: this.tables, quietHours: props.quietHours });
    if (props.connect) agentDesk.sendToConnect(this.functions.sendTouch, props.connect);

    const campaignRuns = props.campaigns.map((campaign) => {
      const machine = new CampaignStateMachine(this, `Campaign-${campaign.id}`, {
        campaign,
        functions: this.functions,
        sendRates: props.sendRates,
      });
      const triggers = new CampaignTriggers(this, `Triggers-${campaign.id}`, {
        campaignId: campaign.id,
        timeZones: campaign.timeZones,
        localTime: campaign.schedule.localTime,
        stateMachine: machine.stateMachine,
      });
      return { campaign, machine, triggers };
    });
    this.campaignStateMachines = campaignRuns.map(({ machine }) => machine);

    // What the ops CLI (npm run ops) reads to find the brakes and the runs.
    new CfnOutput(this, 'ControlsTable', { value: this.tables.controls.tableName });
    new CfnOutput(this, 'RunsTable', { value: this.tables.runs.tableName });
    // What `npm run report` reads a run's funnel from.
    new CfnOutput(this, 'EnrollmentsTable', { value: this.tables.enrollments.tableName });
    new CfnOutput(this, 'TouchesTable', { value: this.tables.touches.tableName });
    new CfnOutput(this, 'DeliveriesTable', { value: this.tables.deliveries.tableName });
    new CfnOutput(this, 'ClicksTable', { value: this.tables.clicks.tableName });
    new CfnOutput(this, 'UsersTable', { value: this.tables.users.tableName });
    new CfnOutput(this, 'CallTasksTable', { value: this.tables.callTasks.tableName });
    new CfnOutput(this, 'Campaigns', { value: props.campaigns.map((campaign) => campaign.id).join(',') });

    // App events (logins, clicks, applications, drawdowns) come in on their own bus.
    const appEvents = new EventBus(this, 'AppEvents');
    new Rule(this, 'AppEventsToRecorder', {
      eventBus: appEvents,
      eventPattern: { detailType: ['app-event'] },
      targets: [new LambdaFunction(this.functions.recordAppEvent, { retryAttempts: 4 })],
    });

    // The dashboard, and the alarms on one topic operators subscribe to (README "Dashboard and alarms").
    new RekindleMonitoring(this, 'Monitoring', {
      campaigns: campaignRuns,
      userImport: userImport.stateMachine.stateMachine,
      deadLetterQueues: [...feedback.deadLetterQueues, userImport.uploadsNotStarted],
      sendsEmail: props.channels.mode === 'aws',
      thresholds: props.alarmThresholds,
      alarmEmail: props.alarmEmail,
    });
  }
}
