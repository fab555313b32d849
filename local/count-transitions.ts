// `npm run transitions`: runs one approved-and-expired request on the local stack and prints the state
// transitions the engine recorded (the figure Step Functions Standard bills by). The benchmark reuses
// `countLifecycleTransitions` on its own stack.
import { executionArnOf } from '../lambdas/adapters/step-functions-workflow.ts';
import { type LocalStack, startLocalStack } from './stack.ts';

export interface LifecycleTransitions {
  readonly requestId: string;
  readonly status: string;
  readonly executionStatus: string;
  readonly states: readonly string[];
  readonly transitions: number;
}

/**
 * One dataset request, approved and left to expire after `duration`, on a running stack whose policy allows it
 * (`minDuration` at most `duration`); `requester` must be cleared for the dataset and `approver` a director.
 */
export async function countLifecycleTransitions(
  stack: Pick<LocalStack, 'url' | 'stateMachineArn' | 'stepFunctions' | 'tokenFor'>,
  options: { requester?: string; approver?: string; duration?: string; timeoutMs?: number } = {},
): Promise<LifecycleTransitions> {
  const requester = options.requester ?? 'ext-kim';
  const approver = options.approver ?? 'dir-ada';
  const call = async (as: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${stack.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${await stack.tokenFor(as)}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await response.json()) as { id: string; status: string };
  };
  const request = await call(requester, 'POST', '/requests', {
    scopes: ['dataset:hes-apc'],
    justification: 'Counting the transitions of one lifecycle',
    duration: options.duration ?? 'PT2S',
  });
  if (!request.id) throw new Error(`submission refused: ${JSON.stringify(request)}`);
  const executionArn = executionArnOf(stack.stateMachineArn, request.id);
  // The decision is refused until the workflow has asked for approval; retry until it is taken.
  for (
    let i = 0;
    i < 100 && (await call(approver, 'GET', `/requests/${request.id}`)).status === 'PENDING_APPROVAL';
    i++
  ) {
    const decided = await call(approver, 'POST', `/requests/${request.id}/decisions`, {
      decision: 'approve',
    });
    if (decided.status !== 'PENDING_APPROVAL') break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const execution = await stack.stepFunctions.waitForExecution(executionArn, options.timeoutMs ?? 30_000);
  const final = await call('adm-eve', 'GET', `/requests/${request.id}`);
  return {
    requestId: request.id,
    status: final.status,
    executionStatus: execution.status,
    states: execution.stateEntered,
    transitions: stack.stepFunctions.transitionsOf(executionArn),
  };
}

async function main(): Promise<void> {
  const stack = await startLocalStack({ port: 0, policy: { minDuration: 'PT1S' } });
  try {
    const counted = await countLifecycleTransitions(stack);
    console.log(`request ${counted.requestId}: ${counted.status}, execution ${counted.executionStatus}`);
    console.log(`states entered: ${counted.states.join(' -> ')}`);
    console.log(`state transitions per approved-and-expired lifecycle: ${counted.transitions}`);
  } finally {
    await stack.stop();
  }
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
