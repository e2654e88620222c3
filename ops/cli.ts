import { pathToFileURL } from 'node:url';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { parseCommandLine } from './command-line';
import { StackOutputMissing, stackOutputs } from './stack-outputs';

const USAGE = `Usage: npm run ops -- <command> [options]

  pause <campaign-id> | --all     stop sending: before the next chunk, also mid-touch
  resume <campaign-id> | --all    held touches go on at their next send moment
  stop <run-id>                   end a run: nothing more is sent, its members end "stopped"
  status                          pauses, and every open run with its holds

Options:
  --stack NAME     the deployed stack (default Rekindle)
  --region REGION  its region (default: your AWS configuration's)
  --reason TEXT    kept with a pause and shown by status

Uses your AWS credentials (the SDK's default chain: AWS_PROFILE, SSO, environment).`;

/** A command line the CLI cannot act on. */
export class OpsUsageError extends Error {
  override name = 'OpsUsageError';
}

/** What the CLI needs from the stack's outputs (see infra/rekindle-stack.ts). */
export interface StackOutputs {
  controlsTable: string;
  runsTable: string;
  campaignIds: string[];
}

export const readStackOutputs = async (stackName: string, region?: string): Promise<StackOutputs> => {
  const need = await stackOutputs(stackName, region);
  try {
    return {
      controlsTable: need('ControlsTable'),
      runsTable: need('RunsTable'),
      campaignIds: need('Campaigns').split(',').filter(Boolean),
    };
  } catch (error) {
    throw error instanceof StackOutputMissing ? new OpsUsageError(error.message) : error;
  }
};

const callerIdentity = async (region?: string): Promise<string> => {
  const { Arn } = await new STSClient(region ? { region } : {}).send(new GetCallerIdentityCommand({}));
  return Arn ?? 'unknown';
};

/** Turns the command line into an operator action (or `status`), without touching AWS. */
export const parseOpsArguments = (argv: readonly string[]) => {
  const { values, positionals } = parseCommandLine(
    {
      args: [...argv],
      allowPositionals: true,
      options: {
        all: { type: 'boolean' },
        stack: { type: 'string', default: 'Rekindle' },
        region: { type: 'string' },
        reason: { type: 'string' },
        help: { type: 'boolean' },
      },
    },
    OpsUsageError,
  );
  const [command, target, ...rest] = positionals;
  if (values.help || command === undefined) throw new OpsUsageError(USAGE);
  if (rest.length > 0) throw new OpsUsageError(`Unexpected arguments: ${rest.join(' ')}`);
  const common = { stack: values.stack, region: values.region };
  switch (command) {
    case 'status':
      if (target !== undefined || values.all) throw new OpsUsageError('status takes no target');
      return { ...common, command: 'status' as const };
    case 'stop':
      if (target === undefined || values.all) throw new OpsUsageError('stop needs exactly one run id');
      if (values.reason !== undefined) throw new OpsUsageError('--reason goes with pause');
      return { ...common, command: 'act' as const, action: { action: 'stop', runId: target } };
    case 'pause':
    case 'resume':
      if ((target === undefined) === (values.all === undefined))
        throw new OpsUsageError(`${command} needs a campaign id or --all, not both`);
      if (command === 'resume' && values.reason !== undefined)
        throw new OpsUsageError('--reason goes with pause');
      return {
        ...common,
        command: 'act' as const,
        action: {
          action: command,
          ...(target === undefined ? { all: true } : { campaignId: target }),
          ...(values.reason === undefined ? {} : { reason: values.reason }),
        },
      };
    default:
      throw new OpsUsageError(`Unknown command "${command}"\n\n${USAGE}`);
  }
};

/**
 * Runs one ops command against a deployed stack: its outputs name the tables, the caller's identity is
 * recorded with the action, and the action goes through the same `operate` the local runtime uses.
 */
export const runOps = async (argv: readonly string[], print: (line: string) => void = console.log) => {
  const parsed = parseOpsArguments(argv);
  const outputs = await readStackOutputs(parsed.stack, parsed.region).catch((error: unknown) => {
    // The SDK found no region in --region, the environment or the shared config.
    if (error instanceof Error && error.message === 'Region is missing') {
      throw new OpsUsageError(
        'No AWS region: pass --region REGION, or set AWS_REGION or a profile with a region',
      );
    }
    throw error;
  });
  // The data modules read their table names when first imported, as in a Lambda function.
  Object.assign(process.env, { CONTROLS_TABLE: outputs.controlsTable, RUNS_TABLE: outputs.runsTable });
  if (parsed.region) process.env.AWS_REGION = parsed.region;
  const { controlStatus, formatStatus, operate } = await import('../functions/operations/operator');
  if (parsed.command === 'status') {
    print(formatStatus(await controlStatus(outputs.campaignIds, new Date())));
    return;
  }
  const by = await callerIdentity(parsed.region);
  print(await operate(parsed.action, { at: new Date(), by, campaignIds: outputs.campaignIds }));
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runOps(process.argv.slice(2)).catch((error: unknown) => {
    console.error(
      error instanceof OpsUsageError
        ? error.message
        : error instanceof Error
          ? `${error.name}: ${error.message}`
          : String(error),
    );
    process.exitCode = 1;
  });
}
