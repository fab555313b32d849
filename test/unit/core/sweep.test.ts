// Unit tests for the sweep's rules: the due time the index is keyed by, what is due now, the sweep's own
// revocations with their reasons, and seat counter correction.
import { describe, expect, it } from 'vitest';
import { requestExtension } from '../../../lambdas/core/extension.ts';
import type { AccessRequest } from '../../../lambdas/core/model.ts';
import { openReview } from '../../../lambdas/core/review.ts';
import {
  correctedSeats,
  dueAction,
  dueTransition,
  expireBySweep,
  revokeForStanding,
  SWEEP_ACTOR,
  seatDrift,
  seatsReconciledEvent,
  sweepDueAt,
} from '../../../lambdas/core/sweep.ts';
import {
  activeRequest,
  approvedBy,
  catalogue,
  datasets,
  later,
  pendingRequest,
  people,
  policy,
  scopeOf,
} from '../../support/fixtures.ts';

const GRANTED_AT = later('PT2H');

function datasetGrant(): AccessRequest {
  return activeRequest(
    people.externalScA,
    { scopes: [scopeOf(datasets.hesIdentifiable)], duration: 'P60D' },
    GRANTED_AT,
  );
}

describe('sweepDueAt', () => {
  it('is the review date, then the open round deadline, and the earlier extension deadline', () => {
    // Prepare
    const active = datasetGrant();
    const dueAt = later('P30D', GRANTED_AT);
    const reviewing = openReview({
      request: active,
      reviewers: ['dana.director'],
      policy,
      now: dueAt,
    }).request;
    const extending = requestExtension({
      request: active,
      holder: people.externalScA,
      input: { duration: 'P10D', justification: 'The investigation needs ten more days' },
      catalogue,
      policy,
      now: later('P1D', GRANTED_AT),
    }).request;

    // Assess
    expect(sweepDueAt(active)).toBe(dueAt);
    expect(sweepDueAt(reviewing)).toBe(later('P2D', dueAt));
    expect(sweepDueAt(extending)).toBe(later('P1DT72H', GRANTED_AT));
    expect(sweepDueAt({ ...active, status: 'REVOKED' })).toBeUndefined();
  });
});

describe('dueAction', () => {
  it('names what is due: a prompt, an overdue round, a timed-out extension, or nothing', () => {
    // Prepare
    const active = datasetGrant();
    const dueAt = later('P30D', GRANTED_AT);
    const reviewing = openReview({ request: active, reviewers: [], policy, now: dueAt }).request;
    const extending = requestExtension({
      request: active,
      holder: people.externalScA,
      input: { duration: 'P10D', justification: 'The investigation needs ten more days' },
      catalogue,
      policy,
      now: later('P1D', GRANTED_AT),
    }).request;

    // Assess
    expect(dueAction(active, later('P1D', GRANTED_AT))).toBeUndefined();
    expect(dueAction(active, dueAt)).toBe('review-due');
    expect(dueAction(reviewing, later('P1D', dueAt))).toBeUndefined();
    expect(dueAction(reviewing, later('P2D', dueAt))).toBe('review-overdue');
    expect(dueAction(extending, later('P4D', GRANTED_AT))).toBe('extension-timed-out');
    expect(
      dueTransition('extension-timed-out', extending, policy, later('P4D', GRANTED_AT))?.event.action,
    ).toBe('EXTENSION_TIMED_OUT');
  });
});

describe('stalled grants', () => {
  it('are due ten minutes after the last approval while APPROVED or PROVISIONING, and never before', () => {
    // Prepare: approved an hour after NOW, and the workflow never granted it
    const approved = approvedBy(
      pendingRequest(people.externalScA, { scopes: [scopeOf(datasets.hesIdentifiable)] }),
      [people.homeDirector],
    );
    const provisioning: AccessRequest = { ...approved, status: 'PROVISIONING' };
    const stalledAt = later('PT1H10M');

    // Assess
    expect(sweepDueAt(approved)).toBe(stalledAt);
    expect(sweepDueAt(provisioning)).toBe(stalledAt);
    expect(dueAction(approved, later('PT1H9M'))).toBeUndefined();
    expect(dueAction(approved, stalledAt)).toBe('grant-stalled');
    expect(dueAction(provisioning, later('PT2H'))).toBe('grant-stalled');
    expect(sweepDueAt(pendingRequest(people.externalScA))).toBeUndefined();
  });
});

describe('the sweep ends stale grants, each with its own reason', () => {
  it('expires a grant past expiresAt as EXPIRED, in the sweep’s name, and leaves a running one alone', () => {
    // Prepare
    const active = datasetGrant();
    const expiresAt = active.grant?.expiresAt ?? '';

    // Act
    const early = expireBySweep(active, policy, later('P59D', GRANTED_AT));
    const late = expireBySweep(active, policy, later('PT1M', expiresAt));

    // Assess
    expect(early).toBeUndefined();
    expect(late?.request).toMatchObject({ status: 'EXPIRED', reason: 'EXPIRED' });
    expect(late?.event).toMatchObject({ action: 'GRANT_EXPIRED', actor: SWEEP_ACTOR });
    expect(late?.grants).toBe('close');
  });

  it.each([
    ['PRINCIPAL_INACTIVE', 'ext is not active'],
    ['CLEARANCE_LAPSED', 'clearance SC expired'],
  ] as const)('revokes with %s and the detail', (reason, detail) => {
    // Act
    const transition = revokeForStanding({
      request: datasetGrant(),
      standing: { reason, detail },
      actor: SWEEP_ACTOR,
      policy,
      now: later('P1D', GRANTED_AT),
    });

    // Assess
    expect(transition?.request).toMatchObject({ status: 'REVOKED', reason, closedBy: 'sweep' });
    expect(transition?.event).toMatchObject({ action: 'GRANT_REVOKED', reason, details: { detail } });
  });

  it('does nothing to a grant that already ended (a race lost to another writer)', () => {
    // Assess
    expect(
      revokeForStanding({
        request: { ...datasetGrant(), status: 'EXPIRED' },
        standing: { reason: 'CLEARANCE_LAPSED', detail: 'x' },
        actor: SWEEP_ACTOR,
        policy,
        now: GRANTED_AT,
      }),
    ).toBeUndefined();
  });
});

describe('seat reconciliation', () => {
  const holder = (requestId: string, organisation: string) => ({
    requestId,
    principalId: `p-${requestId}`,
    organisation,
    takenAt: GRANTED_AT,
  });

  it('agrees when the counters equal the holders', () => {
    // Assess
    expect(
      correctedSeats({ total: 2, byOrganisation: { Acme: 1, Globex: 1 } }, [
        holder('a', 'Acme'),
        holder('b', 'Globex'),
      ]),
    ).toBeUndefined();
  });

  it('corrects a total and organisation counters that drifted, and says by how much', () => {
    // Prepare
    const recorded = { total: 4, byOrganisation: { Acme: 3, Globex: 1 } };
    const holders = [holder('a', 'Acme'), holder('b', 'Initech')];

    // Act
    const corrected = correctedSeats(recorded, holders);

    // Assess
    expect(corrected).toEqual({ total: 2, byOrganisation: { Acme: 1, Globex: 0, Initech: 1 } });
    expect(corrected && seatDrift(recorded, corrected)).toBe(2);
    expect(corrected && seatsReconciledEvent(recorded, corrected, holders, GRANTED_AT)).toMatchObject({
      action: 'SEATS_RECONCILED',
      actor: SWEEP_ACTOR,
      reason: 'SEAT_COUNTER_DRIFT',
      details: {
        recorded: 4,
        actual: 2,
        drift: 2,
        organisations: ['Acme: 3 -> 1', 'Globex: 1 -> 0', 'Initech: 0 -> 1'],
        holders: ['a', 'b'],
      },
    });
  });
});
