// `npm start --persist` killed in the middle of each phase (awaiting approval, right after grant, during the Wait) and
// restarted on its data: every request ends in a right state, the seats are right, no grant is lost or doubled, the
// audit trail verifies, and nothing of the killed process survives to hold the data directory.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbDirectory } from '../../lambdas/adapters/dynamodb/directory.ts';
import { DynamoDbRequestStore } from '../../lambdas/adapters/dynamodb/request-store.ts';
import { decideRequest } from '../../lambdas/core/lifecycle.ts';
import { resolvePolicy } from '../../lambdas/core/policy.ts';
import { commitTransition, withOptimisticRetry } from '../../lambdas/use-cases/context.ts';
import { PID_FILE } from '../../local/dynamodb-local.ts';
import {
  documentClientOn,
  inconsistencies,
  processesMentioning,
  readLedgerFacts,
  type StackProcess,
  sleep,
  startStackProcess,
  waitUntil,
} from '../support/faults.ts';

const POLICY = { minDuration: 'PT1S', approvalTimeout: 'PT10M', externalAdminCap: 3 };
const TABLES = { stateTable: 'keyholder-state', auditTable: 'keyholder-audit' };
const justification = 'Restoring the registry extract after a failed load';

let dataDir: string;
let policyFile: string;
let stack: StackProcess | undefined;
const ids: Record<string, string> = {};
/** Seconds each phase took, printed at the end: start-ups dominate on a loaded machine. */
const timings: Array<[string, number]> = [];
let phaseStarted = Date.now();
function phase(name: string): void {
  timings.push([name, Math.round((Date.now() - phaseStarted) / 100) / 10]);
  phaseStarted = Date.now();
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'keyholder-faults-'));
  policyFile = path.join(dataDir, '..', `${path.basename(dataDir)}-policy.json`);
  await writeFile(policyFile, JSON.stringify(POLICY));
});

afterAll(async () => {
  console.log(`[restart] phases (s): ${JSON.stringify(Object.fromEntries(timings))}`);
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
  await rm(policyFile, { force: true });
});

async function submit(as: string, scopes: string[], duration: string): Promise<string> {
  const answer = await (stack as StackProcess).call('POST', '/requests', {
    as,
    body: { scopes, justification, duration },
  });
  expect(answer.status).toBe(201);
  return answer.body.id as string;
}

async function approve(requestId: string, as: string): Promise<number> {
  const answer = await (stack as StackProcess).call('POST', `/requests/${requestId}/decisions`, {
    as,
    body: { decision: 'approve' },
  });
  return answer.status;
}

async function requestOf(requestId: string): Promise<any> {
  return (await (stack as StackProcess).call('GET', `/requests/${requestId}`, { as: 'adm-eve' })).body;
}

async function statusReaches(requestId: string, status: string, timeoutMs = 30_000): Promise<any> {
  return await waitUntil(
    async () => {
      const request = await requestOf(requestId);
      return request.status === status ? request : undefined;
    },
    `${requestId} to be ${status}`,
    timeoutMs,
  );
}

/** The AwaitApproval step has recorded its token and mailed every approver: the approval phase is under way. */
async function awaitingApproval(requestId: string, approvers: number): Promise<void> {
  await waitUntil(async () => {
    const trail = await (stack as StackProcess).call('GET', `/audit?requestId=${requestId}`, {
      as: 'aud-fay',
    });
    const sent = (trail.body.events ?? []).filter(
      (event: { action: string }) => event.action === 'NOTIFICATION_SENT',
    ).length;
    return sent >= approvers ? true : undefined;
  }, `${requestId}'s approvers to be mailed`);
}

async function restart(): Promise<StackProcess> {
  // Nothing of the killed stack may hold the data directory (DynamoDB Local's java above all).
  await waitUntil(
    () => (processesMentioning(dataDir).length === 0 ? true : undefined),
    `no process left on ${dataDir}`,
    10_000,
  );
  stack = await startStackProcess({ dataDir, policyFile });
  return stack;
}

/** The whole ledger, read straight from the stack's DynamoDB Local. */
async function ledger() {
  const { client, documentClient } = documentClientOn((stack as StackProcess).dynamodbEndpoint);
  try {
    const store = new DynamoDbRequestStore(documentClient, TABLES);
    return await readLedgerFacts(store, documentClient, TABLES.stateTable, Object.values(ids));
  } finally {
    client.destroy();
  }
}

describe('killing the local stack mid-lifecycle and restarting it with --persist', () => {
  it('SIGKILLed with requests awaiting approval, just granted and in their Wait: all carry on after a restart', {
    timeout: 240_000,
  }, async () => {
    // Prepare, awaiting approval: an external admin with one of its two approvals, a dataset request nobody decided
    // yet, and an external admin whose final approval committed but whose grant never ran
    phaseStarted = Date.now();
    stack = await startStackProcess({ dataDir, policyFile });
    phase('first start');
    ids.halfApproved = await submit('ext-gus', ['admin'], 'PT1H');
    ids.undecided = await submit('ext-kim', ['dataset:hes-apc'], 'PT1H');
    ids.approvedNotGranted = await submit('ext-hal', ['admin'], 'PT1H');
    for (const id of [ids.halfApproved, ids.undecided, ids.approvedNotGranted] as string[]) {
      await awaitingApproval(id, 3);
    }
    expect(await approve(ids.halfApproved as string, 'dir-ada')).toBe(200);
    expect(await approve(ids.approvedNotGranted as string, 'dir-ada')).toBe(200);
    await approvedBehindTheWorkflowsBack(ids.approvedNotGranted as string, 'dir-ben');
    expect((await requestOf(ids.approvedNotGranted as string)).status).toBe('APPROVED');
    phase('approval phase');
    // Prepare, granted: an external admin granted a moment ago, a grant still running after the restart, and one
    // that expires while the stack is down (granted last, so that it is still running when the stack dies)
    ids.justGranted = await submit('ext-lee', ['admin'], 'PT1H');
    ids.outlivesRestart = await submit('ext-max', ['dataset:cancer-registry'], 'PT45S');
    ids.expiresWhileDown = await submit('ext-ned', ['dataset:gp-records'], 'PT10S');
    const approvals: Array<[string, string[]]> = [
      [ids.justGranted as string, ['dir-ada', 'dir-ben']],
      [ids.outlivesRestart as string, ['dir-ben']],
      [ids.expiresWhileDown as string, ['dir-ada']],
    ];
    for (const [id, approvers] of approvals) {
      for (const approver of approvers) expect(await approve(id, approver)).toBe(200);
    }
    const [, outliving, expiring] = await Promise.all(approvals.map(([id]) => statusReaches(id, 'ACTIVE')));
    phase('three grants');

    // Act: the whole process group at once (node and DynamoDB Local's java), then a restart on the same data
    await stack.killGroup();
    expect(Date.parse(expiring.grant.expiresAt)).toBeGreaterThan(Date.now());
    await sleep(Math.max(0, Date.parse(expiring.grant.expiresAt) - Date.now() + 500));
    phase('kill + wait for an expiry');
    await restart();
    phase('restart');
    const swept = await (stack as StackProcess).call('POST', '/dev/sweep');

    // Assess: ended what had to end, kept what runs, no drift
    expect(swept.status).toBe(200);
    expect(swept.body.failures).toEqual([]);
    expect(swept.body.seats).toMatchObject({ drift: 0, corrected: false });
    expect((await requestOf(ids.expiresWhileDown as string)).status).toBe('EXPIRED');
    expect((await requestOf(ids.justGranted as string)).status).toBe('ACTIVE');
    if (Date.parse(outliving.grant.expiresAt) > Date.now()) {
      expect((await requestOf(ids.outlivesRestart as string)).status).toBe('ACTIVE');
    }
    // Assess: the approved one is granted by a re-armed workflow; the pending ones are still decidable
    await statusReaches(ids.approvedNotGranted as string, 'ACTIVE');
    expect((await requestOf(ids.halfApproved as string)).status).toBe('PENDING_APPROVAL');
    expect((await requestOf(ids.undecided as string)).status).toBe('PENDING_APPROVAL');
    expect(await approve(ids.halfApproved as string, 'dir-ben')).toBe(200);
    expect(await approve(ids.undecided as string, 'exd-cleo')).toBe(200);
    await statusReaches(ids.halfApproved as string, 'ACTIVE');
    await statusReaches(ids.undecided as string, 'ACTIVE');
    phase('decided after restart');
    // Assess: its Wait died with the first process, and it still ends on time without anyone calling the sweep
    await statusReaches(
      ids.outlivesRestart as string,
      'EXPIRED',
      Math.max(0, Date.parse(outliving.grant.expiresAt) - Date.now()) + 20_000,
    );
    phase('expiry after restart');
    const facts = await ledger();
    expect(inconsistencies(facts)).toEqual([]);
    expect(facts.seats.total).toBe(3);
    expect(facts.holders.map((holder) => holder.requestId).sort()).toEqual(
      [ids.halfApproved, ids.approvedNotGranted, ids.justGranted].sort(),
    );
    const verdict = await (stack as StackProcess).call('GET', '/audit/verify', { as: 'aud-fay' });
    expect(verdict.body).toMatchObject({ ok: true });
  });

  it('a graceful stop (SIGTERM, as Ctrl-C) leaves no process and no pid file behind', {
    timeout: 60_000,
  }, async () => {
    // Act
    await (stack as StackProcess).stop();
    stack = undefined;

    // Assess
    await waitUntil(
      () => (processesMentioning(dataDir).length === 0 ? true : undefined),
      'every process of the stack to exit',
      10_000,
    );
    expect(existsSync(path.join(dataDir, PID_FILE))).toBe(false);
  });
});

/** The last approval committed straight to the table, as if the process died before it told the workflow. */
async function approvedBehindTheWorkflowsBack(requestId: string, approverId: string): Promise<void> {
  const { client, documentClient } = documentClientOn((stack as StackProcess).dynamodbEndpoint);
  try {
    const store = new DynamoDbRequestStore(documentClient, TABLES);
    const approver = await new DynamoDbDirectory(documentClient, TABLES).getPrincipal(approverId);
    if (!approver) throw new Error('seeded data missing');
    // As the decide use case does: decided from fresh state again when the stack appended to the request's stream
    // meanwhile (its approval prompts and their notices).
    await withOptimisticRetry(async () => {
      const pending = await store.getRequest(requestId);
      if (!pending) throw new Error('seeded data missing');
      const transition = decideRequest({
        request: pending,
        approver,
        decision: 'approve',
        channel: 'api',
        policy: resolvePolicy(POLICY, 'test'),
        now: new Date().toISOString(),
      });
      await commitTransition({ store }, pending, transition);
    });
  } finally {
    client.destroy();
  }
}
