// Unit tests for the workflow task wrapper's error naming: what the state machine's Retry and Catch match on.
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../../lambdas/core/errors.ts';
import { asWorkflowError, stepInput, workflowTask } from '../../../lambdas/handlers/workflow/task.ts';
import { WORKFLOW_ERRORS } from '../../../lambdas/routes.ts';
import { RequestClosedError, TransientError } from '../../../lambdas/use-cases/workflow-errors.ts';

const context = { awsRequestId: 'r-1', functionName: 'grant', getRemainingTimeInMillis: () => 10_000 } as any;

describe('workflow task errors', () => {
  it('turns an SDK socket timeout into the transient error the Retry matches, keeping the cause', () => {
    // Prepare
    const timeout = Object.assign(new Error('socket hang up after 3000 ms'), { name: 'TimeoutError' });
    // Act
    const mapped = asWorkflowError(timeout) as Error;
    // Assess
    expect(mapped.name).toBe(WORKFLOW_ERRORS.transient);
    expect(mapped.message).toBe('TimeoutError: socket hang up after 3000 ms');
    expect(mapped.cause).toBe(timeout);
  });

  it('keeps routed workflow errors and domain refusals as they are', () => {
    // Prepare
    const closed = new RequestClosedError('request r-1 is CANCELLED');
    const transient = new TransientError('timer fired early');
    const refusal = new ConflictError('ADMIN_REQUEST_OPEN', 'one open admin request');
    // Act / Assess
    expect(asWorkflowError(closed)).toBe(closed);
    expect(asWorkflowError(transient)).toBe(transient);
    expect(asWorkflowError(refusal)).toBe(refusal);
  });

  it('retries a throw from the step, but not a malformed state input', async () => {
    // Prepare
    const failing = workflowTask(stepInput, async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    });
    // Act
    const thrown = await failing({ requestId: 'req-1' }, context).catch((error: Error) => error);
    const malformed = await failing({ requestId: 42 }, context).catch((error: Error) => error);
    // Assess
    expect((thrown as Error).name).toBe(WORKFLOW_ERRORS.transient);
    expect((malformed as Error).name).toBe('ZodError');
  });

  it('retries a step that ran into the function timeout (middy ends it just before), not only errors it threw', async () => {
    // Prepare: a step slower than the time left
    const slow = workflowTask(stepInput, () => new Promise<never>(() => {}));
    const nearlyOut = { ...context, getRemainingTimeInMillis: () => 50 };
    // Act
    const thrown = await slow({ requestId: 'req-1' }, nearlyOut).catch((error: Error) => error);
    // Assess
    expect((thrown as Error).name).toBe(WORKFLOW_ERRORS.transient);
    expect((thrown as Error).message).toMatch(/^TimeoutError: /);
  });
});
