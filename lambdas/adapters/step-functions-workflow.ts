// Workflow port on AWS Step Functions. Executions are named after the request, so starting is idempotent and
// the execution ARN is derivable from the request id without storing it.
import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { Workflow } from '../core/ports.ts';
import { WORKFLOW_ERRORS } from '../workflow-errors.ts';

export function executionArnOf(stateMachineArn: string, requestId: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${requestId}`;
}

export class StepFunctionsWorkflow implements Workflow {
  readonly #client: SFNClient;
  readonly #stateMachineArn: string;

  constructor(client: SFNClient, stateMachineArn: string) {
    this.#client = client;
    this.#stateMachineArn = stateMachineArn;
  }

  async start(requestId: string): Promise<string> {
    try {
      const result = await this.#client.send(
        new StartExecutionCommand({
          stateMachineArn: this.#stateMachineArn,
          name: requestId,
          input: JSON.stringify({ requestId }),
        }),
      );
      return result.executionArn ?? executionArnOf(this.#stateMachineArn, requestId);
    } catch (error) {
      // A retried start of the same request: the execution is already running.
      if (error instanceof ExecutionAlreadyExists) return executionArnOf(this.#stateMachineArn, requestId);
      throw error;
    }
  }

  async approvalDecided(taskToken: string, status: 'APPROVED' | 'DENIED' | 'CANCELLED'): Promise<void> {
    if (status === 'APPROVED') {
      await this.#client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify({ status }) }));
      return;
    }
    await this.#client.send(
      new SendTaskFailureCommand({
        taskToken,
        error: status === 'DENIED' ? WORKFLOW_ERRORS.denied : WORKFLOW_ERRORS.cancelled,
        cause: `request ${status.toLowerCase()}`,
      }),
    );
  }

  async stop(requestId: string, cause: string): Promise<void> {
    try {
      await this.#client.send(
        new StopExecutionCommand({
          executionArn: executionArnOf(this.#stateMachineArn, requestId),
          error: 'KeyholderRevoked',
          cause,
        }),
      );
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return;
      throw error;
    }
  }
}
