import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  DistributedMap,
  JsonPath,
  type StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { MAX_CHUNKS } from '../functions/imports/import-input';
import { STATE_MACHINE_METADATA_KEY } from '../infra/functions';
import { rekindleStateMachine } from './rekindle-state-machine';
import { transientRetry } from './retries';

export interface ImportFunctions {
  planImport: IFunction;
  importChunk: IFunction;
  summariseImport: IFunction;
}

/** The functions' own timeouts (infra/imports.ts): a chunk must finish well inside an Express child's 5 minutes. */
export const IMPORT_TIMEOUTS = {
  plan: Duration.seconds(30),
  chunk: Duration.seconds(90),
  summarise: Duration.minutes(15),
};

/** Chunks imported at once; each writes up to 16 users at a time. */
const MAX_CHUNK_CONCURRENCY = 20;
/** A chunk's attempts: the first and two retries, all inside its Express child's 5 minutes. */
const CHUNK_RETRIES = 2;

/**
 * Longest an import can legitimately take: planning, then the largest file's chunks in waves of
 * MAX_CHUNK_CONCURRENCY, each taking its whole timeout, then the summary.
 */
const importTimeout = () =>
  Duration.seconds(
    IMPORT_TIMEOUTS.plan.toSeconds() +
      Math.ceil(MAX_CHUNKS / MAX_CHUNK_CONCURRENCY) * IMPORT_TIMEOUTS.chunk.toSeconds() +
      IMPORT_TIMEOUTS.summarise.toSeconds(),
  );

/**
 * The user import (Standard, JSONPath): PlanImport reads the file's size and splits it into byte ranges;
 * ImportChunks runs one Express child per range, each importing the lines that start in it; SummariseImport
 * numbers the bad lines in the file and writes one report. The state holds chunk descriptors and counts,
 * never lines.
 */
export class ImportStateMachine extends Construct {
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: { functions: ImportFunctions; name: string }) {
    super(scope, id);
    const { functions } = props;

    const plan = new LambdaInvoke(this, 'PlanImport', {
      lambdaFunction: functions.planImport,
      payloadResponseOnly: true,
      payload: TaskInput.fromObject({
        input: JsonPath.objectAt('$$.Execution.Input'),
        importId: JsonPath.stringAt('$$.Execution.Name'),
      }),
      taskTimeout: Timeout.duration(IMPORT_TIMEOUTS.plan),
    }).addRetry(transientRetry);

    const importChunks = new DistributedMap(this, 'ImportChunks', {
      itemsPath: '$.chunks',
      itemSelector: {
        importId: JsonPath.stringAt('$.importId'),
        key: JsonPath.stringAt('$.key'),
        etag: JsonPath.stringAt('$.etag'),
        size: JsonPath.numberAt('$.size'),
        occurredAt: JsonPath.stringAt('$.occurredAt'),
        validateOnly: JsonPath.stringAt('$.validateOnly'),
        chunk: JsonPath.objectAt('$$.Map.Item.Value'),
      },
      mapExecutionType: StateMachineType.EXPRESS,
      maxConcurrency: MAX_CHUNK_CONCURRENCY,
      // Each chunk's counts and bad lines are in its part of the report; the state keeps none of them.
      resultPath: JsonPath.DISCARD,
    });
    const chunk = new LambdaInvoke(this, 'ImportChunk', {
      lambdaFunction: functions.importChunk,
      payloadResponseOnly: true,
      outputPath: JsonPath.DISCARD,
      taskTimeout: Timeout.duration(IMPORT_TIMEOUTS.chunk),
    });
    // A chunk fails only on S3 or DynamoDB trouble (bad lines are reported, not thrown); its writes are
    // idempotent, so it is simply tried again.
    chunk.addRetry({ errors: ['States.ALL'], maxAttempts: CHUNK_RETRIES, interval: Duration.seconds(2) });
    importChunks.itemProcessor(chunk);

    const summarise = new LambdaInvoke(this, 'SummariseImport', {
      lambdaFunction: functions.summariseImport,
      payloadResponseOnly: true,
      payload: TaskInput.fromObject({
        importId: JsonPath.stringAt('$.importId'),
        key: JsonPath.stringAt('$.key'),
        validateOnly: JsonPath.stringAt('$.validateOnly'),
        chunkCount: JsonPath.numberAt('$.chunkCount'),
      }),
      taskTimeout: Timeout.duration(IMPORT_TIMEOUTS.summarise),
    }).addRetry(transientRetry);

    const definition = plan.next(importChunks).next(summarise).next(new Succeed(this, 'ImportComplete'));
    this.stateMachine = rekindleStateMachine(this, {
      definition,
      timeout: importTimeout(),
      comment: 'Rekindle user import: a JSON Lines file in S3, in chunks, through the one user-write path',
      functions: Object.values(functions),
      metadata: [STATE_MACHINE_METADATA_KEY, props.name],
    });
  }
}
