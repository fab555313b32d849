// `npm run transitions`: runs one approved-and-expired request on the local stack and prints the state
// transitions the engine recorded (the figure Step Functions Standard bills by).
import { executionArnOf } from '../lambdas/adapters/step-functions-workflow.ts';
import { startLocalStack } from './stack.ts';

async function main(): Promise<void> {
  const stack = await startLocalStack({ port: 0, policy: { minDuration: 'PT1S' } });
  try {
    const call = async (as: string, method: string, path: string, body?: unknown) => {
      const response = await fetch(`${stack.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${await stack.tokenFor(as)}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return (await response.json()) as { id: string; status: string };
    };
    const request = await call('ext-kim', 'POST', '/requests', {
      scopes: ['dataset:hes-apc'],
      justification: 'Counting the transitions of one lifecycle',
      duration: 'PT2S',
    });
    const executionArn = executionArnOf(stack.stateMachineArn, request.id);
    for (
      let i = 0;
      i < 100 && (await call('dir-ada', 'GET', `/requests/${request.id}`)).status === 'PENDING_APPROVAL';
      i++
    ) {
      const decided = await call('dir-ada', 'POST', `/requests/${request.id}/decisions`, {
        decision: 'approve',
      });
      if (decided.status !== 'PENDING_APPROVAL') break;
    }
    const execution = await stack.stepFunctions.waitForExecution(executionArn, 30_000);
    const final = await call('adm-eve', 'GET', `/requests/${request.id}`);
    console.log(`request ${request.id}: ${final.status}, execution ${execution.status}`);
    console.log(`states entered: ${execution.stateEntered.join(' -> ')}`);
    console.log(
      `state transitions per approved-and-expired lifecycle: ${stack.stepFunctions.transitionsOf(executionArn)}`,
    );
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
