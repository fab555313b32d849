// The local Step Functions endpoint, driven by the real SFN client as the production adapter drives AWS.
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type LocalStepFunctions,
  startLocalStepFunctions,
  type TaskHandler,
} from '../../local/step-functions.ts';

const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-2:123456789012:stateMachine:keyholder-test';
const fn = (name: string) => `arn:aws:lambda:eu-west-2:123456789012:function:${name}`;

/** The shapes the real workflow uses: payloadResponseOnly task, callback task with timeout and catches, Choice, Wait. */
function lifecycle(approvalTimeoutSeconds: number): object {
  return {
    StartAt: 'Validate',
    States: {
      Validate: { Type: 'Task', Resource: fn('validate'), ResultPath: '$.validation', Next: 'AwaitApproval' },
      AwaitApproval: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: {
          FunctionName: fn('request-approval'),
          Payload: { 'token.$': '$$.Task.Token', 'requestId.$': '$$.Execution.Name', 'scope.$': '$.scope' },
        },
        TimeoutSeconds: approvalTimeoutSeconds,
        ResultPath: '$.decision',
        Catch: [
          { ErrorEquals: ['States.Timeout'], ResultPath: '$.failure', Next: 'TimedOut' },
          { ErrorEquals: ['KeyholderRequestClosed'], ResultPath: '$.failure', Next: 'Closed' },
        ],
        Next: 'Route',
      },
      Route: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.decision.status', StringEquals: 'APPROVED', Next: 'Grant' },
          { Variable: '$.decision.status', StringEquals: 'PENDING', Next: 'AwaitApproval' },
        ],
        Default: 'Closed',
      },
      Grant: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: fn('grant'), 'Payload.$': '$' },
        ResultSelector: { 'expiresAt.$': '$.Payload.expiresAt' },
        ResultPath: '$.grant',
        Next: 'AwaitExpiry',
      },
      AwaitExpiry: { Type: 'Wait', TimestampPath: '$.grant.expiresAt', Next: 'Expired' },
      Expired: { Type: 'Succeed' },
      TimedOut: { Type: 'Succeed' },
      Closed: { Type: 'Succeed' },
    },
  };
}

interface Harness {
  readonly sfn: SFNClient;
  readonly local: LocalStepFunctions;
  /** Payloads the callback task's function received, in order. */
  readonly approvalPayloads: Array<Record<string, unknown>>;
  nextApprovalPayload(): Promise<Record<string, unknown>>;
  readonly grantCalls: unknown[];
}

let harness: Harness | undefined;

afterEach(async () => {
  harness?.sfn.destroy();
  await harness?.local.stop();
  harness = undefined;
});

async function start(options: {
  approvalTimeoutSeconds?: number;
  expiresInMs?: number;
  requestApproval?: TaskHandler;
}): Promise<Harness> {
  const approvalPayloads: Array<Record<string, unknown>> = [];
  const grantCalls: unknown[] = [];
  let announce: (() => void) | undefined;
  const local = await startLocalStepFunctions({
    definition: lifecycle(options.approvalTimeoutSeconds ?? 30),
    stateMachineArn: STATE_MACHINE_ARN,
    taskHandlers: {
      Validate: async () => ({ eligible: true }),
      AwaitApproval: async (payload) => {
        approvalPayloads.push(payload as Record<string, unknown>);
        announce?.();
        return options.requestApproval?.(payload) ?? { notified: 1 };
      },
      Grant: async (payload) => {
        grantCalls.push(payload);
        return { expiresAt: new Date(Date.now() + (options.expiresInMs ?? 1000)).toISOString() };
      },
    },
  });
  const sfn = new SFNClient({
    endpoint: local.endpoint,
    region: 'eu-west-2',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  let seen = 0;
  harness = {
    sfn,
    local,
    approvalPayloads,
    grantCalls,
    nextApprovalPayload: async () => {
      if (approvalPayloads.length <= seen) await new Promise<void>((resolve) => (announce = resolve));
      const payload = approvalPayloads[seen] as Record<string, unknown>;
      seen += 1;
      return payload;
    },
  };
  return harness;
}

async function startExecution(h: Harness, name: string, input: object = { scope: 'admin' }): Promise<string> {
  const started = await h.sfn.send(
    new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, name, input: JSON.stringify(input) }),
  );
  return started.executionArn as string;
}

describe('local Step Functions', () => {
  it('runs an approved request through the callback, the grant and the wait, counting transitions', async () => {
    // Prepare
    const h = await start({ expiresInMs: 1000 });
    const executionArn = await startExecution(h, 'req-approved');

    // Act
    const payload = await h.nextApprovalPayload();
    await h.sfn.send(
      new SendTaskSuccessCommand({
        taskToken: String(payload.token),
        output: JSON.stringify({ status: 'APPROVED' }),
      }),
    );
    const waitStarted = Date.now();
    const finished = await h.local.waitForExecution(executionArn);
    const described = await h.sfn.send(new DescribeExecutionCommand({ executionArn }));

    // Assess
    expect(executionArn).toBe('arn:aws:states:eu-west-2:123456789012:execution:keyholder-test:req-approved');
    expect(payload).toMatchObject({ requestId: 'req-approved', scope: 'admin' });
    expect(String(payload.token)).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(finished.status).toBe('SUCCEEDED');
    expect(finished.stateEntered).toEqual([
      'Validate',
      'AwaitApproval',
      'Route',
      'Grant',
      'AwaitExpiry',
      'Expired',
    ]);
    expect(h.local.transitionsOf(executionArn)).toBe(6);
    expect(Date.now() - waitStarted).toBeGreaterThanOrEqual(500);
    expect(h.grantCalls).toEqual([expect.objectContaining({ validation: { eligible: true } })]);
    expect(described.status).toBe('SUCCEEDED');
    expect(described.startDate).toBeInstanceOf(Date);
    expect(JSON.parse(described.output ?? 'null')).toMatchObject({
      scope: 'admin',
      decision: { status: 'APPROVED' },
      grant: { expiresAt: expect.any(String) },
    });
  });

  it('gives every execution its own token', async () => {
    // Prepare
    const h = await start({});

    // Act
    await startExecution(h, 'req-a');
    await startExecution(h, 'req-b');
    const first = await h.nextApprovalPayload();
    const second = await h.nextApprovalPayload();

    // Assess
    expect(first.token).not.toBe(second.token);
  });

  it('issues a fresh token each time the callback state is entered again', async () => {
    // Prepare
    const h = await start({});
    const executionArn = await startExecution(h, 'req-two-approvals');
    const first = await h.nextApprovalPayload();

    // Act
    await h.sfn.send(
      new SendTaskSuccessCommand({ taskToken: String(first.token), output: '{"status":"PENDING"}' }),
    );
    const second = await h.nextApprovalPayload();
    const reused = await h.sfn
      .send(new SendTaskSuccessCommand({ taskToken: String(first.token), output: '{}' }))
      .catch((error: unknown) => error);
    await h.sfn.send(
      new SendTaskSuccessCommand({ taskToken: String(second.token), output: '{"status":"DENIED"}' }),
    );
    const finished = await h.local.waitForExecution(executionArn);

    // Assess
    expect(second.token).not.toBe(first.token);
    expect(reused).toBeInstanceOf(TaskTimedOut);
    expect(finished.stateEntered).toEqual([
      'Validate',
      'AwaitApproval',
      'Route',
      'AwaitApproval',
      'Route',
      'Closed',
    ]);
  });

  it('treats a repeated start with the same name and input as the same execution, and refuses other input', async () => {
    // Prepare
    const h = await start({});
    const first = await startExecution(h, 'req-same');

    // Act
    const again = await startExecution(h, 'req-same');
    const conflicting = startExecution(h, 'req-same', { scope: 'dataset:x' });

    // Assess
    expect(again).toBe(first);
    await expect(conflicting).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    expect(h.local.executions()).toHaveLength(1);
  });

  it('routes SendTaskFailure to the Catch that names its error', async () => {
    // Prepare
    const h = await start({});
    const executionArn = await startExecution(h, 'req-cancelled');
    const payload = await h.nextApprovalPayload();

    // Act
    await h.sfn.send(
      new SendTaskFailureCommand({
        taskToken: String(payload.token),
        error: 'KeyholderRequestClosed',
        cause: 'cancelled by requester',
      }),
    );
    const finished = await h.local.waitForExecution(executionArn);

    // Assess
    expect(finished.status).toBe('SUCCEEDED');
    expect(finished.stateEntered).toEqual(['Validate', 'AwaitApproval', 'Closed']);
    expect(finished.output).toMatchObject({
      failure: { Error: 'KeyholderRequestClosed', Cause: 'cancelled by requester' },
    });
    expect(h.grantCalls).toEqual([]);
  });

  it('catches an error thrown by a task function under its name, with a Lambda-style cause', async () => {
    // Prepare
    const closed = Object.assign(new Error('request is no longer pending'), {
      name: 'KeyholderRequestClosed',
    });
    const h = await start({ requestApproval: async () => Promise.reject(closed) });
    const executionArn = await startExecution(h, 'req-closed');

    // Act
    const finished = await h.local.waitForExecution(executionArn);

    // Assess
    expect(finished.stateEntered).toEqual(['Validate', 'AwaitApproval', 'Closed']);
    const failure = (finished.output as { failure: { Error: string; Cause: string } }).failure;
    expect(failure.Error).toBe('KeyholderRequestClosed');
    expect(JSON.parse(failure.Cause)).toMatchObject({
      errorType: 'KeyholderRequestClosed',
      errorMessage: 'request is no longer pending',
    });
  });

  it('fails the execution with an error nobody catches, named as thrown', async () => {
    // Prepare
    class Unnamed extends Error {}
    const h = await start({ requestApproval: async () => Promise.reject(new Unnamed('boom')) });
    const executionArn = await startExecution(h, 'req-unnamed');

    // Act
    const finished = await h.local.waitForExecution(executionArn);
    const described = await h.sfn.send(new DescribeExecutionCommand({ executionArn }));

    // Assess
    expect(finished.status).toBe('FAILED');
    expect(described).toMatchObject({ status: 'FAILED', error: 'Error' });
    expect(JSON.parse(described.cause ?? '{}')).toMatchObject({ errorType: 'Error', errorMessage: 'boom' });
  });

  it('raises States.Timeout into the Catch when nobody answers in TimeoutSeconds, and then refuses the token', async () => {
    // Prepare
    const h = await start({ approvalTimeoutSeconds: 1 });
    const executionArn = await startExecution(h, 'req-timeout');
    const payload = await h.nextApprovalPayload();

    // Act
    const finished = await h.local.waitForExecution(executionArn);
    const late = h.sfn.send(new SendTaskSuccessCommand({ taskToken: String(payload.token), output: '{}' }));

    // Assess
    expect(finished.status).toBe('SUCCEEDED');
    expect(finished.stateEntered).toEqual(['Validate', 'AwaitApproval', 'TimedOut']);
    expect(finished.output).toMatchObject({ failure: { Error: 'States.Timeout' } });
    await expect(late).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it('stops an execution waiting for its callback, and nothing after the callback runs', async () => {
    // Prepare
    const h = await start({});
    const executionArn = await startExecution(h, 'req-stopped');
    const payload = await h.nextApprovalPayload();

    // Act
    const stopped = await h.sfn.send(
      new StopExecutionCommand({ executionArn, error: 'KeyholderRevoked', cause: 'revoked early' }),
    );
    const finished = await h.local.waitForExecution(executionArn);
    const described = await h.sfn.send(new DescribeExecutionCommand({ executionArn }));
    const late = h.sfn.send(
      new SendTaskSuccessCommand({ taskToken: String(payload.token), output: '{"status":"APPROVED"}' }),
    );

    // Assess
    expect(stopped.stopDate).toBeInstanceOf(Date);
    expect(finished.status).toBe('ABORTED');
    expect(finished.stateEntered).toEqual(['Validate', 'AwaitApproval']);
    expect(described).toMatchObject({ status: 'ABORTED', error: 'KeyholderRevoked', cause: 'revoked early' });
    await expect(late).rejects.toBeInstanceOf(TaskTimedOut);
    expect(h.grantCalls).toEqual([]);
  });

  it('keeps a Wait longer than a Node timer can hold, until the execution is stopped', async () => {
    // Prepare
    const h = await start({ expiresInMs: 30 * 24 * 3600 * 1000 });
    const executionArn = await startExecution(h, 'req-long');
    const payload = await h.nextApprovalPayload();
    await h.sfn.send(
      new SendTaskSuccessCommand({ taskToken: String(payload.token), output: '{"status":"APPROVED"}' }),
    );

    // Act
    await new Promise((resolve) => setTimeout(resolve, 300));
    const whileWaiting = await h.sfn.send(new DescribeExecutionCommand({ executionArn }));
    await h.sfn.send(new StopExecutionCommand({ executionArn }));
    const finished = await h.local.waitForExecution(executionArn);

    // Assess
    expect(whileWaiting.status).toBe('RUNNING');
    expect(finished.status).toBe('ABORTED');
    expect(finished.stateEntered.at(-1)).toBe('AwaitExpiry');
  });

  it('answers TaskDoesNotExist for a token it never issued and ExecutionDoesNotExist for an unknown execution', async () => {
    // Prepare
    const h = await start({});

    // Act
    const unknownToken = h.sfn.send(new SendTaskSuccessCommand({ taskToken: 'A'.repeat(64), output: '{}' }));
    const unknownExecution = h.sfn.send(
      new DescribeExecutionCommand({
        executionArn: `${STATE_MACHINE_ARN.replace('stateMachine', 'execution')}:nope`,
      }),
    );

    // Assess
    await expect(unknownToken).rejects.toBeInstanceOf(TaskDoesNotExist);
    await expect(unknownExecution).rejects.toBeInstanceOf(ExecutionDoesNotExist);
  });

  it('refuses a definition whose Task states have no handler', async () => {
    // Act
    const starting = startLocalStepFunctions({
      definition: lifecycle(30),
      stateMachineArn: STATE_MACHINE_ARN,
      taskHandlers: { Validate: async () => ({}) },
    });

    // Assess
    await expect(starting).rejects.toThrow(/No task handler for Task state\(s\): AwaitApproval, Grant/);
  });
});
