import type { EndpointMessageResult } from '@aws-sdk/client-pinpoint';
import { emailFeedbackDetailTypes } from '../functions/channels/email-feedback';
import { classifyReply } from '../functions/channels/inbound-sms';
import type { SandboxProviderBehaviour } from '../functions/channels/sandbox';
import { RekindleError } from '../functions/shared/errors';
import type { HandlerName } from '../infra/functions';
import { eventIdOf, type InboundEvent } from './inbound-events';

/** A simulated person's SMS reply; the feed sends it from their phone number, as End User Messaging would. */
export interface SmsReply {
  type: 'sms-reply';
  userId: string;
  occurredAt: string;
  body: string;
}

/** What the feed needs from the runtime. */
export interface InboundPorts {
  invoke(handler: HandlerName, event: unknown): Promise<unknown>;
  /** The unsubscribe link of the latest email sent to the user at or before `at`. */
  latestUnsubscribeUrl(userId: string, at: string): Promise<string | undefined>;
  phoneOf(userId: string): Promise<string | undefined>;
  /** Carries out an operator action at `at` through the ops CLI's code; its refusal is the result. */
  operate(action: unknown, at: Date): Promise<string>;
}

/** One line of events.jsonl: what Rekindle received, when on the virtual timeline, and what it changed. */
export interface ReceivedEvent {
  at: string;
  origin: 'scripted' | 'simulated';
  event: InboundEvent | SmsReply;
  result: unknown;
}

/** The number the sandbox's SMS replies go to (the origination identity messages come from). */
const EMAIL_FEEDBACK_TYPES = new Set(emailFeedbackDetailTypes);
const ORIGINATION_NUMBER = '+12065550100';
const REGION = 'us-east-1';
const ACCOUNT = '000000000000';

/**
 * Feeds what people and providers say back into the real handlers, in the shapes AWS delivers: the
 * EventBridge envelope of the app-events rule, the SNS record of the two-way SMS topic, SES events on the
 * default bus, the HTTP API request of a one-click unsubscribe. It also plays the providers' side: a number
 * that texted an opt-out keyword joins the SMS opt-out list (End User Messaging does this by default), and a
 * scripted push result is what Pinpoint answers for that token from then on.
 */
export class InboundFeed {
  readonly received: ReceivedEvent[] = [];
  private readonly pushResults = new Map<string, EndpointMessageResult>();
  private readonly smsOptOuts = new Set<string>();

  constructor(private readonly ports: InboundPorts) {}

  /** Runs after each message the sandbox accepted, while the touch is under way (tests act mid-touch). */
  onAccepted: SandboxProviderBehaviour['accepted'];

  readonly providerBehaviour: SandboxProviderBehaviour = {
    pushResult: (token) => this.pushResults.get(token),
    smsOptedOut: (phone) => this.smsOptOuts.has(phone),
    accepted: async (message) => this.onAccepted?.(message),
  };

  /** Empties the providers' lists and the record (tests reset the world between cases). */
  reset(): void {
    this.received.length = 0;
    this.onAccepted = undefined;
    this.pushResults.clear();
    this.smsOptOuts.clear();
  }

  async receive(event: InboundEvent | SmsReply, origin: ReceivedEvent['origin'], at: Date): Promise<unknown> {
    const result = await this.deliver(event);
    this.received.push({ at: at.toISOString(), origin, event, result });
    return result;
  }

  private async deliver(event: InboundEvent | SmsReply): Promise<unknown> {
    switch (event.type) {
      case 'sms-reply': {
        const phone = await this.ports.phoneOf(event.userId);
        if (phone === undefined) return { ignored: 'no phone' };
        return this.deliver({
          type: 'sms-inbound',
          occurredAt: event.occurredAt,
          message: {
            originationNumber: phone,
            destinationNumber: ORIGINATION_NUMBER,
            messageKeyword: `KEYWORD_${ACCOUNT}`,
            messageBody: event.body,
            inboundMessageId: eventIdOf(event),
          },
        });
      }
      case 'sms-inbound': {
        if (classifyReply(event.message.messageBody) === 'opt-out')
          this.smsOptOuts.add(event.message.originationNumber);
        if (classifyReply(event.message.messageBody) === 'opt-in')
          this.smsOptOuts.delete(event.message.originationNumber);
        return this.ports.invoke('record-inbound-sms', snsDelivery(event.message, event.occurredAt));
      }
      case 'ses-event': {
        // As on AWS, where two rules hear SES: every event lands on its message's delivery record, and
        // bounces and complaints also turn email off.
        const delivery = await this.ports.invoke('record-delivery-event', event.event);
        if (!EMAIL_FEEDBACK_TYPES.has(event.event['detail-type'])) return delivery;
        const feedback = await this.ports.invoke('record-email-feedback', event.event);
        return { ...(feedback as object), delivery };
      }
      case 'sms-event':
        return this.ports.invoke('record-delivery-event', event.event);
      case 'operator': {
        const { type: _type, occurredAt, ...action } = event;
        try {
          return { done: await this.ports.operate(action, new Date(occurredAt)) };
        } catch (error) {
          // An action that names a run already closed (or not yet started) is refused, as the CLI refuses it.
          if (error instanceof RekindleError) return { refused: `${error.name}: ${error.message}` };
          throw error;
        }
      }
      case 'push-result':
        this.pushResults.set(event.token, event.result);
        return { scripted: `Pinpoint answers pushes to this token with ${event.result.DeliveryStatus}` };
      case 'agent-call': {
        const claims = { sub: event.agent, 'cognito:groups': '[agents]' };
        const taken = (await this.ports.invoke(
          'agent-api',
          agentApiRequest('POST', `/queues/${event.queue}/next`, claims),
        )) as {
          statusCode: number;
          body?: string;
        };
        if (taken.statusCode !== 200) return { taken: null, status: taken.statusCode };
        const { taskId } = JSON.parse(taken.body ?? '{}') as { taskId: string };
        const recorded = (await this.ports.invoke(
          'agent-api',
          agentApiRequest(
            'POST',
            `/tasks/${encodeURIComponent(taskId)}/outcome`,
            claims,
            JSON.stringify(event.outcome),
          ),
        )) as { statusCode: number; body?: string };
        return { taken: taskId, status: recorded.statusCode, recorded: JSON.parse(recorded.body ?? 'null') };
      }
      case 'link-request': {
        const response = (await this.ports.invoke('follow-link', linkRequest(event))) as {
          statusCode: number;
          headers?: Record<string, string>;
        };
        return { status: response.statusCode, location: response.headers?.location ?? null };
      }
      case 'unsubscribe': {
        const url =
          event.url ?? (await this.ports.latestUnsubscribeUrl(event.userId ?? '', event.occurredAt));
        if (url === undefined) return { ignored: 'no email was sent to this user before then' };
        return this.ports.invoke('unsubscribe', oneClickUnsubscribe(url, event.occurredAt));
      }
      default:
        return this.ports.invoke('record-app-event', busDelivery(event));
    }
  }
}

/** The app-events rule's delivery: the detail in its EventBridge envelope. */
const busDelivery = (detail: { occurredAt: string }) => ({
  version: '0',
  id: eventIdOf(detail),
  'detail-type': 'app-event',
  source: 'app',
  account: ACCOUNT,
  time: detail.occurredAt,
  region: REGION,
  resources: [],
  detail,
});

/** The two-way SMS topic's delivery to its Lambda subscription. */
const snsDelivery = (message: unknown, at: string) => ({
  Records: [
    {
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: `arn:aws:sns:${REGION}:${ACCOUNT}:InboundSms:local`,
      Sns: {
        Type: 'Notification',
        MessageId: eventIdOf(message),
        TopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:InboundSms`,
        Subject: null,
        Message: JSON.stringify(message),
        Timestamp: at,
        SignatureVersion: '1',
        Signature: 'local',
        SigningCertUrl: 'https://sns.us-east-1.amazonaws.com/local.pem',
        UnsubscribeUrl: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
        MessageAttributes: {},
      },
    },
  ],
});

/**
 * A request to the agent API as the HTTP API hands it over after its JWT authorizer: with the token's claims,
 * or without any (what a request without a valid token would be, had the authorizer let it through). `body`
 * is the raw request body.
 */
export const agentApiRequest = (
  method: string,
  path: string,
  claims: Record<string, string | undefined> | undefined,
  body?: string,
) => {
  const routeKey = `${method} ${path.replace(/^\/queues\/[^/]+/, '/queues/{queue}').replace(/^\/tasks\/[^/]+/, '/tasks/{taskId}')}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', host: 'agents.local' },
    requestContext: {
      accountId: ACCOUNT,
      apiId: 'local',
      domainName: 'agents.local',
      domainPrefix: 'agents',
      http: {
        method,
        path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'Rekindle-local-agent-console',
      },
      requestId: eventIdOf({ method, path, claims, body }),
      routeKey,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
      ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
    },
    ...(body === undefined ? { isBase64Encoded: false } : { body, isBase64Encoded: false }),
  };
};

/** A browser's, scanner's or preview bot's request for a tracked link, as the HTTP API hands it to Lambda. */
export const linkRequest = (event: Extract<InboundEvent, { type: 'link-request' }>) => {
  const url = new URL(event.url);
  const token = decodeURIComponent(url.pathname.split('/').pop() ?? '');
  const method = event.method ?? 'GET';
  const epoch = Date.parse(event.occurredAt);
  const userAgent = event.userAgent ?? '';
  return {
    version: '2.0',
    routeKey: `${method} /l/{token}`,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers: { host: url.host, ...(userAgent ? { 'user-agent': userAgent } : {}), ...event.headers },
    requestContext: {
      accountId: ACCOUNT,
      apiId: 'local',
      domainName: url.host,
      domainPrefix: url.host.split('.')[0],
      http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent },
      requestId: eventIdOf(event),
      routeKey: `${method} /l/{token}`,
      stage: '$default',
      time: new Date(epoch).toUTCString(),
      timeEpoch: epoch,
    },
    pathParameters: { token },
    isBase64Encoded: false,
  };
};

/** A mail client's RFC 8058 one-click POST to the link, as the HTTP API hands it to Lambda. */
export const oneClickUnsubscribe = (link: string, at: string) => {
  const url = new URL(link);
  const token = decodeURIComponent(url.pathname.split('/').pop() ?? '');
  const epoch = Date.parse(at);
  return {
    version: '2.0',
    routeKey: 'POST /unsubscribe/{token}',
    rawPath: url.pathname,
    rawQueryString: '',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      host: url.host,
      'user-agent': 'Rekindle-local-mail-client/1.0',
    },
    requestContext: {
      accountId: ACCOUNT,
      apiId: 'local',
      domainName: url.host,
      domainPrefix: url.host.split('.')[0],
      http: {
        method: 'POST',
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'Rekindle-local-mail-client/1.0',
      },
      requestId: eventIdOf({ link, at }),
      routeKey: 'POST /unsubscribe/{token}',
      stage: '$default',
      time: new Date(epoch).toUTCString(),
      timeEpoch: epoch,
    },
    pathParameters: { token },
    body: 'List-Unsubscribe=One-Click',
    isBase64Encoded: false,
  };
};
