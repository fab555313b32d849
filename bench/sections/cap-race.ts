// Benchmark section: many external-admin requests, each already approved once, get their second approval at the
// same moment against a small cap, through the whole local stack; the grants race for the seats.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbDirectory } from '../../lambdas/adapters/dynamodb/directory.ts';
import { executionArnOf } from '../../lambdas/adapters/step-functions-workflow.ts';
import { documentClientFor } from '../../lambdas/commons/clients.ts';
import type { LocalStack } from '../../local/stack.ts';
import {
  type BenchClient,
  benchPrincipals,
  connectRetriesSoFar,
  mapConcurrent,
  putPrincipals,
  sleep,
} from '../support.ts';

export interface CapRaceResult {
  readonly requesters: number;
  readonly cap: number;
  /** Racing approvals in flight at once. */
  readonly concurrency: number;
  readonly submitted: number;
  readonly submitErrors: Record<string, number>;
  readonly raceAnswers: Record<string, number>;
  /** Racing approvals sent again because the connection was never accepted in time (never reached the stack). */
  readonly raceConnectRetries: number;
  /** One cause per distinct error of a FAILED execution (empty when none failed). */
  readonly failureCauses: Record<string, string>;
  readonly active: number;
  /** REJECTED with reason CAP_REACHED. */
  readonly rejected: number;
  readonly otherOutcomes: Record<string, number>;
  /** External admins GET /access lists as holding `admin` now. */
  readonly adminHolders: number;
  /** Seats held beyond the cap: must be 0. */
  readonly overshoot: number;
  /** Every execution left AwaitApproval/Grant (for the Wait, or ended) before the deadline. */
  readonly settled: boolean;
  /** The executions of these requests by status (and error, when one failed). */
  readonly executions: Record<string, number>;
  readonly wallMs: {
    readonly seed: number;
    readonly submit: number;
    readonly firstApprovals: number;
    /** From the first racing approval sent until every one was answered. */
    readonly race: number;
    /** From the first racing approval sent until every grant was decided. */
    readonly raceToSettled: number;
    readonly total: number;
  };
}

const count = (values: readonly string[]) =>
  values.reduce<Record<string, number>>((counts, value) => {
    counts[value] = (counts[value] ?? 0) + 1;
    return counts;
  }, {});

export async function benchCapRace(
  stack: LocalStack,
  client: BenchClient,
  options: {
    readonly requesters: number;
    readonly concurrency: number;
    readonly settleTimeoutMs: number;
    readonly log?: (line: string) => void;
  },
): Promise<CapRaceResult> {
  const log = options.log ?? (() => undefined);
  const cap = stack.policy.externalAdminCap;
  const began = performance.now();
  let mark = began;
  const lap = () => {
    const now = performance.now();
    const ms = now - mark;
    mark = now;
    return ms;
  };

  // Prepare: the requesters join the directory of the running stack (cleared SC, one outside organisation).
  const requesters = benchPrincipals('bench-cap', options.requesters, 'BenchVendor', 'engineer');
  const low = new DynamoDBClient({
    endpoint: stack.dynamodbEndpoint,
    region: 'eu-west-2',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    await putPrincipals(new DynamoDbDirectory(documentClientFor(low), stack.tables), requesters);
  } finally {
    low.destroy();
  }
  const seedMs = lap();

  // Prepare: one external-admin request each (the cap is free while they are submitted), and its first approval.
  const submitErrors: string[] = [];
  const ids = (
    await mapConcurrent(requesters, 16, async (requester) => {
      const answer = await client.call<{ id?: string; error?: { code: string } }>(
        requester.id,
        'POST',
        '/requests',
        {
          scopes: ['admin'],
          justification: 'Benchmark: racing for an external admin seat',
          duration: 'PT1H',
        },
      );
      if (answer.status !== 201 || !answer.body.id) {
        submitErrors.push(`${answer.status} ${answer.body.error?.code ?? ''}`.trim());
        return undefined;
      }
      return answer.body.id;
    })
  ).filter((id): id is string => id !== undefined);
  const submitMs = lap();
  log(`  ${ids.length} requests submitted in ${(submitMs / 1000).toFixed(1)} s`);
  await mapConcurrent(ids, 16, async (id) => {
    const answer = await client.call('dir-ada', 'POST', `/requests/${id}/decisions`, {
      decision: 'approve',
    });
    if (answer.status !== 200) throw new Error(`first approval of ${id}: ${answer.status}`);
  });
  const firstApprovalsMs = lap();
  log(`  first approvals in ${(firstApprovalsMs / 1000).toFixed(1)} s`);

  // Act: every second approval at once; each one that completes a request sends its workflow into Grant.
  const raceStarted = performance.now();
  const retriesBefore = connectRetriesSoFar();
  const raceAnswers = await mapConcurrent(ids, options.concurrency, async (id) => {
    try {
      return String(
        (await client.call('dir-ben', 'POST', `/requests/${id}/decisions`, { decision: 'approve' })).status,
      );
    } catch (error) {
      return `fetch failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  });
  const raceMs = performance.now() - raceStarted;
  log(`  ${ids.length} racing approvals answered in ${(raceMs / 1000).toFixed(1)} s`);

  // Wait until every grant is decided: the execution has left Grant for the Wait or ended.
  const executions = new Set(ids.map((id) => executionArnOf(stack.stateMachineArn, id)));
  const deadline = Date.now() + options.settleTimeoutMs;
  let settled = false;
  while (Date.now() < deadline) {
    const open = stack.stepFunctions
      .executions()
      .filter((execution) => executions.has(execution.executionArn))
      .filter(
        (execution) => execution.status === 'RUNNING' && !execution.stateEntered.includes('WaitUntilExpiry'),
      );
    if (open.length === 0) {
      settled = true;
      break;
    }
    await sleep(250);
  }
  const raceToSettledMs = performance.now() - raceStarted;
  lap();
  const executionOutcomes = count(
    stack.stepFunctions
      .executions()
      .filter((execution) => executions.has(execution.executionArn))
      .map((execution) =>
        [
          execution.status,
          execution.error,
          execution.status === 'RUNNING' ? execution.stateEntered.at(-1) : '',
        ]
          .filter(Boolean)
          .join(' '),
      ),
  );

  // A failed execution's cause, once per distinct error: what to look at when one fails.
  const failureCauses: Record<string, string> = {};
  for (const execution of stack.stepFunctions.executions()) {
    if (!executions.has(execution.executionArn) || execution.status !== 'FAILED') continue;
    failureCauses[execution.error ?? 'unknown'] ??= (execution.cause ?? '').slice(0, 500);
  }
  if (Object.keys(failureCauses).length > 0) log(`  failed executions: ${JSON.stringify(failureCauses)}`);

  // Assess: what the API says now, request by request, and who holds admin.
  const finals = await mapConcurrent(ids, 16, async (id) => {
    const answer = await client.call<{ status: string; reason?: string }>(
      'adm-eve',
      'GET',
      `/requests/${id}`,
    );
    return answer.body.status === 'REJECTED'
      ? `REJECTED ${answer.body.reason ?? ''}`.trim()
      : answer.body.status;
  });
  const outcomes = count(finals);
  const active = outcomes.ACTIVE ?? 0;
  const rejected = outcomes['REJECTED CAP_REACHED'] ?? 0;
  const access = await client.call<{ access: Array<{ principalId?: string; scopes: string[] }> }>(
    'adm-eve',
    'GET',
    '/access',
  );
  const adminHolders = (access.body.access ?? []).filter((entry) => entry.scopes.includes('admin')).length;
  const { ACTIVE: _active, 'REJECTED CAP_REACHED': _rejected, ...otherOutcomes } = outcomes;
  return {
    requesters: options.requesters,
    cap,
    concurrency: Math.min(options.concurrency, ids.length),
    submitted: ids.length,
    submitErrors: count(submitErrors),
    raceAnswers: count(raceAnswers),
    raceConnectRetries: connectRetriesSoFar() - retriesBefore,
    failureCauses,
    active,
    rejected,
    otherOutcomes,
    adminHolders,
    overshoot: Math.max(0, Math.max(active, adminHolders) - cap),
    settled,
    executions: executionOutcomes,
    wallMs: {
      seed: seedMs,
      submit: submitMs,
      firstApprovals: firstApprovalsMs,
      race: raceMs,
      raceToSettled: raceToSettledMs,
      total: performance.now() - began,
    },
  };
}
