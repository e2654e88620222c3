import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CampaignInput } from '../functions/campaign/definition';
import { runOps } from '../ops/cli';
import { validateCampaign } from '../statemachines/campaigns';
import { CAMPAIGN, campaignsWithoutHoldout, RUN_ID, useLocalRekindle } from './support/local-rekindle';

// The deployed stack is played by DynamoDB Local with the template's tables; only CloudFormation (the
// stack's outputs) and STS (who the operator is) are mocked.
const local = useLocalRekindle();
const cloudFormation = mockClient(CloudFormationClient);
const sts = mockClient(STSClient);
const OPERATOR = 'arn:aws:sts::123456789012:assumed-role/RekindleOps/alice';

const ops = async (...argv: string[]) => {
  const lines: string[] = [];
  await runOps(argv, (line) => lines.push(line));
  return lines.join('\n');
};

const controls = () => local.rekindle.scanTable('Controls');

beforeEach(() => {
  cloudFormation.reset();
  sts.reset();
  cloudFormation.on(DescribeStacksCommand, { StackName: 'Rekindle' }).resolves({
    Stacks: [
      {
        StackName: 'Rekindle',
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: new Date('2026-11-01T00:00:00Z'),
        Outputs: [
          { OutputKey: 'ControlsTable', OutputValue: local.rekindle.tableNamed('Controls') },
          { OutputKey: 'RunsTable', OutputValue: local.rekindle.tableNamed('Runs') },
          { OutputKey: 'Campaigns', OutputValue: local.rekindle.campaignIds.join(',') },
        ],
      },
    ],
  });
  sts.on(GetCallerIdentityCommand).resolves({ Arn: OPERATOR });
});

/** Starts a run the way its state machine's first state does: the run record is claimed, open. */
const startRun = () =>
  local.rekindle.invoke('prepare-run', {
    input: {},
    campaign: validateCampaign(
      campaignsWithoutHoldout.filter((campaign) => campaign.id === CAMPAIGN)[0] as CampaignInput,
    ),
    executionName: 'cli-test',
  });

describe('the ops CLI against a deployed stack', () => {
  it('pauses and resumes a campaign, recording who did it and why, and shows it in status', async () => {
    expect(await ops('pause', CAMPAIGN, '--reason', 'wrong offer in the SMS')).toContain(
      `Paused campaign ${CAMPAIGN}`,
    );
    expect(await controls()).toEqual([
      {
        scope: 'brakes',
        [`pause:${CAMPAIGN}`]: {
          paused: true,
          pausedAt: expect.any(String),
          changedAt: expect.any(String),
          changedBy: OPERATOR,
          reason: 'wrong offer in the SMS',
        },
      },
    ]);
    const paused = await ops('status');
    expect(paused).toMatch(
      new RegExp(`${CAMPAIGN}: PAUSED since \\S+ by ${OPERATOR} \\(wrong offer in the SMS\\)`),
    );
    expect(paused).toContain('stack: running');

    expect(await ops('resume', CAMPAIGN)).toContain(`Resumed campaign ${CAMPAIGN}`);
    expect(await ops('status')).toMatch(new RegExp(`${CAMPAIGN}: running \\(resumed \\S+ by ${OPERATOR}\\)`));
  });

  it('pauses the whole stack with --all', async () => {
    await ops('pause', '--all');
    expect(await ops('status')).toMatch(/^stack: PAUSED since/);
    expect(await controls()).toEqual([
      { scope: 'brakes', 'pause:stack': expect.objectContaining({ paused: true, changedBy: OPERATOR }) },
    ]);
  });

  it('lists open runs and stops one', async () => {
    await startRun();
    expect(await ops('status')).toContain(
      `Open runs (1):\n  ${RUN_ID} · started 2026-11-22T16:30:00.000Z · running`,
    );

    expect(await ops('stop', RUN_ID)).toContain(`Stop requested for ${RUN_ID}`);
    expect(await ops('status')).toContain(
      `${RUN_ID} · started 2026-11-22T16:30:00.000Z · STOPPING (requested`,
    );
    // The run's own item keeps the request; the brakes item carries it to the send steps.
    expect(await controls()).toEqual(
      expect.arrayContaining([
        { scope: `run#${RUN_ID}`, stopRequestedAt: expect.any(String), stoppedBy: OPERATOR },
        { scope: 'brakes', [`stop:${RUN_ID}`]: { at: expect.any(String), by: OPERATOR } },
      ]),
    );
  });

  it.each([
    [['pause', 'no-such-campaign'], 'UnknownCampaign'],
    [['resume', 'no-such-campaign'], 'UnknownCampaign'],
    [['stop', 'no-such-run'], 'RunNotOpen'],
    [['pause'], 'OpsUsageError'],
    [['pause', CAMPAIGN, '--all'], 'OpsUsageError'],
    [['resume', CAMPAIGN, '--reason', 'why'], 'OpsUsageError'],
    [['stop'], 'OpsUsageError'],
    [['status', CAMPAIGN], 'OpsUsageError'],
    [['halt', CAMPAIGN], 'OpsUsageError'],
    [['pause', CAMPAIGN, '--colour', 'red'], 'OpsUsageError'],
  ])('refuses %j with %s and writes nothing', async (argv, name) => {
    await expect(ops(...argv)).rejects.toMatchObject({ name });
    expect(await controls()).toEqual([]);
  });

  it('says what to do when no AWS region is configured', async () => {
    cloudFormation.on(DescribeStacksCommand).rejects(new Error('Region is missing'));

    await expect(ops('status')).rejects.toMatchObject({
      name: 'OpsUsageError',
      message: 'No AWS region: pass --region REGION, or set AWS_REGION or a profile with a region',
    });
  });

  it('refuses a stack without the outputs it needs', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'Old', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Outputs: [] }],
    });

    await expect(ops('status', '--stack', 'Old')).rejects.toThrow('Stack Old has no output ControlsTable');
  });
});
