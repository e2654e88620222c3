import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import type { RekindleTables } from './tables';

/**
 * What people say back, on every channel: inbound SMS (End User Messaging two-way → SNS topic), SES
 * bounces and complaints (configuration-set events on the default bus), and the one-click unsubscribe
 * endpoint (HTTP API) with the keys that sign its links.
 */
export class ChannelFeedback extends Construct {
  constructor(
    scope: Construct,
    id: string,
    _props: { tables: RekindleTables; emailConfigurationSetName: string },
  ) {
    super(scope, id);
  }

  /** Lets a function sign unsubscribe links: the endpoint's base URL and read access to the signing keys. */
  allowLinkSigning(_fn: NodejsFunction): void {}
}
