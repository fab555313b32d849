// The access-request state machine: validate -> await approval (task token) -> grant -> wait -> expire.
import { type CfnResource, Duration } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  Choice,
  Condition,
  DefinitionBody,
  Errors,
  IntegrationPattern,
  JsonPath,
  LogLevel,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  Timeout,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { WORKFLOW_ERRORS, WORKFLOW_TASKS, type WorkflowTaskSpec } from '../lambdas/routes.ts';
import { functionSizing } from './function-sizing.ts';
import { KeyholderFunction, type KeyholderResources } from './keyholder-function.ts';
import { KeyholderOperations } from './operations.ts';
import { workflowRole } from './workflow-role.ts';

type TaskState = WorkflowTaskSpec['state'];

export interface AccessWorkflowProps {
  /** The policy's approvalTimeout: how long AwaitApproval waits for enough callbacks. */
  readonly approvalTimeout: Duration;
  readonly environment: Readonly<Record<string, string>>;
  /** Without a state machine: the tasks must never need the machine that invokes them (a cycle). */
  readonly resources: Omit<KeyholderResources, 'stateMachine'>;
  readonly logRetention?: RetentionDays;
}

export class AccessWorkflow extends Construct {
  readonly stateMachine: StateMachine;
  readonly functions: Readonly<Record<TaskState, KeyholderFunction>>;

  constructor(scope: Construct, id: string, props: AccessWorkflowProps) {
    super(scope, id);

    const functions = {} as Record<TaskState, KeyholderFunction>;
    for (const task of WORKFLOW_TASKS) {
      functions[task.state] = new KeyholderFunction(this, `${pascalCase(task.name)}Function`, {
        entry: task.entry,
        description: `Keyholder workflow step ${task.state}`,
        environment: props.environment,
        ...functionSizing('workflow', task.name),
        // Its callbacks are granted once the machine exists (below): the machine invokes this function.
      }).allow(
        task.needs.filter((need) => need !== 'workflow:callback'),
        props.resources,
      );
    }
    this.functions = functions;

    const requestOnly = TaskInput.fromObject({ requestId: JsonPath.stringAt('$.requestId') });
    // Catchers keep the state and put the error beside it, so later states still find $.requestId.
    const keepInput = { resultPath: '$.error' };
    const retryTransient = {
      errors: [WORKFLOW_ERRORS.transient],
      interval: Duration.seconds(1),
      backoffRate: 2,
      maxAttempts: 5,
    };

    const closed = new Succeed(this, 'Closed');

    const validate = new LambdaInvoke(this, 'Validate', {
      lambdaFunction: functions.Validate,
      payloadResponseOnly: true,
      payload: requestOnly,
      resultPath: '$.validation',
    }).addCatch(closed, { errors: [WORKFLOW_ERRORS.requestClosed], ...keepInput });

    const recordTimeout = new LambdaInvoke(this, 'RecordTimeout', {
      lambdaFunction: functions.RecordTimeout,
      payloadResponseOnly: true,
      payload: requestOnly,
      resultPath: '$.timeout',
    })
      .addRetry(retryTransient)
      .next(closed);

    // One token for the whole approval: the handler counts distinct approvals and only then calls back.
    const awaitApproval = new LambdaInvoke(this, 'AwaitApproval', {
      lambdaFunction: functions.AwaitApproval,
      integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: TaskInput.fromObject({
        requestId: JsonPath.stringAt('$.requestId'),
        taskToken: JsonPath.taskToken,
      }),
      taskTimeout: Timeout.duration(props.approvalTimeout),
      resultPath: '$.approval',
    })
      .addCatch(recordTimeout, { errors: [Errors.TIMEOUT], ...keepInput })
      .addCatch(closed, {
        errors: [WORKFLOW_ERRORS.denied, WORKFLOW_ERRORS.cancelled, WORKFLOW_ERRORS.requestClosed],
        ...keepInput,
      });

    const grant = new LambdaInvoke(this, 'Grant', {
      lambdaFunction: functions.Grant,
      payloadResponseOnly: true,
      payload: requestOnly,
      resultPath: '$.grant',
    }).addRetry(retryTransient);

    const waitUntilExpiry = new Wait(this, 'WaitUntilExpiry', {
      time: WaitTime.timestampPath('$.grant.expiresAt'),
    });

    // Idempotent in the handler: a grant revoked early makes this a no-op, never a resurrection. Its result replaces
    // $.grant: still ACTIVE means an extension moved expiresAt, and IsActive waits again (check-then-wait loop).
    const expire = new LambdaInvoke(this, 'Expire', {
      lambdaFunction: functions.Expire,
      payloadResponseOnly: true,
      payload: requestOnly,
      resultPath: '$.grant',
    }).addRetry(retryTransient);

    const isActive = new Choice(this, 'IsActive')
      .when(Condition.stringEquals('$.grant.status', 'ACTIVE'), waitUntilExpiry.next(expire))
      .otherwise(closed);
    expire.next(isActive);

    const definition = validate.next(awaitApproval).next(grant).next(isActive);

    const logGroup = KeyholderOperations.of(this).logGroup(this, 'ExecutionLogs', props.logRetention);

    const role = workflowRole(this, Object.values(functions));
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(definition),
      role,
      tracingEnabled: true,
      // Every state transition is logged (ALL) but never its data: execution data holds task tokens, which are
      // bearer secrets.
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
    });
    role.assumedBy(this.stateMachine.node.defaultChild as CfnResource);
    for (const task of WORKFLOW_TASKS)
      if (task.needs.includes('workflow:callback'))
        functions[task.state].allowCallbacksFrom(this.stateMachine);
  }
}

export function pascalCase(kebab: string): string {
  return kebab
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
