// Policy changes on DynamoDB Local: a proposal and its decision stored with their POLICY events; two concurrent
// approvals make exactly one version; `?at=` answers the version in force; expiry; the trail verifies; and a
// warm reader's cached policy picks up a new version once its TTL passed (fake clock).
import middy from '@middy/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DynamoDbAuditLedger } from '../../lambdas/adapters/dynamodb/audit-ledger.ts';
import { DynamoDbPolicyStore } from '../../lambdas/adapters/dynamodb/policy-store.ts';
import { dependencies, resetDependencies } from '../../lambdas/commons/dependencies.ts';
import { ENV } from '../../lambdas/commons/env.ts';
import { policyInForce as policyInForceMiddleware } from '../../lambdas/commons/policy-in-force.ts';
import { ConflictError, ForbiddenError } from '../../lambdas/core/errors.ts';
import { POLICY_AUDIT_STREAM } from '../../lambdas/core/policy-change.ts';
import {
  decideChange,
  expireStaleProposals,
  type PolicyDependencies,
  policyInForce,
  policyVersions,
  proposeChange,
} from '../../lambdas/use-cases/policy-changes.ts';
import { POLICY_CACHE_TTL_MS, PolicySource } from '../../lambdas/use-cases/policy-source.ts';
import { verifyAuditTrail } from '../../lambdas/use-cases/verify-audit.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';
import { later, NOW, people, policy, principal } from '../support/fixtures.ts';

const secondAdmin = principal({ id: 'abe.admin', name: 'Abe Admin', roles: ['access-admin'] });
const REASON = 'Fewer external admins after the audit finding';

let tables: TestTables;
let store: DynamoDbPolicyStore;
let now: string;
let counter: number;
const clock = { now: () => now };

function deps(source?: PolicySource): PolicyDependencies {
  return {
    policyStore: store,
    policySource: source ?? new PolicySource(store, policy, clock),
    clock,
    ids: { requestId: () => `req-${++counter}`, secretToken: () => 'unused' },
  };
}

beforeEach(async () => {
  tables = await createTestTables();
  store = new DynamoDbPolicyStore(tables.documentClient, tables);
  now = NOW;
  counter = 0;
});
afterEach(() => tables.cleanup());

const verify = () =>
  verifyAuditTrail({ ledger: new DynamoDbAuditLedger(tables.documentClient, tables), clock });

describe('policy changes on DynamoDB', () => {
  it('the deployed policy is version 1 until a change is approved; then version 2 is in force', async () => {
    expect(await policyInForce(deps())).toEqual({ version: 1, policy });
    const proposal = await proposeChange(deps(), people.accessAdmin, {
      changes: { externalAdminCap: 3 },
      reason: REASON,
    });
    expect(proposal).toMatchObject({
      id: 'pol-1',
      status: 'OPEN',
      diff: [{ path: 'externalAdminCap', to: 3 }],
    });
    expect((await policyInForce(deps())).version).toBe(1);

    await expect(
      decideChange(deps(), people.accessAdmin, { proposalId: proposal.id, decision: 'approve' }),
    ).rejects.toBeInstanceOf(ForbiddenError);

    now = later('PT1H');
    const approved = await decideChange(deps(), secondAdmin, {
      proposalId: proposal.id,
      decision: 'approve',
      comment: 'agreed',
    });
    expect(approved).toMatchObject({ status: 'APPROVED', activatedVersion: 2 });
    const current = await policyInForce(deps());
    expect(current).toMatchObject({ version: 2, proposedBy: 'ada.admin', approvedBy: 'abe.admin' });
    expect(current.policy.externalAdminCap).toBe(3);

    expect((await policyVersions(deps())).map((version) => version.version)).toEqual([1, 2]);
    expect((await policyInForce(deps(), NOW)).version).toBe(1);
    expect((await policyInForce(deps(), later('PT2H'))).version).toBe(2);

    const events = await new DynamoDbAuditLedger(tables.documentClient, tables).readAuditStream(
      POLICY_AUDIT_STREAM,
    );
    expect(events.map((event) => event.action)).toEqual([
      'POLICY_CHANGE_PROPOSED',
      'POLICY_CHANGE_APPROVED',
      'POLICY_ACTIVATED',
    ]);
    const verdict = await verify();
    expect(verdict).toMatchObject({ ok: true, streams: 1, events: 3 });
  });

  it('two concurrent approvals of one proposal make exactly one new version', async () => {
    const proposal = await proposeChange(deps(), people.accessAdmin, {
      changes: { externalAdminCap: 3 },
      reason: REASON,
    });
    const outcomes = await Promise.allSettled([
      decideChange(deps(), secondAdmin, { proposalId: proposal.id, decision: 'approve' }),
      decideChange(deps(), people.homeDirector, { proposalId: proposal.id, decision: 'approve' }),
    ]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((outcome) => outcome.status === 'rejected');
    expect((refused as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    expect((await policyVersions(deps())).map((version) => version.version)).toEqual([1, 2]);
    expect(await verify()).toMatchObject({ ok: true });
  });

  it('two proposals over the same version approved at once: one version, the other is stale', async () => {
    const a = await proposeChange(deps(), people.accessAdmin, {
      changes: { externalAdminCap: 3 },
      reason: REASON,
    });
    const b = await proposeChange(deps(), people.accessAdmin, {
      changes: { externalAdminCap: 9 },
      reason: REASON,
    });
    const outcomes = await Promise.allSettled([
      decideChange(deps(), secondAdmin, { proposalId: a.id, decision: 'approve' }),
      decideChange(deps(), people.homeDirector, { proposalId: b.id, decision: 'approve' }),
    ]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 'PROPOSAL_STALE' });
    expect((await policyVersions(deps())).map((version) => version.version)).toEqual([1, 2]);
  });

  it('a denial leaves the policy as it is; an open proposal expires after approvalTimeout', async () => {
    const denied = await proposeChange(deps(), people.accessAdmin, {
      changes: { externalAdminCap: 3 },
      reason: REASON,
    });
    await decideChange(deps(), people.homeDirector, {
      proposalId: denied.id,
      decision: 'deny',
      comment: 'no',
    });
    const open = await proposeChange(deps(), people.accessAdmin, {
      changes: { requireTicket: true },
      reason: REASON,
    });
    now = later('PT71H');
    expect(await expireStaleProposals(deps())).toEqual([]);
    now = later('PT72H');
    const expired = await expireStaleProposals(deps());
    expect(expired.map((proposal) => [proposal.id, proposal.status])).toEqual([[open.id, 'EXPIRED']]);
    await expect(
      decideChange(deps(), secondAdmin, { proposalId: open.id, decision: 'approve' }),
    ).rejects.toMatchObject({ code: 'PROPOSAL_CLOSED' });
    expect((await policyInForce(deps())).version).toBe(1);
    expect(await verify()).toMatchObject({ ok: true, events: 4 });
  });

  it('a warm reader picks up a new version once its cache TTL has passed', async () => {
    const reader = new PolicySource(store, policy, clock);
    expect((await reader.current()).version).toBe(1);
    const proposal = await proposeChange(deps(), people.accessAdmin, {
      changes: { externalAdminCap: 3 },
      reason: REASON,
    });
    await decideChange(deps(), secondAdmin, { proposalId: proposal.id, decision: 'approve' });
    expect((await reader.current()).version).toBe(1);
    now = new Date(Date.parse(NOW) + POLICY_CACHE_TTL_MS - 1).toISOString();
    expect((await reader.current()).version).toBe(1);
    now = new Date(Date.parse(NOW) + POLICY_CACHE_TTL_MS).toISOString();
    const fresh = await reader.current();
    expect(fresh.version).toBe(2);
    expect(reader.latest().policy.externalAdminCap).toBe(3);
    expect(POLICY_CACHE_TTL_MS).toBeLessThan(60_000);
  });

  it("the composition root's deps.policy is the version in force: a warm Lambda sees a new one after the TTL", async () => {
    // Prepare: this process's dependencies() on the test tables, the system clock faked
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(NOW));
    const env = {
      [ENV.stateTable]: tables.stateTable,
      [ENV.auditTable]: tables.auditTable,
      [ENV.policyJson]: JSON.stringify(policy),
      AWS_ENDPOINT_URL_DYNAMODB: tables.endpoint,
      AWS_REGION: 'eu-west-2',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    };
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    resetDependencies();
    // A warm function: the same wrapper order as every handler, reading the cap a grant would be checked against
    const warm = middy()
      .use(policyInForceMiddleware())
      .handler(async () => dependencies().policy.externalAdminCap);
    try {
      expect(await warm(undefined, {} as never)).toBe(policy.externalAdminCap);

      // Act: another function approves a lower cap
      const proposal = await proposeChange(deps(), people.accessAdmin, {
        changes: { externalAdminCap: 1 },
        reason: REASON,
      });
      await decideChange(deps(), secondAdmin, { proposalId: proposal.id, decision: 'approve' });

      // Assess: the cached version inside the TTL, the new one once it passed (well within a minute)
      vi.setSystemTime(new Date(Date.parse(NOW) + POLICY_CACHE_TTL_MS - 1));
      expect(await warm(undefined, {} as never)).toBe(policy.externalAdminCap);
      vi.setSystemTime(new Date(Date.parse(NOW) + POLICY_CACHE_TTL_MS));
      expect(await warm(undefined, {} as never)).toBe(1);
      expect(dependencies().policySource?.latest().version).toBe(2);
    } finally {
      resetDependencies();
      vi.unstubAllEnvs();
      vi.useRealTimers();
    }
  });
});
