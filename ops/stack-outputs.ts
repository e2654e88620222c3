import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';

/** A stack that lacks an output this version of Rekindle needs (an older deployment). */
export class StackOutputMissing extends Error {
  override name = 'StackOutputMissing';
}

/** The deployed stack's outputs, as a reader that names the missing one (see infra/rekindle-stack.ts). */
export const stackOutputs = async (stackName: string, region?: string): Promise<(key: string) => string> => {
  const client = new CloudFormationClient(region ? { region } : {});
  const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
  const outputs = new Map(
    (Stacks?.[0]?.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]),
  );
  return (key) => {
    const value = outputs.get(key);
    if (!value)
      throw new StackOutputMissing(
        `Stack ${stackName} has no output ${key}; deploy this version of Rekindle first`,
      );
    return value;
  };
};
