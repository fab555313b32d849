// The DynamoDB RequestStore against DynamoDB Local, driven by transitions from the real domain core.
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbRequestStore } from '../../lambdas/adapters/dynamodb/request-store.ts';
import { auditStreamOfRequest, keys } from '../../lambdas/adapters/dynamodb/schema.ts';
import { type ChainHead, chainEvent, EMPTY_CHAIN, verifyChain } from '../../lambdas/core/audit.ts';
import {
  CapReachedError,
  ConcurrentChangeError,
  ConflictError,
  TokenGoneError,
} from '../../lambdas/core/errors.ts';
import {
  cancelRequest,
  decideRequest,
  expireGrant,
  grantAccess,
  recordOnRequest,
  revokeGrant,
  submitRequest,
  type Transition,
} from '../../lambdas/core/lifecycle.ts';
import type { Principal } from '../../lambdas/core/model.ts';
import type { Policy } from '../../lambdas/core/policy.ts';
import type { RequestChange, StoredRequest } from '../../lambdas/core/ports.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';
import {
  catalogue,
  datasets,
  later,
  NOW,
  people,
  policyWith,
  principal,
  scopeOf,
  submission,
  VENDOR_A,
  VENDOR_B,
} from '../support/fixtures.ts';

const APPROVERS = [people.homeDirector, people.executiveDirector];
const SUBMITTED_AT = NOW;
const DECIDED_AT = later('PT1H');
const GRANTED_AT = later('PT2H');

let tables: TestTables;
let store: DynamoDbRequestStore;

beforeEach(async () => {
  tables = await createTestTables();
  store = new DynamoDbRequestStore(tables.documentClient, tables);
});

afterEach(async () => {
  await tables.cleanup();
});

function changeOf(
  transition: Transition,
  head: ChainHead,
  extra: Partial<RequestChange> = {},
): RequestChange {
  const event = chainEvent(auditStreamOfRequest(transition.request.id), head, transition.event);
  return { transition, event, expectedHead: head, ...extra };
}

async function apply(
  transition: Transition,
  from: StoredRequest | undefined,
  extra: Partial<RequestChange> = {},
): Promise<StoredRequest> {
  return await store.commit(changeOf(transition, from?.audit ?? EMPTY_CHAIN, extra));
}

async function submitted(
  requester: Principal,
  options: {
    readonly id?: string;
    readonly scopes?: string[];
    readonly duration?: string;
    readonly policy?: Policy;
  } = {},
): Promise<StoredRequest> {
  const transition = submitRequest({
    id: options.id ?? `req-${requester.id}`,
    input: submission({ scopes: options.scopes ?? ['admin'], duration: options.duration ?? 'PT8H' }),
    requester,
    catalogue,
    policy: options.policy ?? policyWith(),
    now: SUBMITTED_AT,
  });
  return await apply(transition, undefined);
}

async function approved(request: StoredRequest, policy: Policy = policyWith()): Promise<StoredRequest> {
  let current = request;
  for (const approver of APPROVERS.slice(0, request.approvalsRequired)) {
    const decision = decideRequest({
      request: current,
      approver,
      decision: 'approve',
      channel: 'api',
      policy,
      now: DECIDED_AT,
    });
    current = await apply(decision, current);
  }
  return current;
}

async function granted(request: StoredRequest, policy: Policy = policyWith()): Promise<StoredRequest> {
  return await apply(grantAccess(request, policy, GRANTED_AT), request);
}

function externals(count: number, organisation: string, prefix: string): Principal[] {
  return Array.from({ length: count }, (_, index) =>
    principal({ id: `${prefix}-${index + 1}`, organisation, grade: 'contractor' }),
  );
}

async function actionsOf(requestId: string): Promise<string[]> {
  const events = await store.readAuditStream(auditStreamOfRequest(requestId));
  return events.map((event) => event.action);
}

async function rawItem(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
  const { Item } = await tables.documentClient.send(
    new GetCommand({ TableName: tables.stateTable, Key: key, ConsistentRead: true }),
  );
  return Item;
}

describe('creating a request', () => {
  it('stores the request with its chain head and writes its first audit event in the same commit', async () => {
    // Prepare
    const transition = submitRequest({
      id: 'req-create',
      input: submission({ scopes: [scopeOf(datasets.hesIdentifiable)] }),
      requester: people.manager,
      catalogue,
      policy: policyWith(),
      now: SUBMITTED_AT,
    });

    // Act
    const stored = await apply(transition, undefined);

    // Assess
    expect(stored).toMatchObject({ id: 'req-create', status: 'PENDING_APPROVAL', audit: { seq: 1 } });
    expect(await store.getRequest('req-create')).toEqual(stored);
    const events = await store.readAuditStream(auditStreamOfRequest('req-create'));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'REQUEST_SUBMITTED', seq: 1, hash: stored.audit.hash });
    expect((await store.listPendingRequests()).map((request) => request.id)).toEqual(['req-create']);
    expect((await store.listRequestsByRequester(people.manager.id)).map((request) => request.id)).toEqual([
      'req-create',
    ]);
  });

  it('maps items back to domain objects without key or index attributes', async () => {
    // Prepare
    await submitted(people.manager, { id: 'req-clean', scopes: [scopeOf(datasets.mhsdsIdentifiable)] });

    // Act
    const stored = await store.getRequest('req-clean');

    // Assess
    expect(Object.keys(stored ?? {})).not.toEqual(
      expect.arrayContaining(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'auditSeq', 'auditHash']),
    );
    for (const storageAttribute of ['pk', 'sk', 'gsi1pk', 'gsi2pk', 'auditSeq', 'entity']) {
      expect(stored).not.toHaveProperty(storageAttribute);
    }
  });

  it('refuses a second request with the same id and writes nothing', async () => {
    // Prepare
    await submitted(people.manager, { id: 'req-twice', scopes: [scopeOf(datasets.hesIdentifiable)] });
    const clash = submitRequest({
      id: 'req-twice',
      input: submission({ scopes: [scopeOf(datasets.mhsdsIdentifiable)] }),
      requester: people.homeDirector,
      catalogue,
      policy: policyWith(),
      now: later('PT1M'),
    });

    // Act
    const outcome = apply(clash, undefined);

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(ConcurrentChangeError);
    expect((await store.getRequest('req-twice'))?.requester).toBe(people.manager.id);
    expect(await actionsOf('req-twice')).toEqual(['REQUEST_SUBMITTED']);
  });
});

describe('concurrent changes', () => {
  it('refuses a change computed from a stale head and writes nothing', async () => {
    // Prepare
    const pending = await submitted(people.externalScA);
    await apply(
      decideRequest({
        request: pending,
        approver: people.homeDirector,
        decision: 'approve',
        channel: 'api',
        policy: policyWith(),
        now: DECIDED_AT,
      }),
      pending,
    );
    const fromStaleHead = decideRequest({
      request: pending,
      approver: people.executiveDirector,
      decision: 'approve',
      channel: 'api',
      policy: policyWith(),
      now: DECIDED_AT,
    });

    // Act
    const outcome = apply(fromStaleHead, pending);

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(ConcurrentChangeError);
    const stored = await store.getRequest(pending.id);
    expect(stored?.approvals.map((decision) => decision.approverId)).toEqual([people.homeDirector.id]);
    expect(stored?.audit.seq).toBe(2);
    expect(await actionsOf(pending.id)).toEqual(['REQUEST_SUBMITTED', 'APPROVAL_RECORDED']);
  });

  it('never overwrites an audit event that already exists at the next sequence number', async () => {
    // Prepare
    const pending = await submitted(people.externalScA);
    const intruder = { stream: auditStreamOfRequest(pending.id), seq: 2, action: 'WRITTEN_ELSEWHERE' };
    await tables.documentClient.send(new PutCommand({ TableName: tables.auditTable, Item: intruder }));
    const cancel = cancelRequest(pending, people.externalScA, DECIDED_AT);

    // Act
    const outcome = apply(cancel, pending);

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(ConcurrentChangeError);
    const events = await store.readAuditStream(auditStreamOfRequest(pending.id));
    expect(events[1]).toEqual(intruder);
    expect((await store.getRequest(pending.id))?.status).toBe('PENDING_APPROVAL');
  });
});

describe('the admin lock', () => {
  it('refuses a second open admin request by the same person, and frees the lock when the first ends', async () => {
    // Prepare
    const first = await submitted(people.externalScA, { id: 'req-admin-1' });

    // Act
    const second = submitted(people.externalScA, { id: 'req-admin-2' });

    // Assess
    await expect(second).rejects.toMatchObject({ code: 'ADMIN_REQUEST_OPEN' });
    await expect(second).rejects.toBeInstanceOf(ConflictError);
    expect(await store.getRequest('req-admin-2')).toBeUndefined();
    expect(await actionsOf('req-admin-2')).toEqual([]);

    await apply(cancelRequest(first, people.externalScA, DECIDED_AT), first);
    const third = await submitted(people.externalScA, { id: 'req-admin-3' });
    expect(third.status).toBe('PENDING_APPROVAL');
    expect((await rawItem(keys.adminLock(people.externalScA.id)))?.requestId).toBe('req-admin-3');
  });

  it('ends a request even when its lock is held by another request, leaving that lock alone', async () => {
    // Prepare
    const pending = await submitted(people.externalScB, { id: 'req-lock-owner' });
    await tables.documentClient.send(
      new PutCommand({
        TableName: tables.stateTable,
        Item: { ...keys.adminLock(people.externalScB.id), requestId: 'req-someone-else' },
      }),
    );

    // Act
    const cancelled = await apply(cancelRequest(pending, people.externalScB, DECIDED_AT), pending);

    // Assess
    expect(cancelled.status).toBe('CANCELLED');
    expect((await rawItem(keys.adminLock(people.externalScB.id)))?.requestId).toBe('req-someone-else');
    expect(await actionsOf(pending.id)).toEqual(['REQUEST_SUBMITTED', 'REQUEST_CANCELLED']);
  });
});

describe('the external-admin cap', () => {
  it('lets exactly the cap through when 25 approved external admins are granted at once', async () => {
    // Prepare
    const policy = policyWith({ externalAdminCap: 5 });
    const requesters = [...externals(13, VENDOR_A, 'race-a'), ...externals(12, VENDOR_B, 'race-b')];
    const approvedRequests = await Promise.all(
      requesters.map(async (requester) => await approved(await submitted(requester, { policy }), policy)),
    );
    expect(approvedRequests.every((request) => request.status === 'APPROVED')).toBe(true);

    // Act
    const outcomes = await Promise.allSettled(approvedRequests.map((request) => granted(request, policy)));

    // Assess
    const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const losers = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(winners).toHaveLength(5);
    expect(losers).toHaveLength(20);
    for (const loser of losers) expect(loser.reason).toBeInstanceOf(CapReachedError);
    expect(losers[0]?.reason.message).toBe('all 5 external admin seats are in use');

    const seats = await store.externalAdminSeats();
    expect(seats.total).toBe(5);
    expect((seats.byOrganisation[VENDOR_A] ?? 0) + (seats.byOrganisation[VENDOR_B] ?? 0)).toBe(5);
    expect(await store.listActiveGrants()).toHaveLength(5);

    const statuses = await Promise.all(
      approvedRequests.map(async (request) => (await store.getRequest(request.id))?.status),
    );
    expect(statuses.filter((status) => status === 'ACTIVE')).toHaveLength(5);
    expect(statuses.filter((status) => status === 'APPROVED')).toHaveLength(20);
    const activations = (await Promise.all(approvedRequests.map((request) => actionsOf(request.id))))
      .flat()
      .filter((action) => action === 'GRANT_ACTIVATED');
    expect(activations).toHaveLength(5);
  });

  it('enforces an organisation sub-cap beside the overall cap', async () => {
    // Prepare
    const policy = policyWith({ externalAdminCap: 5, organisationAdminCaps: { [VENDOR_A]: 2 } });
    const requesters = [...externals(3, VENDOR_A, 'sub-a'), ...externals(1, VENDOR_B, 'sub-b')];
    const approvedRequests = await Promise.all(
      requesters.map(async (requester) => await approved(await submitted(requester, { policy }), policy)),
    );

    // Act
    const outcomes = await Promise.allSettled(approvedRequests.map((request) => granted(request, policy)));

    // Assess
    const refusals = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toBeInstanceOf(CapReachedError);
    expect(refusals[0].message).toBe(`all 2 external admin seats of ${VENDOR_A} are in use`);
    expect(await store.externalAdminSeats()).toEqual({
      total: 3,
      byOrganisation: { [VENDOR_A]: 2, [VENDOR_B]: 1 },
    });
  });

  it('counts a retried grant (the same change committed twice) once', async () => {
    // Prepare
    const policy = policyWith();
    const request = await approved(await submitted(people.externalDvA, { policy }), policy);
    const change = changeOf(grantAccess(request, policy, GRANTED_AT), request.audit);
    const first = await store.commit(change);

    // Act
    const retried = await store.commit(change);

    // Assess
    expect(retried).toMatchObject({ status: 'ACTIVE', audit: first.audit });
    expect((await store.externalAdminSeats()).total).toBe(1);
    expect((await actionsOf(request.id)).filter((action) => action === 'GRANT_ACTIVATED')).toHaveLength(1);
    expect(await store.listActiveGrants()).toHaveLength(1);
  });

  it('refuses a grant recomputed after another attempt already activated it, without taking a seat', async () => {
    // Prepare
    const policy = policyWith();
    const request = await approved(await submitted(people.externalDvB, { policy }), policy);
    await granted(request, policy);

    // Act
    const again = apply(grantAccess(request, policy, later('PT3H')), request);

    // Assess
    await expect(again).rejects.toBeInstanceOf(ConcurrentChangeError);
    expect((await store.externalAdminSeats()).total).toBe(1);
  });
});

describe('ending access', () => {
  it('expiry releases the seat and the lock and closes every grant row', async () => {
    // Prepare
    const policy = policyWith();
    const active = await granted(
      await approved(await submitted(people.externalScA, { policy }), policy),
      policy,
    );
    const expiresAt = active.grant?.expiresAt ?? '';
    expect(await store.listGrantsExpiringBy(expiresAt)).toHaveLength(1);

    // Act
    const expired = await apply(expireGrant(active, policy, expiresAt) as Transition, active);

    // Assess
    expect(expired.status).toBe('EXPIRED');
    expect(await store.externalAdminSeats()).toEqual({ total: 0, byOrganisation: { [VENDOR_A]: 0 } });
    expect(await store.listActiveGrants()).toEqual([]);
    expect(await store.listGrantsExpiringBy(later('P30D'))).toEqual([]);
    expect(await rawItem(keys.adminLock(people.externalScA.id))).toBeUndefined();
    const row = await rawItem(keys.grant(active.id, 'admin'));
    expect(row).toMatchObject({ endStatus: 'EXPIRED', closedAt: expiresAt, grantedAt: GRANTED_AT });
    expect(row).not.toHaveProperty('gsi1pk');
  });

  it('revocation releases the seat; a later expiry is a no-op that writes nothing', async () => {
    // Prepare
    const policy = policyWith();
    const active = await granted(
      await approved(await submitted(people.externalScB, { policy }), policy),
      policy,
    );
    const revocation = revokeGrant({
      request: active,
      actor: { type: 'principal', id: people.accessAdmin.id },
      reason: 'Engagement ended early',
      policy,
      now: later('PT3H'),
    });

    // Act
    const revoked = await apply(revocation, active);

    // Assess
    expect(revoked).toMatchObject({ status: 'REVOKED', reason: 'Engagement ended early' });
    expect((await store.externalAdminSeats()).total).toBe(0);
    expect(await store.listActiveGrants()).toEqual([]);
    expect(expireGrant(revoked, policy, later('P1D'))).toBeUndefined();
    expect((await rawItem(keys.grant(active.id, 'admin')))?.endStatus).toBe('REVOKED');
  });

  it('lists active grants per scope and those expiring by a time, soonest first, from the index', async () => {
    // Prepare
    const scopes = [scopeOf(datasets.hesIdentifiable), scopeOf(datasets.mhsdsIdentifiable)];
    const long = await granted(
      await approved(await submitted(people.manager, { id: 'req-long', scopes, duration: 'P2D' })),
    );
    const short = await granted(
      await approved(
        await submitted(people.accessAdmin, {
          id: 'req-short',
          scopes: scopes.slice(0, 1),
          duration: 'PT4H',
        }),
      ),
    );
    const shortExpiry = short.grant?.expiresAt ?? '';
    const longExpiry = long.grant?.expiresAt ?? '';

    // Act
    const active = await store.listActiveGrants();
    const dueBeforeShort = await store.listGrantsExpiringBy(later('PT1H', GRANTED_AT));
    const dueAtShort = await store.listGrantsExpiringBy(shortExpiry);
    const dueAtLong = await store.listGrantsExpiringBy(longExpiry);

    // Assess
    expect(active).toHaveLength(3);
    expect(active[0]).toEqual({
      requestId: 'req-short',
      principalId: people.accessAdmin.id,
      organisation: 'NHSE',
      scope: scopes[0],
      grantedAt: GRANTED_AT,
      expiresAt: shortExpiry,
      approvedBy: [people.homeDirector.id],
      nextReviewAt: short.grant?.nextReviewAt,
    });
    expect(dueBeforeShort).toEqual([]);
    expect(dueAtShort.map((grant) => grant.requestId)).toEqual(['req-short']);
    expect(dueAtLong.map((grant) => `${grant.requestId} ${grant.scope}`)).toEqual([
      `req-short ${scopes[0]}`,
      `req-long ${scopes[0]}`,
      `req-long ${scopes[1]}`,
    ]);
    expect((await store.externalAdminSeats()).total).toBe(0);
  });
});

describe('approval tokens', () => {
  it('are single use: a second decision with a used token is refused and writes nothing', async () => {
    // Prepare
    const pending = await submitted(people.externalScA);
    const tokens = APPROVERS.map((approver) => ({
      tokenHash: `hash-${approver.id}`,
      requestId: pending.id,
      approverId: approver.id,
      expiresAt: pending.approvalDeadline,
    }));
    const prompted = await apply(
      recordOnRequest(pending, 'APPROVAL_REQUESTED', { type: 'system', id: 'workflow' }, SUBMITTED_AT, {
        approvers: APPROVERS.map((approver) => approver.id),
      }),
      pending,
      { issueTokens: tokens, taskToken: 'task-token-1', notified: APPROVERS.map((approver) => approver.id) },
    );
    const tokenOfDana = tokens[0]?.tokenHash ?? '';
    const decide = (request: StoredRequest, approver: Principal) =>
      decideRequest({
        request,
        approver,
        decision: 'approve',
        channel: 'email-link',
        policy: policyWith(),
        now: DECIDED_AT,
      });
    const afterFirst = await apply(decide(prompted, people.homeDirector), prompted, {
      consumeToken: { tokenHash: tokenOfDana, usedAt: DECIDED_AT },
    });

    // Act
    const reused = apply(decide(afterFirst, people.executiveDirector), afterFirst, {
      consumeToken: { tokenHash: tokenOfDana, usedAt: later('PT5M', DECIDED_AT) },
    });

    // Assess
    await expect(reused).rejects.toBeInstanceOf(TokenGoneError);
    expect(await store.findApprovalToken(tokenOfDana)).toEqual({ ...tokens[0], usedAt: DECIDED_AT });
    expect(await store.findApprovalToken(tokens[1]?.tokenHash ?? '')).toEqual(tokens[1]);
    expect((await store.getRequest(pending.id))?.approvals).toHaveLength(1);
    expect(afterFirst).toMatchObject({ taskToken: 'task-token-1', notified: ['dana.director', 'eve.exec'] });
    const tokenItem = await rawItem(keys.approvalToken(tokenOfDana));
    expect(tokenItem?.ttl).toBe(Math.floor(Date.parse(pending.approvalDeadline) / 1000) + 30 * 86_400);
  });

  it('refuses a token that belongs to another request', async () => {
    // Prepare
    const pending = await submitted(people.externalScA);
    const other = await submitted(people.externalScB);
    const foreign = {
      tokenHash: 'hash-foreign',
      requestId: other.id,
      approverId: people.homeDirector.id,
      expiresAt: other.approvalDeadline,
    };
    const prompted = await apply(
      recordOnRequest(other, 'APPROVAL_REQUESTED', { type: 'system', id: 'workflow' }, SUBMITTED_AT, {}),
      other,
      { issueTokens: [foreign] },
    );
    expect(prompted.audit.seq).toBe(2);
    const decision = decideRequest({
      request: pending,
      approver: people.homeDirector,
      decision: 'approve',
      channel: 'email-link',
      policy: policyWith(),
      now: DECIDED_AT,
    });

    // Act
    const outcome = apply(decision, pending, {
      consumeToken: { tokenHash: foreign.tokenHash, usedAt: DECIDED_AT },
    });

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(TokenGoneError);
    expect((await store.findApprovalToken(foreign.tokenHash))?.usedAt).toBeUndefined();
  });
});

describe('the audit trail', () => {
  it('reads a whole lifecycle back as a chain that verifyChain accepts', async () => {
    // Prepare
    const policy = policyWith();
    const active = await granted(
      await approved(await submitted(people.externalDvA, { policy }), policy),
      policy,
    );
    const expired = await apply(
      expireGrant(active, policy, active.grant?.expiresAt ?? '') as Transition,
      active,
    );

    // Act
    const events = await store.readAuditStream(auditStreamOfRequest(expired.id));

    // Assess
    expect(events.map((event) => event.action)).toEqual([
      'REQUEST_SUBMITTED',
      'APPROVAL_RECORDED',
      'REQUEST_APPROVED',
      'GRANT_ACTIVATED',
      'GRANT_EXPIRED',
    ]);
    expect(verifyChain(events)).toEqual({ ok: true, count: 5, head: expired.audit });
  });

  it('pages through a stream longer than one query page', async () => {
    // Prepare
    let current = await submitted(people.manager, { scopes: [scopeOf(datasets.hesIdentifiable)] });
    const filler = 'x'.repeat(60_000);
    for (let step = 0; step < 20; step++) {
      current = await apply(
        recordOnRequest(
          current,
          'NOTIFICATION_SENT',
          { type: 'system', id: 'workflow' },
          later(`PT${step + 1}M`),
          {
            filler,
          },
        ),
        current,
      );
    }

    // Act
    const events = await store.readAuditStream(auditStreamOfRequest(current.id));

    // Assess
    expect(events).toHaveLength(21);
    expect(verifyChain(events)).toMatchObject({ ok: true, head: current.audit });
  });
});
