// Unit tests for break-glass: who may, what it becomes, the cap and extension rules, distinct-director reviews,
// the review window closing, and the suspension it costs.
import { describe, expect, it } from 'vitest';
import {
  assertBreakGlassAllowed,
  closeUnreviewedBreakGlass,
  reviewBreakGlass,
  submitBreakGlass,
  suspendBreakGlass,
  suspensionFor,
} from '../../../lambdas/core/break-glass.ts';
import {
  CapReachedError,
  ConflictError,
  ForbiddenError,
  ValidationError,
} from '../../../lambdas/core/errors.ts';
import { requestExtension } from '../../../lambdas/core/extension.ts';
import { assertSeatLikelyAvailable, grantAccess } from '../../../lambdas/core/lifecycle.ts';
import type { AccessRequest, Principal } from '../../../lambdas/core/model.ts';
import { PolicyError } from '../../../lambdas/core/policy.ts';
import { dueAction, SWEEP_ACTOR, sweepDueAt } from '../../../lambdas/core/sweep.ts';
import {
  catalogue,
  later,
  NOW,
  people,
  policy,
  policyWith,
  submission,
  thrownBy,
  VENDOR_A,
} from '../../support/fixtures.ts';

const BREAK_GLASS = {
  eligible: ['xena.sc', `organisation:${VENDOR_A}-never`, 'role:auditor'],
  scopes: ['admin', 'dataset:*'],
  maxDuration: 'PT1H',
  reviewWithin: 'PT24H',
  reviewersRequired: 2,
};
const withBreakGlass = policyWith({ breakGlass: BREAK_GLASS });

function breakGlassSubmission(requester: Principal = people.externalScA, overrides = {}) {
  return submitBreakGlass({
    id: 'req-bg',
    input: submission({ duration: 'PT1H', ...overrides }),
    requester,
    catalogue,
    policy: withBreakGlass,
    now: NOW,
  });
}

function grantedBreakGlass(): AccessRequest {
  return grantAccess(breakGlassSubmission().request, withBreakGlass, NOW).request;
}

function review(
  request: AccessRequest,
  reviewer: Principal,
  verdict: 'justified' | 'not-justified',
  at = later('PT2H'),
) {
  return reviewBreakGlass({
    request,
    reviewer,
    verdict,
    comment: 'The feed was down',
    policy: withBreakGlass,
    now: at,
  });
}

describe('break-glass policy', () => {
  it('is off by default and refuses with BREAK_GLASS_OFF', () => {
    // Act
    const error = thrownBy(() => assertBreakGlassAllowed(people.externalScA, submission(), policy));
    // Assess
    expect(policy.breakGlass).toBeNull();
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({ code: 'BREAK_GLASS_OFF' });
  });

  it('names a bad key of the breakGlass block', () => {
    // Act
    const error = thrownBy(() => policyWith({ breakGlass: { ...BREAK_GLASS, reviewersRequired: 0 } }));
    // Assess
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as Error).message).toContain('breakGlass.reviewersRequired');
  });
});

describe('submitBreakGlass', () => {
  it('makes an eligible principal APPROVED at once, with no approver and an open 24-hour review', () => {
    // Act
    const transition = breakGlassSubmission();
    // Assess
    expect(transition.request).toMatchObject({
      status: 'APPROVED',
      approvalsRequired: 0,
      approvals: [],
      countsAgainstCap: true,
      breakGlass: { reviewDeadline: later('PT24H'), reviewersRequired: 2, reviews: [], outcome: 'OPEN' },
    });
    expect(transition.event).toMatchObject({ action: 'REQUEST_SUBMITTED', details: { breakGlass: true } });
    expect(transition.adminLock).toBe('take');
  });

  it('names eligibility by role too', () => {
    // Act
    const transition = breakGlassSubmission(people.auditor);
    // Assess
    expect(transition.request.status).toBe('APPROVED');
  });

  it('refuses a principal the policy does not name', () => {
    // Act
    const error = thrownBy(() => breakGlassSubmission(people.externalScB));
    // Assess
    expect(error).toMatchObject({ code: 'BREAK_GLASS_NOT_ELIGIBLE', kind: 'forbidden' });
  });

  it('refuses a suspended principal until restored, naming the request that cost it', () => {
    // Prepare
    const suspended: Principal = {
      ...people.externalScA,
      breakGlassSuspended: { at: NOW, requestId: 'req-old', reason: 'UNREVIEWED' },
    };
    // Act
    const error = thrownBy(() => breakGlassSubmission(suspended));
    // Assess
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({ code: 'BREAK_GLASS_SUSPENDED' });
    expect((error as Error).message).toContain('req-old');
  });

  it('keeps the clearance rules: a lapsed clearance is refused', () => {
    // Prepare
    const lapsed: Principal = { ...people.externalLapsed, id: 'xena.sc' };
    // Act
    const error = thrownBy(() => breakGlassSubmission(lapsed));
    // Assess
    expect(error).toMatchObject({ code: 'CLEARANCE_EXPIRED' });
  });

  it('refuses a duration over breakGlass.maxDuration, naming the field', () => {
    // Act
    const error = thrownBy(() => breakGlassSubmission(people.externalScA, { duration: 'PT2H' }));
    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: 'duration' });
  });

  it('refuses a scope the policy does not allow for break-glass', () => {
    // Prepare
    const adminOnly = policyWith({ breakGlass: { ...BREAK_GLASS, scopes: ['admin'] } });
    // Act
    const error = thrownBy(() =>
      assertBreakGlassAllowed(people.externalScA, submission({ scopes: ['dataset:hes-apc'] }), adminOnly),
    );
    // Assess
    expect(error).toMatchObject({ field: 'scopes' });
  });

  it('still counts against a full cap: the courtesy check refuses, the grant takes a seat', () => {
    // Prepare
    const request = breakGlassSubmission().request;
    // Act
    const error = thrownBy(() =>
      assertSeatLikelyAvailable(request, { total: 5, byOrganisation: {} }, withBreakGlass),
    );
    const grant = grantAccess(request, withBreakGlass, NOW);
    // Assess
    expect(error).toBeInstanceOf(CapReachedError);
    expect(grant.seat).toMatchObject({ op: 'take', organisation: VENDOR_A, cap: 5 });
    expect(grant.event.details).toMatchObject({ breakGlass: true, approvedBy: [] });
  });
});

describe('break-glass grants', () => {
  it('cannot be extended', () => {
    // Act
    const error = thrownBy(() =>
      requestExtension({
        request: grantedBreakGlass(),
        holder: people.externalScA,
        input: { duration: 'PT30M', justification: 'Still restoring the admissions feed' },
        catalogue,
        policy: withBreakGlass,
        now: later('PT10M'),
      }),
    );
    // Assess
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'BREAK_GLASS_NOT_EXTENSIBLE' });
  });
});

describe('reviewBreakGlass', () => {
  it('needs two distinct directors: one justified leaves it open, the second settles JUSTIFIED', () => {
    // Act
    const first = review(grantedBreakGlass(), people.homeDirector, 'justified');
    const again = thrownBy(() => review(first.request, people.homeDirector, 'justified'));
    const second = review(first.request, people.executiveDirector, 'justified');
    // Assess
    expect(first.event.action).toBe('BREAK_GLASS_REVIEW_RECORDED');
    expect(first.request.breakGlass?.outcome).toBe('OPEN');
    expect(again).toMatchObject({ code: 'ALREADY_DECIDED' });
    expect(second.event.action).toBe('BREAK_GLASS_JUSTIFIED');
    expect(second.request.breakGlass).toMatchObject({ outcome: 'JUSTIFIED', settledAt: later('PT2H') });
    expect(suspensionFor(second.request)).toBeUndefined();
    expect(sweepDueAt({ ...second.request, status: 'EXPIRED' })).toBeUndefined();
  });

  it('settles NOT_JUSTIFIED on one such verdict, which suspends the holder', () => {
    // Act
    const verdict = review(grantedBreakGlass(), people.homeDirector, 'not-justified');
    // Assess
    expect(verdict.event).toMatchObject({ action: 'BREAK_GLASS_NOT_JUSTIFIED', reason: 'NOT_JUSTIFIED' });
    expect(suspensionFor(verdict.request)).toEqual({
      at: later('PT2H'),
      requestId: 'req-bg',
      reason: 'NOT_JUSTIFIED',
    });
  });

  it('refuses the holder, a non-director, a missing comment and a closed window', () => {
    // Prepare
    const granted = grantedBreakGlass();
    // Act
    const self = thrownBy(() => review(granted, people.externalScA, 'justified'));
    const manager = thrownBy(() => review(granted, people.manager, 'justified'));
    const silent = thrownBy(() =>
      reviewBreakGlass({
        request: granted,
        reviewer: people.homeDirector,
        verdict: 'justified',
        comment: '  ',
        policy: withBreakGlass,
        now: later('PT1H'),
      }),
    );
    const late = thrownBy(() => review(granted, people.homeDirector, 'justified', later('PT25H')));
    // Assess
    expect(self).toMatchObject({ code: 'SELF_REVIEW' });
    expect(manager).toMatchObject({ code: 'NOT_ELIGIBLE_APPROVER' });
    expect(silent).toMatchObject({ field: 'comment' });
    expect(late).toMatchObject({ code: 'BREAK_GLASS_REVIEW_CLOSED' });
  });

  it('refuses a request that was not break-glass with 409', () => {
    // Prepare
    const { breakGlass: _none, ...ordinary } = grantedBreakGlass();
    // Act
    const error = thrownBy(() => review(ordinary, people.homeDirector, 'justified'));
    // Assess
    expect(error).toMatchObject({ code: 'NOT_BREAK_GLASS', kind: 'conflict' });
  });
});

describe('the review window', () => {
  it('is due to the sweep at its deadline even after the grant ended, then UNREVIEWED', () => {
    // Prepare
    const expired: AccessRequest = {
      ...review(grantedBreakGlass(), people.homeDirector, 'justified').request,
      status: 'EXPIRED',
    };
    // Act
    const early = closeUnreviewedBreakGlass(expired, SWEEP_ACTOR, later('PT23H'));
    const closed = closeUnreviewedBreakGlass(expired, SWEEP_ACTOR, later('PT24H'));
    // Assess
    expect(sweepDueAt(expired)).toBe(later('PT24H'));
    expect(dueAction(expired, later('PT23H'))).toBeUndefined();
    expect(dueAction(expired, later('PT24H'))).toBe('break-glass-unreviewed');
    expect(early).toBeUndefined();
    expect(closed?.expectedStatus).toBe('EXPIRED');
    expect(closed?.event).toMatchObject({
      action: 'BREAK_GLASS_UNREVIEWED',
      actor: SWEEP_ACTOR,
      details: { justified: 1, reviewersRequired: 2 },
    });
    expect(closed && suspensionFor(closed.request)).toMatchObject({
      reason: 'UNREVIEWED',
      requestId: 'req-bg',
    });
  });

  it('suspends once: an already suspended holder is left alone (a retried sweep)', () => {
    // Prepare
    const suspension = { at: NOW, requestId: 'req-bg', reason: 'UNREVIEWED' } as const;
    // Act
    const first = suspendBreakGlass(people.externalScA, suspension, SWEEP_ACTOR);
    const retry = first && suspendBreakGlass(first.principal, suspension, SWEEP_ACTOR);
    // Assess
    expect(first?.principal.breakGlassSuspended).toEqual(suspension);
    expect(first?.event).toMatchObject({ action: 'PRINCIPAL_UPDATED', reason: 'UNREVIEWED' });
    expect(retry).toBeUndefined();
  });
});
