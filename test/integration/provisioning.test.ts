// Grants and endings through access providers, on DynamoDB Local with a fake platform: PROVISIONING then ACTIVE,
// a refusal leaving FAILED with the seat freed, a retried step resuming without a second seat, and removals the
// platform failed staying ACTIVE and pending until the sweep gets them done.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbNotificationLedger } from '../../lambdas/adapters/dynamodb/notification-ledger.ts';
import { auditStreamOfRequest } from '../../lambdas/adapters/dynamodb/schema.ts';
import { EmailNotifier } from '../../lambdas/adapters/email-notifier.ts';
import {
  type AccessProvider,
  type AccessProviders,
  ProviderError,
  type ProvisioningTarget,
} from '../../lambdas/core/access-provider.ts';
import { addDuration } from '../../lambdas/core/duration.ts';
import { decideRequest, submitRequest } from '../../lambdas/core/lifecycle.ts';
import type { Principal, Scope } from '../../lambdas/core/model.ts';
import type { StoredRequest } from '../../lambdas/core/ports.ts';
import { startProvisioning } from '../../lambdas/core/provisioning.ts';
import { commitTransition, type Dependencies } from '../../lambdas/use-cases/context.ts';
import { revokeAccess } from '../../lambdas/use-cases/revoke-request.ts';
import { sweep } from '../../lambdas/use-cases/sweep.ts';
import { expireAccess, grantApprovedAccess } from '../../lambdas/use-cases/workflow-steps.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';
import { catalogue, datasets, people, policyWith } from '../support/fixtures.ts';
import { deliveringNoticeQueue } from '../support/notice-queue.ts';
import { activeGrant, type SweepWorld, sweepWorld } from '../support/sweep-world.ts';

const NOW = '2027-03-01T09:00:00.000Z';
const PLATFORM = 'platform-admin-api';

/** A platform that keeps assignments, honours idempotency keys, and fails while `down` says so. */
function fakePlatform() {
  const held = new Map<string, string>();
  const calls: Array<{ op: 'grant' | 'revoke'; scope: Scope; key: string }> = [];
  const state = { down: undefined as undefined | ((op: string, scope: Scope) => string | undefined) };
  const key = (target: ProvisioningTarget) => `${target.principalId}|${target.scope}`;
  const fail = (op: 'grant' | 'revoke', target: ProvisioningTarget) => {
    calls.push({ op, scope: target.scope, key: target.idempotencyKey });
    const message = state.down?.(op, target.scope);
    if (message) throw new ProviderError(PLATFORM, message, false);
  };
  const provider: AccessProvider = {
    name: PLATFORM,
    type: 'webhook',
    grant: async (target) => {
      fail('grant', target);
      const already = held.has(key(target));
      held.set(key(target), target.idempotencyKey);
      return { reference: `asg-${target.idempotencyKey}-${target.scope}`, alreadyInPlace: already };
    },
    revoke: async (target) => {
      fail('revoke', target);
      const already = !held.has(key(target));
      held.delete(key(target));
      return { alreadyInPlace: already };
    },
    list: async () =>
      [...held.keys()].map((entry) => {
        const [principalId = '', scope = 'admin'] = entry.split('|');
        return { principalId, scope: scope as Scope };
      }),
  };
  const ledger: AccessProvider = {
    name: 'ledger',
    type: 'ledger',
    grant: async () => ({}),
    revoke: async () => ({}),
    list: async () => [],
  };
  // `admin` and the identifiable datasets live on the platform; everything else is the ledger's.
  const onPlatform = new Set<Scope>([
    'admin',
    `dataset:${datasets.hesIdentifiable.id}`,
    `dataset:${datasets.mhsdsIdentifiable.id}`,
  ]);
  const providers: AccessProviders = {
    forScope: (scope) => (onPlatform.has(scope) ? provider : ledger),
    all: () => [ledger, provider],
  };
  return { providers, held, calls, state };
}

let tables: TestTables;
let world: SweepWorld;
let platform: ReturnType<typeof fakePlatform>;
let deps: Dependencies;

beforeEach(async () => {
  tables = await createTestTables();
  world = await sweepWorld(tables, { now: NOW, policy: policyWith({ externalAdminCap: 1 }) });
  platform = fakePlatform();
  // The notices a change owes are delivered as it commits (the notifier's path, without a real queue in between).
  deps = {
    ...world.deps,
    providers: platform.providers,
    notifiers: [new EmailNotifier(world.deps.mailer)],
    notificationLedger: new DynamoDbNotificationLedger(tables.documentClient, tables),
    noticeQueue: deliveringNoticeQueue(() => deps),
  };
});

afterEach(async () => {
  await tables.cleanup();
});

/** The request's lifecycle events (notices sent are audited too, but are not what these tests are about). */
async function events(requestId: string) {
  return (await world.store.readAuditStream(auditStreamOfRequest(requestId))).filter(
    (event) => !event.action.startsWith('NOTIFICATION_'),
  );
}

async function actions(requestId: string): Promise<string[]> {
  return (await events(requestId)).map((event) => event.action);
}

/** Submitted and approved through the real core and store, ready for the Grant step. */
async function approved(id: string, requester: Principal, scopes: readonly Scope[] = ['admin']) {
  let current: StoredRequest = await commitTransition(
    deps,
    undefined,
    submitRequest({
      id,
      input: { scopes, justification: 'Investigating a data quality incident', duration: 'PT8H' },
      requester,
      catalogue,
      policy: deps.policy,
      now: NOW,
    }),
  );
  for (const approver of [people.homeDirector, people.executiveDirector].slice(
    0,
    current.approvalsRequired,
  )) {
    current = await commitTransition(
      deps,
      current,
      decideRequest({
        request: current,
        approver,
        decision: 'approve',
        channel: 'api',
        policy: deps.policy,
        now: NOW,
      }),
    );
  }
  return current;
}

async function activeOnPlatform(id: string): Promise<StoredRequest> {
  await approved(id, people.externalScA);
  await grantApprovedAccess(deps, id);
  const active = await world.store.getRequest(id);
  if (active?.status !== 'ACTIVE') throw new Error(`${id} is ${active?.status}`);
  return active;
}

describe('granting through a provider', () => {
  it('provisions on the platform, then activates with the provider outcome in GRANT_ACTIVATED', async () => {
    // Prepare
    await approved('req-grant', people.externalScA);

    // Act
    const result = await grantApprovedAccess(deps, 'req-grant');

    // Assess
    expect(result.status).toBe('ACTIVE');
    expect([...platform.held.entries()]).toEqual([[`${people.externalScA.id}|admin`, 'req-grant']]);
    expect((await actions('req-grant')).slice(-2)).toEqual(['PROVISIONING_STARTED', 'GRANT_ACTIVATED']);
    expect((await events('req-grant')).at(-1)?.details).toMatchObject({
      providers: [PLATFORM],
      providerScopes: ['admin'],
      providerReferences: ['asg-req-grant-admin'],
      providerAlreadyInPlace: ['false'],
    });
    expect((await world.store.externalAdminSeats()).total).toBe(1);
    expect((await world.store.listActiveGrants()).map((grant) => grant.requestId)).toEqual(['req-grant']);
  });

  it('a platform refusal leaves FAILED with the reason, frees the seat and tells the requester', async () => {
    // Prepare
    await approved('req-refused', people.externalScA);
    platform.state.down = () => 'platform answered 403: unknown user';

    // Act
    const result = await grantApprovedAccess(deps, 'req-refused');

    // Assess
    expect(result.status).toBe('FAILED');
    expect(await world.store.getRequest('req-refused')).toMatchObject({
      status: 'FAILED',
      reason: 'platform answered 403: unknown user',
    });
    expect((await actions('req-refused')).filter((action) => action.startsWith('PROVISIONING'))).toEqual([
      'PROVISIONING_STARTED',
      'PROVISIONING_FAILED',
    ]);
    expect(await world.store.externalAdminSeats()).toEqual({
      total: 0,
      byOrganisation: { 'Acme Analytics': 0 },
    });
    expect((await world.store.seatLedger()).holders).toEqual([]);
    expect(await world.store.listActiveGrants()).toEqual([]);
    expect(world.mail.map((message) => message.subject)).toContainEqual(
      expect.stringContaining('the platform refused the access'),
    );
    // The admin lock went with it: the same person may ask again.
    await expect(approved('req-again', people.externalScA)).resolves.toMatchObject({ status: 'APPROVED' });
  });

  it('rolls back what the failed attempt already granted on the platform', async () => {
    // Prepare: two identifiable datasets on the platform; the second is refused
    const hes: Scope = `dataset:${datasets.hesIdentifiable.id}`;
    const mhsds: Scope = `dataset:${datasets.mhsdsIdentifiable.id}`;
    await approved('req-partial', people.externalScA, [hes, mhsds]);
    platform.state.down = (op, scope) => (op === 'grant' && scope === mhsds ? 'no such dataset' : undefined);

    // Act
    const result = await grantApprovedAccess(deps, 'req-partial');

    // Assess
    expect(result.status).toBe('FAILED');
    expect(platform.held.size).toBe(0);
    expect((await events('req-partial')).at(-1)).toMatchObject({
      action: 'PROVISIONING_FAILED',
      details: { scope: mhsds, rolledBack: [hes] },
    });
  });

  it('a full cap rejects before the platform is asked', async () => {
    // Prepare: the only external admin seat is held
    await activeGrant(deps, {
      id: 'req-holder',
      requester: people.externalScB,
      scopes: ['admin'],
      duration: 'PT8H',
      grantedAt: NOW,
    });
    await approved('req-capped', people.externalScA);

    // Act
    const result = await grantApprovedAccess(deps, 'req-capped');

    // Assess
    expect(result.status).toBe('REJECTED');
    expect((await world.store.getRequest('req-capped'))?.reason).toBe('CAP_REACHED');
    expect(platform.calls).toEqual([]);
  });

  it('a retried step finds PROVISIONING and resumes: one platform grant, one seat, one activation', async () => {
    // Prepare: an earlier attempt took the seat and died before the platform answered
    const request = await approved('req-resume', people.externalScA);
    await commitTransition(deps, request, startProvisioning(request, [PLATFORM], deps.policy, NOW));

    // Act: the retry, and a duplicated delivery of the same step at the same time
    const results = await Promise.all([
      grantApprovedAccess(deps, 'req-resume'),
      grantApprovedAccess(deps, 'req-resume'),
    ]);

    // Assess
    expect(results.map((result) => result.status)).toEqual(['ACTIVE', 'ACTIVE']);
    expect((await world.store.externalAdminSeats()).total).toBe(1);
    expect((await actions('req-resume')).filter((action) => action === 'GRANT_ACTIVATED')).toHaveLength(1);
    expect((await actions('req-resume')).filter((action) => action === 'PROVISIONING_STARTED')).toHaveLength(
      1,
    );
    expect(new Set(platform.calls.map((call) => call.key))).toEqual(new Set(['req-resume']));
    expect(platform.held.size).toBe(1);
  });

  it('a request whose scopes are all on the ledger is granted exactly as without providers', async () => {
    // Prepare
    await approved('req-ledger', people.externalScA, [`dataset:${datasets.gpPseudonymised.id}`]);

    // Act
    const result = await grantApprovedAccess(deps, 'req-ledger');

    // Assess
    expect(result.status).toBe('ACTIVE');
    expect((await actions('req-ledger')).slice(-1)).toEqual(['GRANT_ACTIVATED']);
    expect((await actions('req-ledger')).includes('PROVISIONING_STARTED')).toBe(false);
    expect(platform.calls).toEqual([]);
  });
});

describe('ending access through a provider', () => {
  it('a revoke the platform fails stays ACTIVE and pending; a second revoke adds no second one; the sweep finishes it', async () => {
    // Prepare
    await activeOnPlatform('req-revoke');
    platform.state.down = () => 'platform unreachable: timeout after 3 attempts';

    // Act: revoked by an access-admin, then by the holder, while the platform is down
    const first = await revokeAccess(deps, people.accessAdmin, 'req-revoke', 'Contract ended early');
    world.setNow(addDuration(NOW, 'PT5M'));
    const second = await revokeAccess(deps, people.externalScA, 'req-revoke', 'No longer needed');

    // Assess: still ACTIVE (the access exists), the seat and the grant row kept, one pending revocation
    expect(first.status).toBe('ACTIVE');
    expect(second.revocation).toMatchObject({
      reason: 'Contract ended early',
      actor: { type: 'principal', id: people.accessAdmin.id },
      requestedAt: NOW,
      attempts: 2,
    });
    expect((await world.store.externalAdminSeats()).total).toBe(1);
    expect((await world.store.listActiveGrants()).map((grant) => grant.requestId)).toEqual(['req-revoke']);
    expect((await actions('req-revoke')).filter((action) => action === 'DEPROVISIONING_FAILED')).toHaveLength(
      2,
    );
    expect((await events('req-revoke')).at(-1)).toMatchObject({
      outcome: 'failed',
      details: { provider: PLATFORM, attempt: 2, ending: 'REVOKED' },
    });
    expect(world.stopped).toEqual([]);

    // Act: a sweep while still down, then one after the platform is back
    world.setNow(addDuration(NOW, 'PT15M'));
    const stillDown = await sweep(deps);
    platform.state.down = undefined;
    world.setNow(addDuration(NOW, 'PT30M'));
    const back = await sweep(deps);

    // Assess
    expect(stillDown.removalsPending).toEqual(['req-revoke']);
    expect(back.revocationsCompleted).toEqual(['req-revoke']);
    expect(await world.store.getRequest('req-revoke')).toMatchObject({
      status: 'REVOKED',
      reason: 'Contract ended early',
      closedBy: people.accessAdmin.id,
    });
    expect((await world.store.getRequest('req-revoke'))?.revocation).toBeUndefined();
    expect(
      (await events('req-revoke')).find((event) => event.action === 'GRANT_REVOKED')?.details,
    ).toMatchObject({
      providers: [PLATFORM],
      failedAttempts: 3,
    });
    expect(platform.held.size).toBe(0);
    expect((await world.store.externalAdminSeats()).total).toBe(0);
    expect(await world.store.listActiveGrants()).toEqual([]);
    expect(world.stopped).toEqual(['req-revoke']);
    const next = await sweep(deps);
    expect([...next.revocationsCompleted, ...next.removalsPending]).toEqual([]);
  });

  it('an expiry the platform fails makes the step retryable; the sweep expires it once the platform is back', async () => {
    // Prepare
    await activeOnPlatform('req-expire');
    platform.state.down = () => 'platform answered 503';
    world.setNow(addDuration(NOW, 'PT8H'));

    // Act
    const step = expireAccess(deps, 'req-expire');

    // Assess: the workflow's Retry (KeyholderTransient) takes over; the record still says ACTIVE
    await expect(step).rejects.toMatchObject({ name: 'KeyholderTransient' });
    expect((await world.store.getRequest('req-expire'))?.status).toBe('ACTIVE');
    expect((await actions('req-expire')).at(-1)).toBe('DEPROVISIONING_FAILED');

    // Act: the workflow gave up; the sweep finds the grant past its expiry, while down and then after
    world.setNow(addDuration(NOW, 'PT8H15M'));
    const stillDown = await sweep(deps);
    platform.state.down = undefined;
    world.setNow(addDuration(NOW, 'PT8H30M'));
    const back = await sweep(deps);

    // Assess
    expect(stillDown.removalsPending).toEqual(['req-expire']);
    expect(back.expired).toEqual(['req-expire']);
    expect(await world.store.getRequest('req-expire')).toMatchObject({
      status: 'EXPIRED',
      reason: 'EXPIRED',
    });
    expect(platform.held.size).toBe(0);
    expect((await world.store.externalAdminSeats()).total).toBe(0);
  });
});

describe('grants whose workflow gave up', () => {
  it('the sweep finishes an APPROVED request ten minutes after its approval, not before', async () => {
    // Prepare: approved, and the Grant step never ran (its execution failed)
    await approved('req-stalled', people.externalScA);

    // Act
    world.setNow(addDuration(NOW, 'PT9M'));
    const early = await sweep(deps);
    world.setNow(addDuration(NOW, 'PT10M'));
    const due = await sweep(deps);

    // Assess
    expect(early.grantsResumed).toEqual([]);
    expect(due.grantsResumed).toEqual(['req-stalled']);
    expect(await world.store.getRequest('req-stalled')).toMatchObject({ status: 'ACTIVE' });
    expect([...platform.held.keys()]).toEqual([`${people.externalScA.id}|admin`]);
    expect((await world.store.externalAdminSeats()).total).toBe(1);
  });

  it('the sweep resumes one caught PROVISIONING with the same key, without a second seat', async () => {
    // Prepare: the seat was taken, then the step died before asking the platform
    const request = await approved('req-caught', people.externalScA);
    await commitTransition(deps, request, startProvisioning(request, [PLATFORM], deps.policy, NOW));

    // Act
    world.setNow(addDuration(NOW, 'PT15M'));
    const report = await sweep(deps);
    const again = await sweep(deps);

    // Assess
    expect(report.grantsResumed).toEqual(['req-caught']);
    expect(again.grantsResumed).toEqual([]);
    expect(await world.store.getRequest('req-caught')).toMatchObject({ status: 'ACTIVE' });
    expect(platform.calls.filter((call) => call.op === 'grant')).toEqual([
      { op: 'grant', scope: 'admin', key: 'req-caught' },
    ]);
    expect((await world.store.seatLedger()).holders.map((holder) => holder.requestId)).toEqual([
      'req-caught',
    ]);
    expect((await world.store.externalAdminSeats()).total).toBe(1);
  });
});
