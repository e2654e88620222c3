import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { HANDLER_METADATA_KEY, type HandlerName, STATE_MACHINE_METADATA_KEY } from '../infra/functions';
import { createRekindleApp, type RekindleAppOptions, STACK_NAME } from '../infra/rekindle-app';
import { CAMPAIGN_METADATA_KEY } from '../statemachines/campaign-state-machine';

/**
 * What the local runtime needs from the synthesized CloudFormation template: the tables, the buckets, the
 * functions (handler module and environment), and each state machine's definition (ASL) exactly as CDK
 * wrote it, with CloudFormation references resolved to local names.
 */
export interface LocalTemplate {
  tables: CreateTableCommandInput[];
  functions: Map<
    string,
    {
      handler: HandlerName;
      environment: Record<string, string>;
      timeoutSeconds: number;
      /** The function's esbuild bundle as `cdk synth` built it (a synthesis with bundling only). */
      bundle?: string;
    }
  >;
  /** Each campaign's state machine, by campaign id. */
  stateMachines: Map<string, AslDefinition>;
  /** The other state machines (the user import), by name. */
  namedStateMachines: Map<string, AslDefinition>;
  /** S3 buckets, by their local name (what a Ref to them resolves to here). */
  buckets: string[];
}

export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  [field: string]: unknown;
}

export interface AslState {
  Type: string;
  Resource?: string;
  TimestampPath?: string;
  ItemProcessor?: AslDefinition;
  Iterator?: AslDefinition;
  Branches?: AslDefinition[];
  [field: string]: unknown;
}

interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}

const LOCAL_ACCOUNT = '000000000000';
const LOCAL_REGION = 'us-east-1';

export const localFunctionArn = (logicalId: string) =>
  `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${logicalId}`;

/** Bucket names are lowercase; the logical id is unique in the template, so it lowercased is too. */
const localBucketName = (logicalId: string) => logicalId.toLowerCase();

const pseudoParameters: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': STACK_NAME,
};

/** Resolves the CloudFormation intrinsics CDK emits here; local names are the logical ids. */
const resolveIntrinsics = (value: unknown, resources: Record<string, CfnResource>): unknown => {
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(item, resources));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const [first] = entries;
  if (entries.length === 1 && first) {
    const [key, argument] = first;
    switch (key) {
      case 'Ref': {
        const name = String(argument);
        const pseudo = pseudoParameters[name];
        if (pseudo !== undefined) return pseudo;
        if (resources[name]?.Type === 'AWS::Lambda::Function') return name;
        if (resources[name]?.Type === 'AWS::S3::Bucket') return localBucketName(name);
        if (resources[name]?.Type === 'AWS::StepFunctions::StateMachine') {
          return `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${name}`;
        }
        return name;
      }
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = argument as [string, string];
        if (attribute !== 'Arn') throw new Error(`Unsupported Fn::GetAtt ${logicalId}.${attribute}`);
        if (resources[logicalId]?.Type === 'AWS::Lambda::Function') return localFunctionArn(logicalId);
        return `arn:aws:local:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${logicalId}`;
      }
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, unknown[]];
        return parts.map((part) => resolveIntrinsics(part, resources)).join(separator);
      }
      case 'Fn::Split': {
        const [separator, source] = argument as [string, unknown];
        return String(resolveIntrinsics(source, resources)).split(separator);
      }
      case 'Fn::Select': {
        const [index, list] = argument as [number, unknown];
        return (resolveIntrinsics(list, resources) as unknown[])[Number(index)];
      }
    }
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, resolveIntrinsics(item, resources)]));
};

export const readTemplate = (
  template: { Resources: Record<string, CfnResource> },
  /** Where the synthesis wrote its assets, when it bundled the functions. */
  assetDirectory?: string,
): LocalTemplate => {
  const resources = template.Resources;
  const local: LocalTemplate = {
    tables: [],
    functions: new Map(),
    stateMachines: new Map(),
    namedStateMachines: new Map(),
    buckets: [],
  };
  for (const [logicalId, resource] of Object.entries(resources)) {
    // Resolved only for the resources read below; others may use intrinsics this resolver does not know.
    const properties = () =>
      resolveIntrinsics(resource.Properties ?? {}, resources) as Record<string, unknown>;
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table': {
        const { KeySchema, AttributeDefinitions, GlobalSecondaryIndexes } = properties();
        local.tables.push({
          TableName: logicalId,
          KeySchema: KeySchema as CreateTableCommandInput['KeySchema'],
          AttributeDefinitions: AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
          GlobalSecondaryIndexes: GlobalSecondaryIndexes as CreateTableCommandInput['GlobalSecondaryIndexes'],
          BillingMode: 'PAY_PER_REQUEST',
        });
        break;
      }
      case 'AWS::S3::Bucket':
        local.buckets.push(localBucketName(logicalId));
        break;
      case 'AWS::Lambda::Function': {
        const handler = resource.Metadata?.[HANDLER_METADATA_KEY] as HandlerName | undefined;
        if (handler === undefined) break;
        const environment = (properties().Environment as { Variables?: Record<string, string> } | undefined)
          ?.Variables;
        // Lambda's default timeout is 3 s; every Rekindle function sets its own.
        const timeoutSeconds = Number(properties().Timeout ?? 3);
        // The code's asset is `<hash>.zip` in the bootstrap bucket: `asset.<hash>/` in the assembly.
        const key = (resource.Properties?.Code as { S3Key?: unknown } | undefined)?.S3Key;
        const bundle =
          assetDirectory && typeof key === 'string'
            ? path.join(assetDirectory, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs')
            : undefined;
        local.functions.set(logicalId, {
          handler,
          environment: environment ?? {},
          timeoutSeconds,
          ...(bundle ? { bundle } : {}),
        });
        break;
      }
      case 'AWS::StepFunctions::StateMachine': {
        const campaignId = resource.Metadata?.[CAMPAIGN_METADATA_KEY] as string | undefined;
        const name = resource.Metadata?.[STATE_MACHINE_METADATA_KEY] as string | undefined;
        const definition = () => JSON.parse(String(properties().DefinitionString)) as AslDefinition;
        if (campaignId !== undefined) local.stateMachines.set(campaignId, definition());
        else if (name !== undefined) local.namedStateMachines.set(name, definition());
        break;
      }
    }
  }
  return local;
};

/**
 * Where a synthesis with bundling writes its cloud assembly: inside the repository, so that what a bundle leaves
 * to Lambda's runtime (the AWS SDK, external to every bundle as on AWS) resolves from its node_modules.
 */
const BUNDLED_ASSEMBLY = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '.rekindle',
  'bundled',
);

/**
 * Synthesizes the CDK app in-process (cdk-nag included) and reads its template. Bundling is skipped unless
 * `bundled`: then every function is bundled by esbuild exactly as `cdk synth` bundles it for deployment, and
 * the template names each bundle (some 8 s).
 */
export const synthesizeLocalTemplate = (
  options: Pick<RekindleAppOptions, 'campaigns' | 'pauseLimitHours' | 'sendRates'> & {
    bundled?: boolean;
  } = {},
): LocalTemplate => {
  const { bundled, ...appOptions } = options;
  const synthesize = (bundling: { outdir: string } | { skipBundling: true }) => {
    const { app } = createRekindleApp({ ...appOptions, channels: { mode: 'sandbox' }, ...bundling });
    return app.synth().getStackByName(STACK_NAME).template as { Resources: Record<string, CfnResource> };
  };
  if (bundled) {
    rmSync(BUNDLED_ASSEMBLY, { recursive: true, force: true });
    return readTemplate(synthesize({ outdir: BUNDLED_ASSEMBLY }), BUNDLED_ASSEMBLY);
  }
  // The test suite synthesizes the same app in many files: within one run (REKINDLE_TEMPLATE_CACHE, set by
  // vitest.config.ts for that run only) each distinct set of options is synthesized once.
  const cacheDirectory = process.env.REKINDLE_TEMPLATE_CACHE;
  const cached = cacheDirectory
    ? path.join(
        cacheDirectory,
        `${createHash('sha256').update(JSON.stringify(appOptions)).digest('hex')}.json`,
      )
    : undefined;
  if (cached && existsSync(cached)) return readTemplate(JSON.parse(readFileSync(cached, 'utf8')));
  const template = synthesize({ skipBundling: true });
  if (cached && cacheDirectory) {
    mkdirSync(cacheDirectory, { recursive: true });
    // Written whole, then renamed: a file read in parallel is never half-written.
    const partial = `${cached}.${process.pid}.tmp`;
    writeFileSync(partial, JSON.stringify(template));
    renameSync(partial, cached);
  }
  return readTemplate(template);
};
