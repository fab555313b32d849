// DynamoDB errors injected into the grant and revoke steps on DynamoDB Local (throttling, provisioned throughput,
// transaction conflicts, a connection reset before the write, a write applied whose answer was lost), with the
// workflow's Retry emulated and duplicate step invocations: retries converge and nothing double-counts.
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbAuditLedger } from '../../lambdas/adapters/dynamodb/audit-ledger.ts';
import { DynamoDbRequestStore } from '../../lambdas/adapters/dynamodb/request-store.ts';
import { addDuration } from '../../lambdas/core/duration.ts';
import { KeyholderError } from '../../lambdas/core/errors.ts';
import { decideRequest, submitRequest } from '../../lambdas/core/lifecycle.ts';
import type { Principal } from '../../lambdas/core/model.ts';
import type { StoredRequest } from '../../lambdas/core/ports.ts';
import { commitTransition, type Dependencies } from '../../lambdas/use-cases/context.ts';
import { revokeAccess } from '../../lambdas/use-cases/revoke-request.ts';
import { sweep } from '../../lambdas/use-cases/sweep.ts';
import { verifyAuditTrail } from '../../lambdas/use-cases/verify-audit.ts';
import { expireAccess, grantApprovedAccess } from '../../lambdas/use-cases/workflow-steps.ts';
import { synthesizeWorkflow } from '../../local/synthesize.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';
import {
  FAULT_KINDS,
  type FaultKind,
  type FaultSchedule,
  type FaultyClient,
  faultyDynamoDbClient,
  firstN,
  inconsistencies,
  type Retrier,
  randomFraction,
  readLedgerFacts,
  retriersOf,
  runStep,
  seededRandom,
} from '../support/faults.ts';
import { catalogue, datasets, JUSTIFICATION, people, policyWith, scopeOf } from '../support/fixtures.ts';
import { type SweepWorld, sweepWorld } from '../support/sweep-world.ts';

const CAP = 2;
const policy = policyWith({ externalAdminCap: CAP, minDuration: 'PT1S' });
const GRANTED_AT = '2027-05-03T09:00:00.000Z';
/** Commit attempts inside the store before it gives up with KeyholderTransient (production: 8). Fewer attempts
 * reach the workflow's Retry more often, and keep the file fast. */
const STORE_ATTEMPTS = 4;
const SEED = 20_261_129;

const REQUESTERS = {
  xena: people.externalScA,
  xavier: people.externalDvA,
  yan: people.externalScB,
  yara: people.externalDvB,
  mo: people.manager,
} as const satisfies Record<string, Principal>;
type RequesterKey = keyof typeof REQUESTERS;

const ENDINGS = ['expire', 'expire-twice', 'revoke', 'sweep', 'race'] as const;
type Ending = (typeof ENDINGS)[number];

interface PlannedRequest {
  readonly who: RequesterKey;
  readonly admin: boolean;
  /** The Grant step invoked twice at once (a duplicate Lambda invocation). */
  readonly duplicateGrant: boolean;
  readonly ending: Ending;
}

type ScheduleSpec =
  | { readonly type: 'first'; readonly count: number; readonly kinds: readonly FaultKind[] }
  | {
      readonly type: 'random';
      readonly seed: number;
      readonly fraction: number;
      readonly kinds: readonly FaultKind[];
    };

interface Scenario {
  readonly requests: readonly PlannedRequest[];
  readonly grantFaults: ScheduleSpec;
  readonly endFaults: ScheduleSpec;
}

const totals = {
  scenarios: 0,
  requests: 0,
  granted: 0,
  rejectedAtCap: 0,
  stepInvocations: 0,
  workflowRetries: 0,
  transactAttempts: 0,
  injected: Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>,
  revokeCallerRetries: 0,
  sweepReruns: 0,
};

let tables: TestTables;
let world: SweepWorld;
let grantRetry: Retrier[];
let expireRetry: Retrier[];
let run = 0;

beforeAll(() => {
  // The Retry the state machine really declares (lib/access-workflow.ts), read from the synthesized definition.
  const { definition } = synthesizeWorkflow({ policy });
  grantRetry = retriersOf(definition, 'Grant');
  expireRetry = retriersOf(definition, 'Expire');
});

// Fresh tables per test: a failure in one must not show up as a double count in the next.
beforeEach(async () => {
  tables = await createTestTables();
  world = await sweepWorld(tables, { policy, now: GRANTED_AT });
});

afterEach(async () => {
  await tables?.cleanup();
});

afterAll(() => {
  console.log(`[dynamodb-errors] ${JSON.stringify(totals)}`);
});

function scheduleOf(spec: ScheduleSpec): FaultSchedule {
  return spec.type === 'first'
    ? firstN(spec.count, spec.kinds)
    : randomFraction(seededRandom(spec.seed), spec.fraction, spec.kinds);
}

/** A clock one millisecond further on at every read, as separate invocations would see it. */
function tickingClock(from: string) {
  let tick = 0;
  return { now: () => new Date(Date.parse(from) + tick++).toISOString() };
}

/** Submitted and fully approved through the real core and a fault-free store: what the Grant step starts from. */
async function approvedRequest(id: string, planned: PlannedRequest): Promise<StoredRequest> {
  const deps = world.deps;
  const requester = REQUESTERS[planned.who];
  const submitted = await commitTransition(
    deps,
    undefined,
    submitRequest({
      id,
      input: {
        scopes: planned.admin
          ? ['admin']
          : [scopeOf(datasets.hesIdentifiable), scopeOf(datasets.mhsdsIdentifiable)],
        justification: JUSTIFICATION,
        duration: 'PT1H',
      },
      requester,
      catalogue,
      policy,
      now: GRANTED_AT,
    }),
  );
  let current = submitted;
  for (const approver of [people.homeDirector, people.executiveDirector].slice(
    0,
    submitted.approvalsRequired,
  )) {
    current = await commitTransition(
      deps,
      current,
      decideRequest({
        request: current,
        approver,
        decision: 'approve',
        channel: 'api',
        policy,
        now: GRANTED_AT,
      }),
    );
  }
  return current;
}

/** An API client revoking: a 5xx is tried again; NOT_ACTIVE means access already ended (a racing expiry, or our
 * own earlier attempt whose answer was lost). */
async function revokeAsCaller(deps: Dependencies, requestId: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await revokeAccess(deps, people.accessAdmin, requestId, 'Ended early by the fault-injection test');
      return;
    } catch (error) {
      if (error instanceof KeyholderError && error.code === 'NOT_ACTIVE') return;
      if (error instanceof KeyholderError && error.code !== 'CONCURRENT_CHANGE') throw error;
      if (attempt >= 6) throw error;
      totals.revokeCallerRetries += 1;
    }
  }
}

/** The scheduled sweep, run again (as the next schedule would) until nothing it tried failed. */
async function sweepUntilClean(deps: Dependencies): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const report = await sweep(deps);
    if (report.failures.length === 0) return;
    if (attempt >= 8) throw new Error(`the sweep kept failing: ${JSON.stringify(report.failures)}`);
    totals.sweepReruns += 1;
  }
}

async function allRequestIds(): Promise<string[]> {
  const ids: string[] = [];
  for (const requester of Object.values(REQUESTERS)) {
    ids.push(...(await world.store.listRequestsByRequester(requester.id)).map((request) => request.id));
  }
  return ids;
}

async function expectConsistent(): Promise<Awaited<ReturnType<typeof readLedgerFacts>>> {
  const facts = await readLedgerFacts(
    world.store,
    tables.documentClient,
    tables.stateTable,
    await allRequestIds(),
  );
  expect(inconsistencies(facts)).toEqual([]);
  return facts;
}

/**
 * One scenario on the shared tables: every request granted under `grantFaults` (the Grant step, sometimes twice at
 * once, with the workflow's Retry), checked, then ended under `endFaults` by its ending, checked again. Every
 * scenario leaves no seat held, so the next starts from zero.
 */
async function play(scenario: Scenario, options: { readonly sdkMaxAttempts?: number } = {}): Promise<void> {
  run += 1;
  totals.scenarios += 1;
  const ids = scenario.requests.map((_, index) => `run${run}-req${index}`);
  for (const [index, planned] of scenario.requests.entries())
    await approvedRequest(ids[index] as string, planned);
  totals.requests += ids.length;

  const faulty: FaultyClient = faultyDynamoDbClient({ endpoint: tables.endpoint, ...options });
  try {
    const store = new DynamoDbRequestStore(faulty.documentClient, tables, { maxAttempts: STORE_ATTEMPTS });
    const grantDeps: Dependencies = { ...world.deps, store, clock: tickingClock(GRANTED_AT) };

    // Act 1: grant under faults
    faulty.setSchedule(scheduleOf(scenario.grantFaults));
    const grants = await Promise.all(
      scenario.requests.flatMap((planned, index) =>
        Array.from({ length: planned.duplicateGrant ? 2 : 1 }, () =>
          runStep(grantRetry, () => grantApprovedAccess(grantDeps, ids[index] as string)),
        ),
      ),
    );
    faulty.setSchedule(undefined);

    // Assess 1: no execution failed, the cap held exactly, nothing double-counted
    expect(grants.filter((step) => step.failure).map((step) => String(step.failure))).toEqual([]);
    const afterGrant = await expectConsistent();
    const statuses = ids.map((id) => afterGrant.requests.get(id)?.request.status);
    expect(statuses.every((status) => status === 'ACTIVE' || status === 'REJECTED')).toBe(true);
    const externalAdmins = ids.filter((_, index) => {
      const planned = scenario.requests[index] as PlannedRequest;
      return planned.admin && REQUESTERS[planned.who].organisation !== 'NHSE';
    });
    const activeExternalAdmins = externalAdmins.filter(
      (id) => afterGrant.requests.get(id)?.request.status === 'ACTIVE',
    );
    // No seat lost to a fault: exactly min(cap, asked) external admins got in, and only they were refused.
    expect(activeExternalAdmins).toHaveLength(Math.min(CAP, externalAdmins.length));
    for (const id of ids) {
      const request = afterGrant.requests.get(id)?.request;
      if (request?.status === 'REJECTED') {
        expect(externalAdmins).toContain(id);
        expect(request.reason).toBe('CAP_REACHED');
      }
    }
    totals.granted += statuses.filter((status) => status === 'ACTIVE').length;
    totals.rejectedAtCap += statuses.filter((status) => status === 'REJECTED').length;

    // Act 2: end every grant under faults, past its expiry, each its own way (some racing each other)
    const endDeps: Dependencies = { ...grantDeps, clock: tickingClock(addDuration(GRANTED_AT, 'PT2H')) };
    faulty.setSchedule(scheduleOf(scenario.endFaults));
    const endings: Array<Promise<unknown>> = [];
    const expireSteps: Array<Promise<Awaited<ReturnType<typeof runStep>>>> = [];
    const expireStep = (id: string) => {
      const step = runStep(expireRetry, () => expireAccess(endDeps, id));
      expireSteps.push(step);
      return step;
    };
    for (const [index, planned] of scenario.requests.entries()) {
      const id = ids[index] as string;
      if (afterGrant.requests.get(id)?.request.status !== 'ACTIVE') continue;
      if (planned.ending === 'expire') endings.push(expireStep(id));
      if (planned.ending === 'expire-twice') endings.push(expireStep(id), expireStep(id));
      if (planned.ending === 'revoke') endings.push(revokeAsCaller(endDeps, id));
      if (planned.ending === 'sweep') endings.push(sweepUntilClean(endDeps));
      if (planned.ending === 'race') {
        endings.push(expireStep(id), revokeAsCaller(endDeps, id), sweepUntilClean(endDeps));
      }
    }
    await Promise.all(endings);
    faulty.setSchedule(undefined);
    const steps = [...grants, ...(await Promise.all(expireSteps))];

    // Assess 2: every grant ended exactly once, every seat released once, the trail intact
    expect(steps.filter((step) => step.failure).map((step) => String(step.failure))).toEqual([]);
    const afterEnd = await expectConsistent();
    for (const id of ids) {
      expect(['EXPIRED', 'REVOKED', 'REJECTED']).toContain(afterEnd.requests.get(id)?.request.status);
    }
    expect(afterEnd.seats.total).toBe(0);
    expect(afterEnd.holders).toEqual([]);
    const reconciled = await sweep({ ...world.deps, clock: tickingClock(addDuration(GRANTED_AT, 'PT3H')) });
    expect(reconciled.seats).toMatchObject({ drift: 0, corrected: false });
    const verdict = await verifyAuditTrail({
      ledger: new DynamoDbAuditLedger(tables.documentClient, tables),
      clock: world.deps.clock,
    });
    expect(verdict).toMatchObject({ ok: true });

    totals.stepInvocations += steps.reduce((sum, step) => sum + step.invocations, 0);
    totals.workflowRetries += steps.reduce((sum, step) => sum + step.invocations - 1, 0);
    totals.transactAttempts += faulty.counts.attempts;
    for (const kind of FAULT_KINDS) totals.injected[kind] += faulty.counts.injected[kind];
  } finally {
    faulty.destroy();
  }
}

const everyKind = [...FAULT_KINDS];

describe('DynamoDB errors in the grant and revoke steps', () => {
  it('a grant throttled past the store’s own attempts is granted by the workflow’s Retry, once', async () => {
    await play({
      requests: [
        { who: 'xena', admin: true, duplicateGrant: false, ending: 'expire' },
        { who: 'yan', admin: true, duplicateGrant: false, ending: 'revoke' },
      ],
      // Both grants share the faults; the store tries four times: more than eight in a row exhaust both.
      grantFaults: { type: 'first', count: 12, kinds: ['throttling', 'provisioned'] },
      endFaults: { type: 'first', count: STORE_ATTEMPTS + 1, kinds: ['throttling'] },
    });
  });

  it('a grant and an expiry whose writes were applied but whose answers were lost count once', async () => {
    await play({
      requests: [
        { who: 'xavier', admin: true, duplicateGrant: false, ending: 'expire' },
        { who: 'mo', admin: false, duplicateGrant: false, ending: 'expire' },
      ],
      grantFaults: { type: 'first', count: 6, kinds: ['lost-response'] },
      endFaults: { type: 'first', count: 6, kinds: ['lost-response'] },
    });
  });

  it('the same behind the SDK’s own retries (same ClientRequestToken), as Lambda runs it', async () => {
    await play(
      {
        requests: [
          { who: 'yan', admin: true, duplicateGrant: true, ending: 'expire-twice' },
          { who: 'mo', admin: false, duplicateGrant: false, ending: 'revoke' },
        ],
        grantFaults: { type: 'first', count: 5, kinds: ['lost-response', 'reset-before-write'] },
        endFaults: { type: 'first', count: 5, kinds: ['lost-response', 'conflict'] },
      },
      { sdkMaxAttempts: 3 },
    );
  });

  it('a revoke whose write was applied but whose answer was lost: the caller’s retry finds it ended', async () => {
    await play({
      requests: [{ who: 'yara', admin: true, duplicateGrant: false, ending: 'revoke' }],
      grantFaults: { type: 'first', count: 0, kinds: everyKind },
      endFaults: { type: 'first', count: 4, kinds: ['lost-response'] },
    });
  });

  it('a connection reset before the write: retried, not stranded APPROVED', async () => {
    await play({
      requests: [
        { who: 'xena', admin: true, duplicateGrant: false, ending: 'sweep' },
        { who: 'mo', admin: false, duplicateGrant: false, ending: 'revoke' },
      ],
      grantFaults: { type: 'first', count: 4, kinds: ['reset-before-write'] },
      endFaults: { type: 'first', count: 4, kinds: ['reset-before-write'] },
    });
  });

  it('duplicate Grant invocations racing for the last seat under transaction conflicts: cap held exactly', async () => {
    await play({
      requests: [
        { who: 'xena', admin: true, duplicateGrant: true, ending: 'race' },
        { who: 'xavier', admin: true, duplicateGrant: true, ending: 'expire-twice' },
        { who: 'yan', admin: true, duplicateGrant: true, ending: 'race' },
        { who: 'yara', admin: true, duplicateGrant: true, ending: 'sweep' },
      ],
      grantFaults: { type: 'random', seed: 7, fraction: 0.5, kinds: ['conflict'] },
      endFaults: { type: 'random', seed: 8, fraction: 0.5, kinds: ['conflict', 'lost-response'] },
    });
  });

  it('many seeded fault schedules: every grant and end converges, and nothing double-counts', {
    timeout: 90_000,
  }, async () => {
    const kinds = fc.subarray(everyKind, { minLength: 1 });
    const schedule: fc.Arbitrary<ScheduleSpec> = fc.oneof(
      fc.record({ type: fc.constant('first' as const), count: fc.integer({ min: 1, max: 12 }), kinds }),
      fc.record({
        type: fc.constant('random' as const),
        seed: fc.integer(),
        fraction: fc.double({ min: 0.05, max: 0.5, noNaN: true }),
        kinds,
      }),
    );
    const requests = fc
      .shuffledSubarray(Object.keys(REQUESTERS) as RequesterKey[], { minLength: 2, maxLength: 4 })
      .chain((whos) =>
        fc.tuple(
          ...whos.map((who) =>
            fc.record({
              who: fc.constant(who),
              admin: fc.boolean(),
              duplicateGrant: fc.boolean(),
              ending: fc.constantFrom(...ENDINGS),
            }),
          ),
        ),
      );
    await fc.assert(
      fc.asyncProperty(fc.record({ requests, grantFaults: schedule, endFaults: schedule }), (scenario) =>
        play(scenario),
      ),
      // The tables are shared between runs (each run leaves no seat held): shrinking would replay on changed data.
      { numRuns: 12, seed: SEED, endOnFailure: true },
    );
  });
});
