// Drift detection on DynamoDB Local with an in-memory platform: out-of-band access recorded once, removed when the
// policy says so, closed when it goes; a missing grant re-applied on its request's stream; a failing platform
// reported without stopping the rest; every chain still verifies; a ledger-only deployment reads nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbAuditLedger } from '../../lambdas/adapters/dynamodb/audit-ledger.ts';
import { DynamoDbDriftLedger } from '../../lambdas/adapters/dynamodb/drift-items.ts';
import { auditStreamOfRequest } from '../../lambdas/adapters/dynamodb/schema.ts';
import type {
  AccessAssignment,
  AccessProvider,
  AccessProviders,
  ProvisioningTarget,
} from '../../lambdas/core/access-provider.ts';
import { ProviderError } from '../../lambdas/core/access-provider.ts';
import { driftAuditStream } from '../../lambdas/core/drift.ts';
import { decideRequest, submitRequest } from '../../lambdas/core/lifecycle.ts';
import type { Scope } from '../../lambdas/core/model.ts';
import type { RequestStore } from '../../lambdas/core/ports.ts';
import { commitTransition } from '../../lambdas/use-cases/context.ts';
import { checkDrift, type DriftDependencies } from '../../lambdas/use-cases/drift.ts';
import { verifyAuditTrail } from '../../lambdas/use-cases/verify-audit.ts';
import { accessNow } from '../../lambdas/use-cases/view-access.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';
import { catalogue, JUSTIFICATION, people, policyWith } from '../support/fixtures.ts';
import { activeGrant, type SweepWorld, sweepWorld } from '../support/sweep-world.ts';

const NOW = '2027-03-01T09:00:00.000Z';
const HES: Scope = 'dataset:hes-apc';

/** An in-memory platform behind the AccessProvider port: it can be changed behind Keyholder's back and fail. */
function fakePlatform(name: string) {
  const held = new Map<string, AccessAssignment>();
  const calls: { action: 'grant' | 'revoke'; target: ProvisioningTarget }[] = [];
  const failing = { list: false, revoke: false };
  const key = (assignment: AccessAssignment) => `${assignment.principalId} ${assignment.scope}`;
  const provider: AccessProvider = {
    name,
    type: 'webhook',
    async grant(target) {
      calls.push({ action: 'grant', target });
      const alreadyInPlace = held.has(key(target));
      held.set(key(target), { principalId: target.principalId, scope: target.scope });
      return { reference: `g-${calls.length}`, alreadyInPlace };
    },
    async revoke(target) {
      calls.push({ action: 'revoke', target });
      if (failing.revoke) throw new ProviderError(name, 'POST answered 503', true);
      const alreadyInPlace = !held.delete(key(target));
      return { reference: `r-${calls.length}`, alreadyInPlace };
    },
    async list() {
      if (failing.list) throw new ProviderError(name, 'GET answered 503 (gave up after 3 attempts)', true);
      return [...held.values()];
    },
  };
  return {
    provider,
    calls,
    failing,
    add: (principalId: string, scope: Scope) => held.set(key({ principalId, scope }), { principalId, scope }),
    drop: (principalId: string, scope: Scope) => held.delete(key({ principalId, scope })),
    has: (principalId: string, scope: Scope) => held.has(key({ principalId, scope })),
  };
}

const ledgerProvider: AccessProvider = {
  name: 'ledger',
  type: 'ledger',
  grant: async () => ({}),
  revoke: async () => ({}),
  list: async () => [],
};

/** `admin` on one platform, datasets on another; scopes of neither stay with the ledger. */
function providersOf(admin: AccessProvider, datasets: AccessProvider): AccessProviders {
  return {
    forScope: (scope) =>
      scope === 'admin' ? admin : scope.startsWith('dataset:') ? datasets : ledgerProvider,
    all: () => [ledgerProvider, admin, datasets],
  };
}

let tables: TestTables;
let world: SweepWorld;
let platform: ReturnType<typeof fakePlatform>;
let adminPlatform: ReturnType<typeof fakePlatform>;
let driftLedger: DynamoDbDriftLedger;

function depsWith(removeOutOfBand = false): DriftDependencies {
  return {
    ...world.deps,
    policy: policyWith({ removeOutOfBand }),
    providers: providersOf(adminPlatform.provider, platform.provider),
    driftLedger,
  };
}

async function streamActions(stream: string): Promise<string[]> {
  return (await world.store.readAuditStream(stream)).map((event) => event.action);
}

async function trailVerifies() {
  const verdict = await verifyAuditTrail({
    ledger: new DynamoDbAuditLedger(tables.documentClient, tables),
    clock: world.deps.clock,
  });
  expect(verdict).toMatchObject({ ok: true });
  return verdict;
}

beforeEach(async () => {
  tables = await createTestTables();
  world = await sweepWorld(tables, { now: NOW });
  platform = fakePlatform('data-platform');
  adminPlatform = fakePlatform('admin-console');
  driftLedger = new DynamoDbDriftLedger(tables.documentClient, tables);
});

afterEach(async () => {
  await tables.cleanup();
});

describe('checkDrift: out-of-band access', () => {
  it('is recorded and audited once, across two sweeps, and shows in GET /access', async () => {
    // Prepare: Xena holds HES on the platform; Keyholder never granted it
    platform.add(people.externalScA.id, HES);

    // Act
    const first = await checkDrift(depsWith());
    world.setNow('2027-03-01T09:15:00.000Z');
    const second = await checkDrift(depsWith());

    // Assess
    const [firstData] = first.providers.filter((entry) => entry.provider === 'data-platform');
    const [secondData] = second.providers.filter((entry) => entry.provider === 'data-platform');
    expect(firstData).toMatchObject({ found: [{ principalId: people.externalScA.id, scope: HES }], open: 1 });
    expect(secondData).toMatchObject({ found: [], gone: [], open: 1 });
    const events = await world.store.readAuditStream(driftAuditStream('data-platform'));
    expect(events.map((event) => event.action)).toEqual(['OUT_OF_BAND_ACCESS_FOUND']);
    expect(events[0]).toMatchObject({
      subject: { requestId: '', principalId: people.externalScA.id, scopes: [HES] },
      details: { provider: 'data-platform', removeOutOfBand: false },
    });
    expect(platform.has(people.externalScA.id, HES)).toBe(true);
    const now = await accessNow({ ...world.deps, driftLedger }, people.accessAdmin);
    expect(now.outOfBand).toEqual([
      { provider: 'data-platform', principalId: people.externalScA.id, scope: HES, firstSeenAt: NOW },
    ]);
    await trailVerifies();
  });

  it('is removed from the platform when the policy says removeOutOfBand', async () => {
    // Prepare
    adminPlatform.add('admin-console:u-77', 'admin');

    // Act
    const report = await checkDrift(depsWith(true));

    // Assess
    const [admin] = report.providers.filter((entry) => entry.provider === 'admin-console');
    expect(admin).toMatchObject({
      found: [{ principalId: 'admin-console:u-77', scope: 'admin' }],
      removed: [{ principalId: 'admin-console:u-77', scope: 'admin' }],
      open: 0,
    });
    expect(adminPlatform.has('admin-console:u-77', 'admin')).toBe(false);
    expect(adminPlatform.calls).toEqual([
      {
        action: 'revoke',
        target: expect.objectContaining({
          principalId: 'admin-console:u-77',
          scope: 'admin',
          idempotencyKey: `drift:admin-console:admin-console:u-77:admin:${NOW}`,
        }),
      },
    ]);
    expect(await streamActions(driftAuditStream('admin-console'))).toEqual([
      'OUT_OF_BAND_ACCESS_FOUND',
      'OUT_OF_BAND_ACCESS_REMOVED',
    ]);
    expect(await driftLedger.listOpen()).toEqual([]);
    await trailVerifies();
  });

  it('is closed as gone when someone else removes it on the platform', async () => {
    // Prepare
    platform.add(people.externalScB.id, HES);
    await checkDrift(depsWith());
    platform.drop(people.externalScB.id, HES);
    world.setNow('2027-03-01T09:15:00.000Z');

    // Act
    const report = await checkDrift(depsWith());

    // Assess
    const [data] = report.providers.filter((entry) => entry.provider === 'data-platform');
    expect(data).toMatchObject({ gone: [{ principalId: people.externalScB.id, scope: HES }], open: 0 });
    const events = await world.store.readAuditStream(driftAuditStream('data-platform'));
    expect(events.map((event) => [event.action, event.reason])).toEqual([
      ['OUT_OF_BAND_ACCESS_FOUND', 'NO_KEYHOLDER_GRANT'],
      ['OUT_OF_BAND_ACCESS_GONE', 'REMOVED_ON_PLATFORM'],
    ]);
    expect(await driftLedger.listOpen('data-platform')).toEqual([]);
    await trailVerifies();
  });

  it('a grant being provisioned is not out-of-band, and is never removed', async () => {
    // Prepare: Xena's request is approved (its grant under way); the platform already has the access
    const submitted = await commitTransition(
      world.deps,
      undefined,
      submitRequest({
        id: 'req-approved',
        input: { scopes: [HES], justification: JUSTIFICATION, duration: 'PT8H' },
        requester: people.externalScA,
        catalogue,
        policy: world.deps.policy,
        now: NOW,
      }),
    );
    await commitTransition(
      world.deps,
      submitted,
      decideRequest({
        request: submitted,
        approver: people.homeDirector,
        decision: 'approve',
        channel: 'api',
        policy: world.deps.policy,
        now: NOW,
      }),
    );
    platform.add(people.externalScA.id, HES);

    // Act
    const report = await checkDrift(depsWith(true));

    // Assess
    const [data] = report.providers.filter((entry) => entry.provider === 'data-platform');
    expect(data).toMatchObject({
      found: [],
      removed: [],
      inFlight: [{ principalId: people.externalScA.id }],
    });
    expect(platform.has(people.externalScA.id, HES)).toBe(true);
    expect(await streamActions(driftAuditStream('data-platform'))).toEqual([]);
  });

  it('two overlapping checks record it once', async () => {
    // Prepare
    platform.add(people.externalScA.id, HES);
    platform.add(people.externalScB.id, HES);

    // Act
    await Promise.all([checkDrift(depsWith()), checkDrift(depsWith()), checkDrift(depsWith())]);

    // Assess
    expect(await streamActions(driftAuditStream('data-platform'))).toEqual([
      'OUT_OF_BAND_ACCESS_FOUND',
      'OUT_OF_BAND_ACCESS_FOUND',
    ]);
    expect(await driftLedger.listOpen()).toHaveLength(2);
    await trailVerifies();
  });
});

describe('checkDrift: missing grants', () => {
  it('an ACTIVE grant dropped on the platform is re-applied and audited on its request', async () => {
    // Prepare: Yan's grant is ACTIVE and was on the platform, until someone removed it there
    const granted = await activeGrant(world.deps, {
      id: 'req-yan',
      requester: people.externalScB,
      scopes: [HES],
      duration: 'PT8H',
      grantedAt: NOW,
    });
    world.setNow('2027-03-01T10:00:00.000Z');

    // Act
    const report = await checkDrift(depsWith());
    const again = await checkDrift(depsWith());

    // Assess
    const [data] = report.providers.filter((entry) => entry.provider === 'data-platform');
    expect(data?.reapplied).toEqual([
      { principalId: people.externalScB.id, scope: HES, requestId: granted.id },
    ]);
    expect(platform.has(people.externalScB.id, HES)).toBe(true);
    expect(platform.calls).toEqual([
      {
        action: 'grant',
        target: expect.objectContaining({
          principalId: people.externalScB.id,
          scope: HES,
          idempotencyKey: `${granted.id}:reapply:${granted.audit.seq}`,
          principal: expect.objectContaining({ email: people.externalScB.email }),
        }),
      },
    ]);
    const events = await world.store.readAuditStream(auditStreamOfRequest(granted.id));
    expect(events.at(-1)).toMatchObject({
      action: 'GRANT_REAPPLIED',
      seq: granted.audit.seq + 1,
      subject: { requestId: granted.id, scopes: [HES] },
      details: { provider: 'data-platform', reference: 'g-1', alreadyInPlace: false },
    });
    expect((await world.store.getRequest(granted.id))?.status).toBe('ACTIVE');
    const [second] = again.providers.filter((entry) => entry.provider === 'data-platform');
    expect(second?.reapplied).toEqual([]);
    await trailVerifies();
  });

  it('an expired grant the sweep has not yet ended is not re-applied', async () => {
    // Prepare
    await activeGrant(world.deps, {
      id: 'req-old',
      requester: people.externalScB,
      scopes: [HES],
      duration: 'PT1H',
      grantedAt: NOW,
    });
    world.setNow('2027-03-01T10:30:00.000Z');

    // Act
    await checkDrift(depsWith());

    // Assess
    expect(platform.calls).toEqual([]);
  });
});

describe('checkDrift: failures', () => {
  it('a platform that cannot be listed is reported and the others are still checked', async () => {
    // Prepare
    adminPlatform.failing.list = true;
    platform.add(people.externalScA.id, HES);

    // Act
    const report = await checkDrift(depsWith());

    // Assess
    expect(report.failures).toEqual([
      { provider: 'admin-console', target: 'platform', error: expect.stringContaining('503') },
    ]);
    expect(report.providers.map((entry) => [entry.provider, entry.found.length])).toEqual([
      ['data-platform', 1],
    ]);
  });

  it('a failed removal leaves the item open and is retried by the next sweep', async () => {
    // Prepare
    platform.add(people.externalScA.id, HES);
    platform.failing.revoke = true;

    // Act
    const first = await checkDrift(depsWith(true));
    platform.failing.revoke = false;
    world.setNow('2027-03-01T09:15:00.000Z');
    const second = await checkDrift(depsWith(true));

    // Assess
    expect(first.failures).toEqual([
      {
        provider: 'data-platform',
        target: `${people.externalScA.id} ${HES}`,
        error: expect.stringContaining('503'),
      },
    ]);
    expect(first.providers.find((entry) => entry.provider === 'data-platform')?.open).toBe(1);
    expect(second.providers.find((entry) => entry.provider === 'data-platform')).toMatchObject({
      found: [],
      removed: [{ principalId: people.externalScA.id, scope: HES }],
      open: 0,
    });
    expect(platform.has(people.externalScA.id, HES)).toBe(false);
    expect(await streamActions(driftAuditStream('data-platform'))).toEqual([
      'OUT_OF_BAND_ACCESS_FOUND',
      'OUT_OF_BAND_ACCESS_REMOVED',
    ]);
    await trailVerifies();
  });
});

describe('checkDrift: ledger only', () => {
  it('reads nothing at all when no provider can drift', async () => {
    // Prepare: a store and a drift ledger that fail the test if touched
    const untouchable = new Proxy({} as RequestStore, {
      get: (_, name) => () => {
        throw new Error(`store.${String(name)} was called`);
      },
    });
    const deps: DriftDependencies = {
      ...world.deps,
      store: untouchable,
      providers: { forScope: () => ledgerProvider, all: () => [ledgerProvider] },
      driftLedger: new Proxy({} as DynamoDbDriftLedger, {
        get: (_, name) => () => {
          throw new Error(`driftLedger.${String(name)} was called`);
        },
      }),
    };

    // Act
    const report = await checkDrift(deps);
    const withoutProviders = await checkDrift({ ...deps, providers: undefined });

    // Assess
    expect(report).toEqual({ at: NOW, providers: [], failures: [] });
    expect(withoutProviders).toEqual({ at: NOW, providers: [], failures: [] });
  });
});
