// Race-safety on DynamoDB Local with a fixed clock: the workflow's Expire and overlapping sweeps of one external
// admin grant, or two sweeps of one overdue review, end it exactly once, with one event and one seat released.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditStreamOfRequest } from '../../lambdas/adapters/dynamodb/schema.ts';
import { addDuration } from '../../lambdas/core/duration.ts';
import { sweep } from '../../lambdas/use-cases/sweep.ts';
import { expireAccess } from '../../lambdas/use-cases/workflow-steps.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';
import { people } from '../support/fixtures.ts';
import { activeGrant, reviewOpened, type SweepWorld, sweepWorld } from '../support/sweep-world.ts';

const GRANTED_AT = '2027-03-01T09:00:00.000Z';

let tables: TestTables;
let world: SweepWorld;

beforeEach(async () => {
  tables = await createTestTables();
  world = await sweepWorld(tables, { now: GRANTED_AT });
});

afterEach(async () => {
  await tables.cleanup();
});

async function actions(requestId: string): Promise<string[]> {
  return (await world.store.readAuditStream(auditStreamOfRequest(requestId))).map((event) => event.action);
}

/**
 * A clock one millisecond further on at every read. With a frozen clock two writers would compute byte-identical
 * changes, which the store rightly treats as one change retried (one event, one seat), but both would report it.
 */
function tickingClock(from: string) {
  let tick = 0;
  return { now: () => new Date(Date.parse(from) + tick++).toISOString() };
}

describe('sweep races', () => {
  it('the workflow Expire and three overlapping sweeps: one GRANT_EXPIRED, and the seat drops once', async () => {
    // Prepare: two external admins hold seats; one of them is past expiry
    const due = await activeGrant(world.deps, {
      id: 'req-due',
      requester: people.externalScA,
      scopes: ['admin'],
      duration: 'PT1H',
      grantedAt: GRANTED_AT,
    });
    await activeGrant(world.deps, {
      id: 'req-other',
      requester: people.externalScB,
      scopes: ['admin'],
      duration: 'PT8H',
      grantedAt: GRANTED_AT,
    });
    const deps = { ...world.deps, clock: tickingClock(addDuration(GRANTED_AT, 'PT1H1M')) };

    // Act
    const [workflow, ...reports] = await Promise.all([
      expireAccess(deps, due.id),
      sweep(deps),
      sweep(deps),
      sweep(deps),
    ]);

    // Assess
    expect(workflow.status).toBe('EXPIRED');
    // Whoever won, it is counted once: by the workflow, or by exactly one sweep.
    expect(reports.flatMap((report) => report.expired).length).toBeLessThanOrEqual(1);
    expect((await actions(due.id)).filter((action) => action === 'GRANT_EXPIRED')).toHaveLength(1);
    expect(await world.store.externalAdminSeats()).toEqual({
      total: 1,
      byOrganisation: { 'Acme Analytics': 0, 'Globex Consulting': 1 },
    });
    expect((await world.store.seatLedger()).holders.map((holder) => holder.requestId)).toEqual(['req-other']);
    expect(reports.every((report) => report.failures.length === 0)).toBe(true);
  });

  it('two sweeps of one overdue review: one REVIEW_OVERDUE revoke and one event', async () => {
    // Prepare
    const grant = await activeGrant(world.deps, {
      id: 'req-review',
      requester: people.externalScA,
      duration: 'P60D',
      grantedAt: GRANTED_AT,
    });
    await reviewOpened(world.deps, grant, addDuration(GRANTED_AT, 'P30D'));
    // Each sweep reads its own instant, as two real invocations would (see the note on identical changes below).
    const deps = { ...world.deps, clock: tickingClock(addDuration(GRANTED_AT, 'P33D')) };

    // Act
    const reports = await Promise.all([sweep(deps), sweep(deps)]);

    // Assess
    expect(reports.flatMap((report) => report.reviewOverdue)).toEqual(['req-review']);
    expect((await actions(grant.id)).filter((action) => action === 'GRANT_REVOKED')).toHaveLength(1);
    expect((await world.store.getRequest(grant.id))?.reason).toBe('REVIEW_OVERDUE');
    expect(world.stopped).toEqual(['req-review']);
  });
});
