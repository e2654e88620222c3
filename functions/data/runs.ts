import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, paginateQuery, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Run, RunSummary, StepOutcome } from '../campaign/run';
import { documentClient } from '../clients/dynamodb';
import { requireEnv } from '../shared/config';
import { RunAlreadyStarted } from '../shared/errors';

const runsTable = requireEnv('RUNS_TABLE');

// One partition per run: the run record itself, and one outcome record per (step, batch) that the
// send step writes idempotently, so a retried batch never counts twice.
const RUN_RECORD = 'run';
const outcomeRecord = (step: string, batch: number) => `outcome#${step}#${String(batch).padStart(6, '0')}`;

/** Claims the run id; a second start of the same run fails here, before anyone is enrolled. */
export const claimRun = async (run: Run): Promise<void> => {
  try {
    await documentClient.send(
      new PutCommand({
        TableName: runsTable,
        Item: {
          runId: run.runId,
          record: RUN_RECORD,
          campaignId: run.campaign.id,
          runDate: run.runDate,
          timeZone: run.timeZone,
          startedAt: run.startedAt,
          status: 'running',
        },
        ConditionExpression: 'attribute_not_exists(runId)',
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new RunAlreadyStarted(run.runId);
    throw error;
  }
};

export const recordAudience = async (
  runId: string,
  cohortSize: number,
  batchCount: number,
): Promise<void> => {
  await documentClient.send(
    new UpdateCommand({
      TableName: runsTable,
      Key: { runId, record: RUN_RECORD },
      UpdateExpression: 'SET cohortSize = :cohortSize, batchCount = :batchCount',
      ExpressionAttributeValues: { ':cohortSize': cohortSize, ':batchCount': batchCount },
    }),
  );
};

export const putStepOutcome = async (runId: string, outcome: StepOutcome): Promise<void> => {
  await documentClient.send(
    new PutCommand({
      TableName: runsTable,
      Item: { runId, record: outcomeRecord(outcome.step, outcome.batch), ...outcome },
    }),
  );
};

export const queryStepOutcomes = async (runId: string): Promise<StepOutcome[]> => {
  const outcomes: StepOutcome[] = [];
  const pages = paginateQuery(
    { client: documentClient },
    {
      TableName: runsTable,
      KeyConditionExpression: 'runId = :runId AND begins_with(#record, :prefix)',
      ExpressionAttributeNames: { '#record': 'record' },
      ExpressionAttributeValues: { ':runId': runId, ':prefix': 'outcome#' },
      ConsistentRead: true,
    },
  );
  for await (const page of pages) {
    for (const { runId: _runId, record: _record, ...outcome } of page.Items ?? []) {
      outcomes.push(outcome as StepOutcome);
    }
  }
  return outcomes;
};

export const completeRun = async (runId: string, summary: RunSummary, completedAt: string): Promise<void> => {
  await documentClient.send(
    new UpdateCommand({
      TableName: runsTable,
      Key: { runId, record: RUN_RECORD },
      UpdateExpression: 'SET #status = :status, summary = :summary, completedAt = :completedAt',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': 'completed', ':summary': summary, ':completedAt': completedAt },
    }),
  );
};

export const getRunRecord = async (runId: string): Promise<Record<string, unknown> | undefined> => {
  const result = await documentClient.send(
    new GetCommand({ TableName: runsTable, Key: { runId, record: RUN_RECORD }, ConsistentRead: true }),
  );
  return result.Item;
};
