// The Step Functions adapter: what it sends for each workflow signal, and which AWS errors it absorbs.
import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { executionArnOf, StepFunctionsWorkflow } from '../../../lambdas/adapters/step-functions-workflow.ts';

const MACHINE = 'arn:aws:states:eu-west-2:123456789012:stateMachine:keyholder-access';

describe('StepFunctionsWorkflow', () => {
  const sfn = mockClient(SFNClient);
  const workflow = new StepFunctionsWorkflow(new SFNClient({ region: 'eu-west-2' }), MACHINE);
  afterEach(() => sfn.reset());

  it('starts an execution named after the request with the request id as input', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${MACHINE}:x`, startDate: new Date() });
    await workflow.start('req-1');
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toEqual({
      stateMachineArn: MACHINE,
      name: 'req-1',
      input: '{"requestId":"req-1"}',
    });
  });

  it('treats an already running execution of the same request as started (a retried submit)', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    await expect(workflow.start('req-1')).resolves.toBe(executionArnOf(MACHINE, 'req-1'));
  });

  it('answers an approval with SendTaskSuccess and a deny or cancel with the error names the machine catches', async () => {
    sfn.on(SendTaskSuccessCommand).resolves({});
    sfn.on(SendTaskFailureCommand).resolves({});
    await workflow.approvalDecided('tok', 'APPROVED');
    await workflow.approvalDecided('tok', 'DENIED');
    await workflow.approvalDecided('tok', 'CANCELLED');
    expect(sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input).toEqual({
      taskToken: 'tok',
      output: '{"status":"APPROVED"}',
    });
    expect(sfn.commandCalls(SendTaskFailureCommand).map((call) => call.args[0].input.error)).toEqual([
      'KeyholderDenied',
      'KeyholderCancelled',
    ]);
  });

  it('stops the execution derived from the request id, and ignores one that does not exist', async () => {
    sfn
      .on(StopExecutionCommand)
      .resolvesOnce({ stopDate: new Date() })
      .rejects(new ExecutionDoesNotExist({ message: 'gone', $metadata: {} }));
    await workflow.stop('req-9', 'revoked by adm-eve');
    await workflow.stop('req-9', 'revoked again');
    expect(sfn.commandCalls(StopExecutionCommand)[0]?.args[0].input).toMatchObject({
      executionArn: 'arn:aws:states:eu-west-2:123456789012:execution:keyholder-access:req-9',
      cause: 'revoked by adm-eve',
    });
  });
});
