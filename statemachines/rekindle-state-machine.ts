import { type CfnElement, type Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  type CfnStateMachine,
  DefinitionBody,
  type IChainable,
  LogLevel,
  QueryLanguage,
  StateMachine,
  StateMachineType,
} from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct, IConstruct } from 'constructs';

export interface RekindleStateMachineProps {
  definition: IChainable;
  timeout: Duration;
  comment: string;
  /** The Lambda functions its Task states invoke. */
  functions: IFunction[];
  /** Template metadata that names the machine for the local runtime: [key, value]. */
  metadata: [string, string];
}

/**
 * How every Rekindle state machine is built: Standard, JSONPath (what the local runtime understands),
 * logging ALL to a log group of its own, X-Ray on; its Distributed Maps start Express children. CDK
 * generates wildcards for the machine's role, each scoped to its own functions or executions; cdk-nag
 * names findings by resolved resource, so their acknowledgements are built the same way.
 */
export const rekindleStateMachine = (scope: Construct, props: RekindleStateMachineProps): StateMachine => {
  const logGroup = new LogGroup(scope, 'ExecutionLogs', {
    retention: RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const stateMachine = new StateMachine(scope, 'StateMachine', {
    definitionBody: DefinitionBody.fromChainable(props.definition),
    stateMachineType: StateMachineType.STANDARD,
    queryLanguage: QueryLanguage.JSON_PATH,
    tracingEnabled: true,
    logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: true },
    timeout: props.timeout,
    comment: props.comment,
  });
  (stateMachine.node.defaultChild as CfnStateMachine).addMetadata(...props.metadata);

  const stack = Stack.of(scope);
  const logicalIdOf = (construct: IConstruct) =>
    stack.resolve((construct.node.defaultChild as CfnElement).logicalId);
  const acknowledge = (resource: string, reason: string) =>
    Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
  for (const fn of props.functions) {
    acknowledge(`<${logicalIdOf(fn)}.Arn>:*`, 'Invokes a version or alias of its own Lambda function.');
  }
  acknowledge('*', 'X-Ray PutTraceSegments and PutTelemetryRecords have no resource-level permissions.');
  const ownExecutions = `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${logicalIdOf(stateMachine)}"}]}]}`;
  const childReason =
    'Distributed Map: starts, describes and stops its own child executions, only of this state machine.';
  acknowledge(`${ownExecutions}:*`, childReason);
  acknowledge(`${ownExecutions}/*:*`, childReason);
  return stateMachine;
};
