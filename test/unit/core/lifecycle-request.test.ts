// Unit tests for the request half of the lifecycle: submission, the courtesy cap check, decisions, cancel,
// timeout and rejection, each with its audit event and side effects.
import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, ValidationError } from '../../../lambdas/core/errors.ts';
import {
  assertPending,
  assertSeatLikelyAvailable,
  cancelRequest,
  countsAgainstCap,
  decideRequest,
  REASONS,
  rejectRequest,
  submitRequest,
  timeOutRequest,
  underPolicyVersion,
} from '../../../lambdas/core/lifecycle.ts';
import type { AccessRequest, DecisionChannel, Principal } from '../../../lambdas/core/model.ts';
import type { Policy } from '../../../lambdas/core/policy.ts';
import {
  activeRequest,
  approvedBy,
  catalogue,
  clearance,
  datasets,
  JUSTIFICATION,
  later,
  NOW,
  pendingRequest,
  people,
  policy,
  policyWith,
  scopeOf,
  submission,
  thrownBy,
  VENDOR_A,
  VENDOR_B,
} from '../../support/fixtures.ts';

const identifiable = scopeOf(datasets.hesIdentifiable);
const pseudonymised = scopeOf(datasets.gpPseudonymised);
const DECIDED_AT = later('PT1H');

function submit(
  requester: Principal,
  overrides: Parameters<typeof submission>[0] = {},
  rules: Policy = policy,
) {
  return submitRequest({
    id: 'req-1',
    input: submission(overrides),
    requester,
    catalogue,
    policy: rules,
    now: NOW,
  });
}

function submitRefusal(
  requester: Principal,
  overrides: Parameters<typeof submission>[0],
  rules: Policy = policy,
) {
  return thrownBy(() => submit(requester, overrides, rules));
}

function decide(
  request: AccessRequest,
  approver: Principal,
  decision: 'approve' | 'deny' = 'approve',
  options: { comment?: string; channel?: DecisionChannel; now?: string } = {},
) {
  return decideRequest({
    request,
    approver,
    decision,
    comment: options.comment,
    channel: options.channel ?? 'api',
    policy,
    now: options.now ?? DECIDED_AT,
  });
}

describe('submitRequest', () => {
  it('creates a pending external admin request needing two approvals and taking the admin lock', () => {
    // Act
    const transition = submit(people.externalScA, { ticket: '  INC-1234  ' });

    // Assess
    expect(transition.expectedStatus).toBeUndefined();
    expect(transition.request).toEqual({
      id: 'req-1',
      requester: 'xena.sc',
      requesterOrganisation: VENDOR_A,
      external: true,
      scopes: ['admin'],
      duration: 'PT8H',
      justification: JUSTIFICATION,
      ticket: 'INC-1234',
      createdAt: NOW,
      status: 'PENDING_APPROVAL',
      approvalsRequired: 2,
      approvals: [],
      approvalDeadline: '2026-12-04T09:00:00.000Z',
      countsAgainstCap: true,
    });
    expect(transition.event).toEqual({
      action: 'REQUEST_SUBMITTED',
      actor: { type: 'principal', id: 'xena.sc' },
      at: NOW,
      subject: { requestId: 'req-1', principalId: 'xena.sc', scopes: ['admin'] },
      outcome: 'success',
      details: { duration: 'PT8H', approvalsRequired: 2, external: true },
    });
    expect(transition.adminLock).toBe('take');
    expect(transition.seat).toBeUndefined();
    expect(transition.grants).toBeUndefined();
  });

  it('creates a home admin request needing one approval that does not count against the cap', () => {
    // Act
    const transition = submit(people.manager);

    // Assess
    expect(transition.request).toMatchObject({
      external: false,
      requesterOrganisation: 'NHSE',
      approvalsRequired: 1,
      countsAgainstCap: false,
    });
    expect(transition.event.details).toEqual({ duration: 'PT8H', approvalsRequired: 1, external: false });
    expect(transition.adminLock).toBe('take');
  });

  it('creates an external dataset request needing one approval, no cap seat and no admin lock', () => {
    // Act
    const transition = submit(people.externalScB, {
      scopes: [identifiable, pseudonymised],
      duration: 'P30D',
    });

    // Assess
    expect(transition.request).toMatchObject({
      external: true,
      scopes: [identifiable, pseudonymised],
      approvalsRequired: 1,
      countsAgainstCap: false,
      duration: 'P30D',
    });
    expect(transition.adminLock).toBeUndefined();
  });

  it('sets the approval deadline from the policy approval timeout', () => {
    // Act
    const transition = submit(people.externalScA, {}, policyWith({ approvalTimeout: 'PT30M' }));

    // Assess
    expect(transition.request.approvalDeadline).toBe('2026-12-01T09:30:00.000Z');
  });

  it('stores the justification trimmed and drops a blank ticket', () => {
    // Act
    const transition = submit(people.externalScA, { justification: `  ${JUSTIFICATION}\n`, ticket: '   ' });

    // Assess
    expect(transition.request.justification).toBe(JUSTIFICATION);
    expect(transition.request.ticket).toBeUndefined();
  });

  it('lets an uncleared external ask for pseudonymised data', () => {
    // Act
    const transition = submit(people.externalUncleared, { scopes: [pseudonymised] });

    // Assess
    expect(transition.request.status).toBe('PENDING_APPROVAL');
  });

  it.each([
    [['admin', identifiable], 'scopes'],
    [['dataset:unknown'], 'scopes'],
    [[], 'scopes'],
  ])('refuses the scopes %j', (scopes, field) => {
    // Act
    const error = submitRefusal(people.externalScA, { scopes });

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', field });
  });

  it('refuses more scopes than the policy allows', () => {
    // Act
    const error = submitRefusal(
      people.externalScA,
      { scopes: [identifiable, pseudonymised] },
      policyWith({ maxScopesPerRequest: 1 }),
    );

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: 'scopes', message: 'scopes may name at most 1 scopes' });
  });

  it.each(['8h', 'P1M', 'P0D', ''])('refuses the duration %j', (duration) => {
    // Act
    const error = submitRefusal(people.externalScA, { duration });

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'duration' });
  });

  it('refuses a duration under the policy minimum and accepts the minimum itself', () => {
    // Act
    const error = submitRefusal(people.externalScA, { duration: 'PT14M' });
    const atMinimum = submit(people.externalScA, { duration: 'PT15M' });

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: 'duration', message: 'duration must be at least PT15M' });
    expect(atMinimum.request.duration).toBe('PT15M');
  });

  it('caps admin at P7D', () => {
    // Act
    const error = submitRefusal(people.externalScA, { duration: 'P7DT1S' });
    const atMaximum = submit(people.externalScA, { duration: 'P7D' });

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: 'duration', message: 'duration for admin is at most P7D' });
    expect(atMaximum.request.duration).toBe('P7D');
  });

  it('caps datasets at P90D, which is longer than the admin maximum', () => {
    // Act
    const error = submitRefusal(people.externalScA, { scopes: [identifiable], duration: 'P91D' });
    const atMaximum = submit(people.externalScA, { scopes: [identifiable], duration: 'P90D' });

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: 'duration', message: 'duration for datasets is at most P90D' });
    expect(atMaximum.request.duration).toBe('P90D');
  });

  it('counts the justification length after trimming', () => {
    // Prepare
    const nineteen = 'x'.repeat(19);

    // Act
    const error = submitRefusal(people.externalScA, { justification: `    ${nineteen}    ` });
    const twenty = submit(people.externalScA, { justification: ` ${nineteen}y ` });

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'justification',
      message: 'justification must be at least 20 characters',
    });
    expect(twenty.request.justification).toBe(`${nineteen}y`);
  });

  it('asks for a ticket when the policy requires one', () => {
    // Prepare
    const rules = policyWith({ requireTicket: true });

    // Act
    const missing = submitRefusal(people.externalScA, {}, rules);
    const blank = submitRefusal(people.externalScA, { ticket: '  ' }, rules);
    const given = submit(people.externalScA, { ticket: 'CHG-42' }, rules);

    // Assess
    expect(missing).toBeInstanceOf(ValidationError);
    expect(missing).toMatchObject({ field: 'ticket', message: 'ticket is required by policy' });
    expect(blank).toMatchObject({ field: 'ticket' });
    expect(given.request.ticket).toBe('CHG-42');
  });

  it.each<[string, Principal, string]>([
    ['inactive', { ...people.externalScA, active: false }, 'PRINCIPAL_INACTIVE'],
    ['uncleared', people.externalUncleared, 'CLEARANCE_MISSING'],
    ['lapsed', people.externalLapsed, 'CLEARANCE_EXPIRED'],
    ['BPSS only', people.externalBpssB, 'CLEARANCE_INSUFFICIENT'],
    ['BPSS home staff', people.homeStaffBpss, 'CLEARANCE_INSUFFICIENT'],
  ])('refuses an admin request from a requester who is %s', (_label, requester, code) => {
    // Act
    const error = submitRefusal(requester, {});

    // Assess
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({ code, kind: 'forbidden' });
  });

  it('refuses when the clearance lapses before a grant starting now would end', () => {
    // Prepare
    const lapsesTomorrow = { ...people.externalScA, clearance: clearance('SC', later('P1D')) };

    // Act
    const error = submitRefusal(lapsesTomorrow, { duration: 'P2D' });
    const shorter = submit(lapsesTomorrow, { duration: 'PT8H' });

    // Assess
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({ code: 'CLEARANCE_EXPIRES_BEFORE_GRANT_END' });
    expect(shorter.request.status).toBe('PENDING_APPROVAL');
  });
});

describe('countsAgainstCap', () => {
  it('is true only for external admin', () => {
    // Assess
    expect(countsAgainstCap({ external: true, scopes: ['admin'] })).toBe(true);
    expect(countsAgainstCap({ external: false, scopes: ['admin'] })).toBe(false);
    expect(countsAgainstCap({ external: true, scopes: [identifiable] })).toBe(false);
  });
});

describe('assertSeatLikelyAvailable', () => {
  const externalAdmin = pendingRequest(people.externalScA);

  it('passes while a seat is free', () => {
    // Act
    const act = () =>
      assertSeatLikelyAvailable(externalAdmin, { total: 4, byOrganisation: { [VENDOR_A]: 4 } }, policy);

    // Assess
    expect(act).not.toThrow();
  });

  it('refuses with CAP_REACHED when every external admin seat is taken', () => {
    // Act
    const error = thrownBy(() =>
      assertSeatLikelyAvailable(externalAdmin, { total: 5, byOrganisation: {} }, policy),
    );

    // Assess
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({
      code: 'CAP_REACHED',
      kind: 'conflict',
      message: 'all 5 external admin seats are in use; try again when one is released',
    });
  });

  it("refuses with CAP_REACHED when the requester's organisation has used its own cap", () => {
    // Prepare
    const rules = policyWith({ organisationAdminCaps: { [VENDOR_A]: 2 } });

    // Act
    const error = thrownBy(() =>
      assertSeatLikelyAvailable(externalAdmin, { total: 2, byOrganisation: { [VENDOR_A]: 2 } }, rules),
    );

    // Assess
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({
      code: 'CAP_REACHED',
      message: `all 2 external admin seats of ${VENDOR_A} are in use`,
    });
  });

  it("ignores other organisations' sub-caps and usage", () => {
    // Prepare
    const rules = policyWith({ organisationAdminCaps: { [VENDOR_B]: 1 } });

    // Act
    const act = () =>
      assertSeatLikelyAvailable(externalAdmin, { total: 1, byOrganisation: { [VENDOR_B]: 1 } }, rules);

    // Assess
    expect(act).not.toThrow();
  });

  it('never refuses a request that takes no seat', () => {
    // Prepare
    const homeAdmin = pendingRequest(people.manager);
    const externalDataset = pendingRequest(people.externalScB, { scopes: [identifiable] });
    const full = { total: 99, byOrganisation: { [VENDOR_B]: 99 } };

    // Assess
    expect(() => assertSeatLikelyAvailable(homeAdmin, full, policy)).not.toThrow();
    expect(() => assertSeatLikelyAvailable(externalDataset, full, policy)).not.toThrow();
  });
});

describe('assertPending', () => {
  it('passes until the deadline and refuses from the deadline on', () => {
    // Prepare
    const request = pendingRequest(people.externalScA);

    // Act
    const error = thrownBy(() => assertPending(request, request.approvalDeadline));

    // Assess
    expect(() => assertPending(request, later('PT71H59M'))).not.toThrow();
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'NOT_PENDING' });
  });
});

describe('decideRequest', () => {
  it('records the first of two approvals on an external admin request and stays pending', () => {
    // Prepare
    const request = pendingRequest(people.externalScA);

    // Act
    const transition = decide(request, people.homeDirector, 'approve', {
      comment: ' looks fine ',
      channel: 'email-link',
    });

    // Assess
    expect(transition.expectedStatus).toBe('PENDING_APPROVAL');
    expect(transition.request.status).toBe('PENDING_APPROVAL');
    expect(transition.request.approvals).toEqual([
      {
        approverId: 'dana.director',
        decision: 'approve',
        comment: 'looks fine',
        at: DECIDED_AT,
        channel: 'email-link',
      },
    ]);
    expect(transition.event).toEqual({
      action: 'APPROVAL_RECORDED',
      actor: { type: 'principal', id: 'dana.director' },
      at: DECIDED_AT,
      subject: { requestId: 'req-1', principalId: 'xena.sc', scopes: ['admin'] },
      outcome: 'success',
      reason: 'looks fine',
      details: { channel: 'email-link', approvals: 1, approvalsRequired: 2 },
    });
    expect(transition.adminLock).toBeUndefined();
    expect(transition.seat).toBeUndefined();
    expect(transition.grants).toBeUndefined();
  });

  it('approves an external admin request on the second distinct approval', () => {
    // Prepare
    const first = decide(pendingRequest(people.externalScA), people.homeDirector).request;

    // Act
    const transition = decide(first, people.executiveDirector, 'approve', { now: later('PT2H') });

    // Assess
    expect(transition.expectedStatus).toBe('PENDING_APPROVAL');
    expect(transition.request.status).toBe('APPROVED');
    expect(transition.request.approvals.map((entry) => [entry.approverId, entry.decision])).toEqual([
      ['dana.director', 'approve'],
      ['eve.exec', 'approve'],
    ]);
    expect(transition.event).toMatchObject({
      action: 'REQUEST_APPROVED',
      actor: { type: 'principal', id: 'eve.exec' },
      at: later('PT2H'),
      outcome: 'success',
      details: { channel: 'api', approvals: 2, approvalsRequired: 2 },
    });
    expect(transition.event.reason).toBeUndefined();
    expect(transition.adminLock).toBeUndefined();
    expect(transition.seat).toBeUndefined();
  });

  it('approves a one-approval request at once', () => {
    // Prepare
    const request = pendingRequest(people.externalScB, { scopes: [identifiable] });

    // Act
    const transition = decide(request, people.homeDirector);

    // Assess
    expect(transition.request.status).toBe('APPROVED');
    expect(transition.event.action).toBe('REQUEST_APPROVED');
    expect(transition.event.details).toEqual({ channel: 'api', approvals: 1, approvalsRequired: 1 });
  });

  it('refuses the same approver twice with ALREADY_DECIDED', () => {
    // Prepare
    const first = decide(pendingRequest(people.externalScA), people.homeDirector).request;

    // Act
    const again = thrownBy(() => decide(first, people.homeDirector));
    const denyAfterApprove = thrownBy(() => decide(first, people.homeDirector, 'deny'));

    // Assess
    expect(again).toBeInstanceOf(ConflictError);
    expect(again).toMatchObject({
      code: 'ALREADY_DECIDED',
      message: 'dana.director has already decided request req-1',
    });
    expect(denyAfterApprove).toMatchObject({ code: 'ALREADY_DECIDED' });
  });

  it('denies on one deny, even after an approval, and releases the admin lock', () => {
    // Prepare
    const first = decide(pendingRequest(people.externalScA), people.homeDirector).request;

    // Act
    const transition = decide(first, people.executiveDirector, 'deny', {
      comment: 'No ticket for this work',
      channel: 'email-link',
    });

    // Assess
    expect(transition.expectedStatus).toBe('PENDING_APPROVAL');
    expect(transition.request).toMatchObject({
      status: 'DENIED',
      reason: 'No ticket for this work',
      closedBy: 'eve.exec',
      closedAt: DECIDED_AT,
    });
    expect(transition.request.approvals).toHaveLength(2);
    expect(transition.event).toEqual({
      action: 'REQUEST_DENIED',
      actor: { type: 'principal', id: 'eve.exec' },
      at: DECIDED_AT,
      subject: { requestId: 'req-1', principalId: 'xena.sc', scopes: ['admin'] },
      outcome: 'success',
      reason: 'No ticket for this work',
      details: { channel: 'email-link' },
    });
    expect(transition.adminLock).toBe('release');
    expect(transition.seat).toBeUndefined();
    expect(transition.grants).toBeUndefined();
  });

  it('denies a dataset request without touching the admin lock', () => {
    // Prepare
    const request = pendingRequest(people.externalScB, { scopes: [identifiable] });

    // Act
    const transition = decide(request, people.homeDirector, 'deny', {
      comment: 'Use the pseudonymised extract',
    });

    // Assess
    expect(transition.request.status).toBe('DENIED');
    expect(transition.adminLock).toBeUndefined();
  });

  it('accepts a bare deny through the API, with no reason', () => {
    // Act
    const transition = decide(pendingRequest(people.externalScA), people.homeDirector, 'deny', {
      comment: '  ',
    });

    // Assess
    expect(transition.request.status).toBe('DENIED');
    expect(transition.request.reason).toBeUndefined();
    expect(transition.event.reason).toBeUndefined();
  });

  it.each<DecisionChannel>(['email-link', 'slack', 'email-reply'])(
    'asks for a comment on a deny through %s',
    (channel) => {
      // Act
      const error = thrownBy(() =>
        decide(pendingRequest(people.externalScA), people.homeDirector, 'deny', { channel, comment: ' ' }),
      );

      // Assess
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({
        code: 'VALIDATION_FAILED',
        field: 'comment',
        message: 'a deny needs a comment saying why',
      });
    },
  );

  it('refuses a decision at or after the approval deadline with NOT_PENDING', () => {
    // Prepare
    const request = pendingRequest(people.externalScA);

    // Act
    const atDeadline = thrownBy(() =>
      decide(request, people.homeDirector, 'approve', { now: request.approvalDeadline }),
    );
    const afterDeadline = thrownBy(() =>
      decide(request, people.homeDirector, 'deny', { now: later('PT73H') }),
    );

    // Assess
    expect(atDeadline).toBeInstanceOf(ConflictError);
    expect(atDeadline).toMatchObject({
      code: 'NOT_PENDING',
      message: 'the approval window of request req-1 closed at 2026-12-04T09:00:00.000Z',
    });
    expect(afterDeadline).toMatchObject({ code: 'NOT_PENDING' });
  });

  it('refuses a decision on a request that is no longer pending with NOT_PENDING', () => {
    // Prepare
    const approved = approvedBy(pendingRequest(people.externalScB, { scopes: [identifiable] }), [
      people.homeDirector,
    ]);

    // Act
    const error = thrownBy(() => decide(approved, people.executiveDirector));

    // Assess
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({
      code: 'NOT_PENDING',
      message: 'request req-1 was already decided: it is now APPROVED; nothing is awaiting a decision',
    });
  });

  it('refuses the requester deciding their own request with SELF_APPROVAL', () => {
    // Prepare
    const request = pendingRequest(people.homeDirector);

    // Act
    const error = thrownBy(() => decide(request, people.homeDirector));

    // Assess
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({ code: 'SELF_APPROVAL' });
  });

  it.each<[string, Principal]>([
    ['a manager', people.manager],
    ['an external director', people.externalDirector],
    ['an inactive director', { ...people.homeDirector, active: false }],
    [
      'a director whose clearance lapsed',
      { ...people.homeDirector, clearance: clearance('SC', later('PT30M')) },
    ],
    ['an access-admin', people.accessAdmin],
  ])('refuses %s with NOT_ELIGIBLE_APPROVER', (_label, approver) => {
    // Act
    const error = thrownBy(() => decide(pendingRequest(people.externalScA), approver));

    // Assess
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({ code: 'NOT_ELIGIBLE_APPROVER' });
  });
});

describe('cancelRequest', () => {
  it('lets the requester cancel a pending admin request, releasing the admin lock', () => {
    // Prepare
    const request = pendingRequest(people.externalScA);

    // Act
    const transition = cancelRequest(request, people.externalScA, DECIDED_AT);

    // Assess
    expect(transition.expectedStatus).toBe('PENDING_APPROVAL');
    expect(transition.request).toMatchObject({
      status: 'CANCELLED',
      reason: 'CANCELLED_BY_REQUESTER',
      closedBy: 'xena.sc',
      closedAt: DECIDED_AT,
    });
    expect(transition.event).toMatchObject({
      action: 'REQUEST_CANCELLED',
      actor: { type: 'principal', id: 'xena.sc' },
      at: DECIDED_AT,
      subject: { requestId: 'req-1', principalId: 'xena.sc', scopes: ['admin'] },
      outcome: 'success',
    });
    expect(transition.adminLock).toBe('release');
    expect(transition.seat).toBeUndefined();
    expect(transition.grants).toBeUndefined();
  });

  it('cancels a half-approved request too', () => {
    // Prepare
    const halfApproved = approvedBy(pendingRequest(people.externalScA), [people.homeDirector]);

    // Act
    const transition = cancelRequest(halfApproved, people.externalScA, DECIDED_AT);

    // Assess
    expect(transition.request.status).toBe('CANCELLED');
  });

  it('cancels a dataset request without touching the admin lock', () => {
    // Act
    const transition = cancelRequest(
      pendingRequest(people.externalScB, { scopes: [identifiable] }),
      people.externalScB,
      DECIDED_AT,
    );

    // Assess
    expect(transition.adminLock).toBeUndefined();
  });

  it('refuses anyone but the requester with NOT_REQUESTER', () => {
    // Act
    const error = thrownBy(() =>
      cancelRequest(pendingRequest(people.externalScA), people.accessAdmin, DECIDED_AT),
    );

    // Assess
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({
      code: 'NOT_REQUESTER',
      message: 'only the requester can cancel a request',
    });
  });

  it('refuses a request that is no longer pending with NOT_PENDING', () => {
    // Prepare
    const active = activeRequest(people.externalScA);

    // Act
    const error = thrownBy(() => cancelRequest(active, people.externalScA, later('PT3H')));

    // Assess
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({
      code: 'NOT_PENDING',
      message: 'request req-1 is ACTIVE; only pending requests can be cancelled',
    });
  });
});

describe('underPolicyVersion', () => {
  it('records the version on submission and on decisions, and leaves other steps as they were', () => {
    // Prepare
    const submitted = submit(people.externalScA, { scopes: ['admin'] });
    const halfApproved = approvedBy(pendingRequest(people.externalScA), [people.homeDirector]);
    const timedOut = timeOutRequest({ ...halfApproved, policyVersion: 2 }, halfApproved.approvalDeadline);

    // Act
    const stamped = underPolicyVersion(submitted, 3);
    const untouched = timedOut && underPolicyVersion(timedOut, 3);

    // Assess
    expect(stamped.request.policyVersion).toBe(3);
    expect(stamped.event).toEqual(submitted.event);
    expect(untouched?.request.policyVersion).toBe(2);
    expect(submitted.request.policyVersion).toBeUndefined();
  });
});

describe('timeOutRequest', () => {
  it('times out a pending admin request, recorded by the workflow, releasing the admin lock', () => {
    // Prepare
    const halfApproved = approvedBy(pendingRequest(people.externalScA), [people.homeDirector]);
    const at = halfApproved.approvalDeadline;

    // Act
    const transition = timeOutRequest(halfApproved, at);

    // Assess
    expect(transition?.expectedStatus).toBe('PENDING_APPROVAL');
    expect(transition?.request).toMatchObject({
      status: 'TIMED_OUT',
      reason: 'APPROVAL_TIMEOUT',
      closedAt: at,
    });
    expect(transition?.request.closedBy).toBeUndefined();
    expect(transition?.event).toEqual({
      action: 'REQUEST_TIMED_OUT',
      actor: { type: 'system', id: 'workflow' },
      at,
      subject: { requestId: 'req-1', principalId: 'xena.sc', scopes: ['admin'] },
      outcome: 'success',
      reason: REASONS.approvalTimeout,
      details: { approvals: 1, approvalsRequired: 2 },
    });
    expect(transition?.adminLock).toBe('release');
    expect(transition?.seat).toBeUndefined();
  });

  it('does not touch the admin lock of a dataset request', () => {
    // Act
    const transition = timeOutRequest(
      pendingRequest(people.externalScB, { scopes: [identifiable] }),
      later('PT72H'),
    );

    // Assess
    expect(transition?.request.status).toBe('TIMED_OUT');
    expect(transition?.adminLock).toBeUndefined();
  });

  it('is a no-op once the request is no longer pending', () => {
    // Prepare
    const request = pendingRequest(people.externalScB, { scopes: [identifiable] });
    const approved = approvedBy(request, [people.homeDirector]);
    const denied = decide(request, people.homeDirector, 'deny').request;
    const cancelled = cancelRequest(request, people.externalScB, DECIDED_AT).request;

    // Assess
    expect(timeOutRequest(approved, later('PT72H'))).toBeUndefined();
    expect(timeOutRequest(denied, later('PT72H'))).toBeUndefined();
    expect(timeOutRequest(cancelled, later('PT72H'))).toBeUndefined();
  });
});

describe('rejectRequest', () => {
  it('rejects an approved external admin request when the cap is full, releasing the admin lock', () => {
    // Prepare
    const approved = approvedBy(pendingRequest(people.externalScA), [
      people.homeDirector,
      people.executiveDirector,
    ]);

    // Act
    const transition = rejectRequest(
      approved,
      REASONS.capReached,
      'all 5 external admin seats are in use',
      later('PT2H'),
    );

    // Assess
    expect(transition.expectedStatus).toBe('APPROVED');
    expect(transition.request).toMatchObject({
      status: 'REJECTED',
      reason: 'CAP_REACHED',
      closedAt: later('PT2H'),
    });
    expect(transition.request.grant).toBeUndefined();
    expect(transition.event).toEqual({
      action: 'REQUEST_REJECTED',
      actor: { type: 'system', id: 'workflow' },
      at: later('PT2H'),
      subject: { requestId: 'req-1', principalId: 'xena.sc', scopes: ['admin'] },
      outcome: 'refused',
      reason: 'CAP_REACHED',
      details: { detail: 'all 5 external admin seats are in use' },
    });
    expect(transition.adminLock).toBe('release');
    expect(transition.seat).toBeUndefined();
    expect(transition.grants).toBeUndefined();
  });

  it('rejects a pending request whose requester is no longer eligible', () => {
    // Prepare
    const request = pendingRequest(people.externalScB, { scopes: [identifiable] });

    // Act
    const transition = rejectRequest(request, 'CLEARANCE_EXPIRED', 'clearance lapsed', DECIDED_AT);

    // Assess
    expect(transition.expectedStatus).toBe('PENDING_APPROVAL');
    expect(transition.request.status).toBe('REJECTED');
    expect(transition.adminLock).toBeUndefined();
  });

  it('refuses a request that already ended or is active with NOT_PENDING', () => {
    // Prepare
    const active = activeRequest(people.externalScA);
    const denied = decide(pendingRequest(people.externalScA), people.homeDirector, 'deny').request;

    // Act
    const fromActive = thrownBy(() => rejectRequest(active, REASONS.capReached, 'full', later('PT3H')));
    const fromDenied = thrownBy(() => rejectRequest(denied, REASONS.capReached, 'full', later('PT3H')));

    // Assess
    expect(fromActive).toBeInstanceOf(ConflictError);
    expect(fromActive).toMatchObject({ code: 'NOT_PENDING', message: 'request req-1 is ACTIVE' });
    expect(fromDenied).toMatchObject({ code: 'NOT_PENDING', message: 'request req-1 is DENIED' });
  });
});
