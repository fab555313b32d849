// Regression tests for core defects found while the unit tests were first written (policy cross-checks,
// clearance instants compared as times, withdrawn datasets failing closed, the cap error class).
import { describe, expect, it } from 'vitest';
import {
  approverRefusal,
  assertRequesterEligible,
  requiredClearance,
} from '../../../lambdas/core/eligibility.ts';
import { CapReachedError, ForbiddenError } from '../../../lambdas/core/errors.ts';
import { assertSeatLikelyAvailable } from '../../../lambdas/core/lifecycle.ts';
import { PolicyError, resolvePolicy } from '../../../lambdas/core/policy.ts';
import {
  catalogue,
  clearance,
  later,
  NOW,
  pendingRequest,
  people,
  policy,
  thrownBy,
} from '../../support/fixtures.ts';

describe('policy.ts: an invalid minDuration/maxDuration escapes as a ValidationError', () => {
  // superRefine calls parseDuration on values the field schema has already refused, so it throws a
  // ValidationError (field "duration") out of resolvePolicy instead of the PolicyError naming the key.
  it.each([
    [{ minDuration: 'fifteen minutes' }, '"minDuration" must be an ISO-8601 duration such as PT8H or P7D'],
    [
      { maxDuration: { admin: 'P1M' } },
      '"maxDuration.admin" must be an ISO-8601 duration such as PT8H or P7D',
    ],
    [
      { maxDuration: { dataset: '' } },
      '"maxDuration.dataset" must be an ISO-8601 duration such as PT8H or P7D',
    ],
  ])('refuses %j with a PolicyError naming the key', (override, expected) => {
    // Act
    const error = thrownBy(() => resolvePolicy(override));

    // Assess
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as Error).message).toContain(expected);
  });
});

describe('eligibility.ts: clearance expiry is compared as text, not as an instant', () => {
  // 10:00+02:00 is 08:00Z, an hour before NOW (09:00Z); as text it sorts after NOW.
  const lapsedAnHourAgo = '2026-12-01T10:00:00+02:00';

  it('refuses a requester whose clearance, written with an offset, has already lapsed', () => {
    // Prepare
    const requester = { ...people.externalScA, clearance: clearance('SC', lapsedAnHourAgo) };

    // Act
    const error = thrownBy(() =>
      assertRequesterEligible(requester, ['admin'], catalogue, later('PT15M'), policy, NOW),
    );

    // Assess
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({ code: 'CLEARANCE_EXPIRED' });
  });

  it('refuses a requester whose clearance, written with an offset, lapses before the grant ends', () => {
    // Prepare: 18:00+02:00 is 16:00Z; the grant would end at 17:00Z.
    const requester = { ...people.externalScA, clearance: clearance('SC', '2026-12-01T18:00:00+02:00') };

    // Act
    const error = thrownBy(() =>
      assertRequesterEligible(requester, ['admin'], catalogue, later('PT8H'), policy, NOW),
    );

    // Assess
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({ code: 'CLEARANCE_EXPIRES_BEFORE_GRANT_END' });
  });

  it('refuses an approver whose clearance, written with an offset, has already lapsed', () => {
    // Prepare
    const approver = { ...people.homeDirector, clearance: clearance('SC', lapsedAnHourAgo) };

    // Act
    const refusal = approverRefusal(approver, { requester: people.externalScA.id }, policy, NOW);

    // Assess
    expect(refusal).toEqual({
      code: 'NOT_ELIGIBLE_APPROVER',
      message: 'dana.director clearance has expired',
    });
  });
});

describe('eligibility.ts: a dataset missing from the catalogue needs no clearance (fails open)', () => {
  // requiredClearance treats any dataset it cannot find as non-identifiable. assertRequesterEligible is
  // re-run at grant time, when a dataset may have been withdrawn or the catalogue passed incompletely.
  it('asks the identifiable level for a dataset it does not know', () => {
    // Act
    const required = requiredClearance(['dataset:withdrawn'], catalogue, policy);

    // Assess
    expect(required).toBe('SC');
  });

  it('refuses an uncleared requester for a dataset it does not know', () => {
    // Act
    const error = thrownBy(() =>
      assertRequesterEligible(
        people.externalUncleared,
        ['dataset:withdrawn'],
        catalogue,
        later('PT8H'),
        policy,
        NOW,
      ),
    );

    // Assess
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({ code: 'CLEARANCE_MISSING' });
  });
});

describe('lifecycle.ts: the courtesy cap check throws a plain ConflictError', () => {
  // errors.ts has CapReachedError for exactly this and ports.ts says the store throws it; a caller that
  // catches CapReachedError would miss the courtesy check's refusal.
  it('throws CapReachedError when the global cap is full', () => {
    // Act
    const error = thrownBy(() =>
      assertSeatLikelyAvailable(pendingRequest(people.externalScA), { total: 5, byOrganisation: {} }, policy),
    );

    // Assess
    expect(error).toBeInstanceOf(CapReachedError);
  });
});
