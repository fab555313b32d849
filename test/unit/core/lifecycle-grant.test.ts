// Unit tests for the grant half of the lifecycle: activation with its cap seat, expiry, revocation and
// audit-only steps, each with its audit event and side effects.
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../../lambdas/core/audit.ts';
import { ConflictError, ValidationError } from '../../../lambdas/core/errors.ts';
import {
  expireGrant,
  grantAccess,
  recordOnRequest,
  revokeAuthority,
  revokeGrant,
  seatFor,
  timeOutRequest,
} from '../../../lambdas/core/lifecycle.ts';
import type { AccessRequest } from '../../../lambdas/core/model.ts';
import {
  activeRequest,
  approvedBy,
  datasets,
  later,
  pendingRequest,
  people,
  policy,
  policyWith,
  scopeOf,
  thrownBy,
  VENDOR_A,
} from '../../support/fixtures.ts';

const identifiable = scopeOf(datasets.hesIdentifiable);
const pseudonymised = scopeOf(datasets.gpPseudonymised);
const GRANTED_AT = later('PT2H');

function approvedExternalAdmin(duration = 'PT8H'): AccessRequest {
  return approvedBy(pendingRequest(people.externalScA, { duration }), [
    people.homeDirector,
    people.executiveDirector,
  ]);
}

describe('grantAccess', () => {
  it('activates an approved external admin request and takes a seat against the cap', () => {
    // Prepare
    const approved = approvedExternalAdmin();

    // Act
    const transition = grantAccess(approved, policy, GRANTED_AT);

    // Assess
    expect(transition.expectedStatus).toBe('APPROVED');
    expect(transition.request.status).toBe('ACTIVE');
    expect(transition.request.grant).toEqual({
      grantedAt: GRANTED_AT,
      expiresAt: '2026-12-01T19:00:00.000Z',
      approvedBy: ['dana.director', 'eve.exec'],
      nextReviewAt: '2026-12-08T11:00:00.000Z',
    });
    expect(transition.event).toEqual({
      action: 'GRANT_ACTIVATED',
      actor: { type: 'system', id: 'workflow' },
      at: GRANTED_AT,
      subject: { requestId: 'req-1', principalId: 'xena.sc', scopes: ['admin'] },
      outcome: 'success',
      details: {
        expiresAt: '2026-12-01T19:00:00.000Z',
        approvedBy: ['dana.director', 'eve.exec'],
        countsAgainstCap: true,
      },
    });
    expect(transition.seat).toEqual({
      op: 'take',
      organisation: VENDOR_A,
      cap: 5,
      organisationCap: undefined,
    });
    expect(transition.grants).toBe('open');
    expect(transition.adminLock).toBeUndefined();
  });

  it('counts the duration from the grant, not from the submission', () => {
    // Prepare
    const approved = approvedExternalAdmin('P7D');

    // Act
    const transition = grantAccess(approved, policy, later('P2D'));

    // Assess
    expect(transition.request.grant?.expiresAt).toBe(later('P9D'));
  });

  it("passes the policy's cap and the organisation's sub-cap to the seat", () => {
    // Prepare
    const rules = policyWith({ externalAdminCap: 3, organisationAdminCaps: { [VENDOR_A]: 1 } });

    // Act
    const transition = grantAccess(approvedExternalAdmin(), rules, GRANTED_AT);

    // Assess
    expect(transition.seat).toEqual({ op: 'take', organisation: VENDOR_A, cap: 3, organisationCap: 1 });
  });

  it('takes no seat for a home admin and reviews admin every P7D', () => {
    // Prepare
    const approved = approvedBy(pendingRequest(people.manager), [people.homeDirector]);

    // Act
    const transition = grantAccess(approved, policy, GRANTED_AT);

    // Assess
    expect(transition.request.status).toBe('ACTIVE');
    expect(transition.request.grant?.approvedBy).toEqual(['dana.director']);
    expect(transition.request.grant?.nextReviewAt).toBe(later('P7D', GRANTED_AT));
    expect(transition.event.details).toMatchObject({ countsAgainstCap: false });
    expect(transition.seat).toBeUndefined();
    expect(transition.grants).toBe('open');
  });

  it('takes no seat for external datasets and reviews them every P30D', () => {
    // Prepare
    const approved = approvedBy(
      pendingRequest(people.externalScB, { scopes: [identifiable, pseudonymised], duration: 'P60D' }),
      [people.executiveDirector],
    );

    // Act
    const transition = grantAccess(approved, policy, GRANTED_AT);

    // Assess
    expect(transition.request.grant).toEqual({
      grantedAt: GRANTED_AT,
      expiresAt: later('P60D', GRANTED_AT),
      approvedBy: ['eve.exec'],
      nextReviewAt: later('P30D', GRANTED_AT),
    });
    expect(transition.seat).toBeUndefined();
    expect(transition.grants).toBe('open');
  });

  it('takes the review intervals from the policy', () => {
    // Prepare
    const rules = policyWith({ review: { admin: 'P1D' } });

    // Act
    const transition = grantAccess(approvedExternalAdmin(), rules, GRANTED_AT);

    // Assess
    expect(transition.request.grant?.nextReviewAt).toBe(later('P1D', GRANTED_AT));
  });

  it.each<[string, () => AccessRequest, string]>([
    ['pending', () => pendingRequest(people.externalScA), 'PENDING_APPROVAL'],
    [
      'half approved',
      () => approvedBy(pendingRequest(people.externalScA), [people.homeDirector]),
      'PENDING_APPROVAL',
    ],
    ['already active', () => activeRequest(people.externalScA), 'ACTIVE'],
  ])('refuses a request that is %s with NOT_APPROVED', (_label, build, status) => {
    // Act
    const error = thrownBy(() => grantAccess(build(), policy, GRANTED_AT));

    // Assess
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({
      code: 'NOT_APPROVED',
      message: `request req-1 is ${status}, not APPROVED`,
    });
  });

  it('refuses a timed-out request', () => {
    // Prepare
    const timedOut = timeOutRequest(pendingRequest(people.externalScA), later('PT72H'))
      ?.request as AccessRequest;

    // Act
    const error = thrownBy(() => grantAccess(timedOut, policy, later('PT73H')));

    // Assess
    expect(error).toMatchObject({ code: 'NOT_APPROVED' });
  });
});

describe('expireGrant', () => {
  it('expires an external admin grant at expiresAt, giving the seat and the admin lock back', () => {
    // Prepare
    const active = activeRequest(people.externalScA);
    const at = active.grant?.expiresAt as string;

    // Act
    const transition = expireGrant(active, policy, at);

    // Assess
    expect(transition?.expectedStatus).toBe('ACTIVE');
    expect(transition?.request).toMatchObject({ status: 'EXPIRED', reason: 'EXPIRED', closedAt: at });
    expect(transition?.request.grant).toEqual(active.grant);
    expect(transition?.event).toEqual({
      action: 'GRANT_EXPIRED',
      actor: { type: 'system', id: 'workflow' },
      at,
      subject: { requestId: 'req-1', principalId: 'xena.sc', scopes: ['admin'] },
      outcome: 'success',
      reason: 'EXPIRED',
    });
    expect(transition?.seat).toEqual({
      op: 'release',
      organisation: VENDOR_A,
      cap: 5,
      organisationCap: undefined,
    });
    expect(transition?.adminLock).toBe('release');
    expect(transition?.grants).toBe('close');
  });

  it('expires a dataset grant late without seat or lock changes', () => {
    // Prepare
    const active = activeRequest(people.externalScB, { scopes: [identifiable] });

    // Act
    const transition = expireGrant(active, policy, later('P1D'));

    // Assess
    expect(transition?.request.status).toBe('EXPIRED');
    expect(transition?.seat).toBeUndefined();
    expect(transition?.adminLock).toBeUndefined();
    expect(transition?.grants).toBe('close');
  });

  it('refuses before expiresAt with NOT_EXPIRED', () => {
    // Prepare
    const active = activeRequest(people.externalScA);

    // Act
    const error = thrownBy(() => expireGrant(active, policy, later('PT9H59M59S')));

    // Assess
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({
      code: 'NOT_EXPIRED',
      message: 'request req-1 expires at 2026-12-01T19:00:00.000Z',
    });
  });

  it('is a no-op once access has ended or never started', () => {
    // Prepare
    const active = activeRequest(people.externalScA);
    const revoked = revokeGrant({
      request: active,
      actor: { type: 'principal', id: 'ada.admin' },
      reason: 'done',
      policy,
      now: later('PT3H'),
    }).request;
    const expired = expireGrant(active, policy, later('P1D'))?.request as AccessRequest;
    const approved = approvedExternalAdmin();

    // Assess
    expect(expireGrant(revoked, policy, later('P1D'))).toBeUndefined();
    expect(expireGrant(expired, policy, later('P2D'))).toBeUndefined();
    expect(expireGrant(approved, policy, later('P1D'))).toBeUndefined();
  });
});

describe('revokeGrant', () => {
  const accessAdmin: Actor = { type: 'principal', id: 'ada.admin' };

  it('revokes an external admin grant, giving the seat and the admin lock back', () => {
    // Prepare
    const active = activeRequest(people.externalScA);

    // Act
    const transition = revokeGrant({
      request: active,
      actor: accessAdmin,
      reason: '  Contract ended  ',
      policy,
      now: later('PT3H'),
    });

    // Assess
    expect(transition.expectedStatus).toBe('ACTIVE');
    expect(transition.request).toMatchObject({
      status: 'REVOKED',
      reason: 'Contract ended',
      closedBy: 'ada.admin',
      closedAt: later('PT3H'),
    });
    expect(transition.event).toEqual({
      action: 'GRANT_REVOKED',
      actor: accessAdmin,
      at: later('PT3H'),
      subject: { requestId: 'req-1', principalId: 'xena.sc', scopes: ['admin'] },
      outcome: 'success',
      reason: 'Contract ended',
    });
    expect(transition.seat).toEqual({
      op: 'release',
      organisation: VENDOR_A,
      cap: 5,
      organisationCap: undefined,
    });
    expect(transition.adminLock).toBe('release');
    expect(transition.grants).toBe('close');
  });

  it('records the sweep as the closer when the sweep revokes', () => {
    // Prepare
    const active = activeRequest(people.externalScB, { scopes: [identifiable] });

    // Act
    const transition = revokeGrant({
      request: active,
      actor: { type: 'system', id: 'sweep' },
      reason: 'CLEARANCE_LAPSED',
      policy,
      now: later('PT3H'),
    });

    // Assess
    expect(transition.request.closedBy).toBe('sweep');
    expect(transition.event.actor).toEqual({ type: 'system', id: 'sweep' });
    expect(transition.seat).toBeUndefined();
    expect(transition.adminLock).toBeUndefined();
    expect(transition.grants).toBe('close');
  });

  it.each(['', '   '])('asks for a reason (%j)', (reason) => {
    // Act
    const error = thrownBy(() =>
      revokeGrant({
        request: activeRequest(people.externalScA),
        actor: accessAdmin,
        reason,
        policy,
        now: later('PT3H'),
      }),
    );

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'reason',
      message: 'reason is required to revoke access',
    });
  });

  it.each<[string, () => AccessRequest, string]>([
    ['pending', () => pendingRequest(people.externalScA), 'PENDING_APPROVAL'],
    ['approved', () => approvedExternalAdmin(), 'APPROVED'],
    [
      'expired',
      () => {
        const active = activeRequest(people.externalScA);
        return expireGrant(active, policy, later('P1D'))?.request as AccessRequest;
      },
      'EXPIRED',
    ],
  ])('refuses a request that is %s with NOT_ACTIVE', (_label, build, status) => {
    // Act
    const error = thrownBy(() =>
      revokeGrant({ request: build(), actor: accessAdmin, reason: 'x', policy, now: later('P2D') }),
    );

    // Assess
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({
      code: 'NOT_ACTIVE',
      message: `request req-1 is ${status}; only active grants can be revoked`,
    });
  });

  it('refuses to revoke twice', () => {
    // Prepare
    const active = activeRequest(people.externalScA);
    const revoked = revokeGrant({
      request: active,
      actor: accessAdmin,
      reason: 'once',
      policy,
      now: later('PT3H'),
    }).request;

    // Act
    const error = thrownBy(() =>
      revokeGrant({ request: revoked, actor: accessAdmin, reason: 'twice', policy, now: later('PT4H') }),
    );

    // Assess
    expect(error).toMatchObject({ code: 'NOT_ACTIVE' });
  });
});

describe('revokeAuthority', () => {
  const active = activeRequest(people.externalScA);

  it('names the holder, an access-admin, an eligible approver, or nobody', () => {
    // Assess
    expect(revokeAuthority(active, people.externalScA, false)).toBe('holder');
    expect(revokeAuthority(active, people.accessAdmin, false)).toBe('access-admin');
    expect(revokeAuthority(active, people.homeDirector, true)).toBe('approver');
    expect(revokeAuthority(active, people.manager, false)).toBeUndefined();
    expect(revokeAuthority(active, people.auditor, false)).toBeUndefined();
    expect(revokeAuthority(active, people.externalDvA, false)).toBeUndefined();
  });

  it('lets a holder revoke even when deactivated, but not an inactive access-admin', () => {
    // Assess
    expect(revokeAuthority(active, { ...people.externalScA, active: false }, false)).toBe('holder');
    expect(revokeAuthority(active, { ...people.accessAdmin, active: false }, false)).toBeUndefined();
  });
});

describe('seatFor', () => {
  it('describes a seat only for requests that count against the cap', () => {
    // Prepare
    const rules = policyWith({ organisationAdminCaps: { [VENDOR_A]: 2 } });

    // Assess
    expect(seatFor(pendingRequest(people.externalScA), 'take', rules)).toEqual({
      op: 'take',
      organisation: VENDOR_A,
      cap: 5,
      organisationCap: 2,
    });
    expect(seatFor(pendingRequest(people.manager), 'take', rules)).toBeUndefined();
    expect(
      seatFor(pendingRequest(people.externalScB, { scopes: [identifiable] }), 'release', rules),
    ).toBeUndefined();
  });
});

describe('recordOnRequest', () => {
  it('records an audit-only step without changing the request', () => {
    // Prepare
    const request = pendingRequest(people.externalScA);

    // Act
    const transition = recordOnRequest(
      request,
      'NOTIFICATION_SENT',
      { type: 'system', id: 'workflow' },
      later('PT1M'),
      { to: 'dana.director', channel: 'email' },
    );

    // Assess
    expect(transition.expectedStatus).toBe('PENDING_APPROVAL');
    expect(transition.request).toBe(request);
    expect(transition.event).toEqual({
      action: 'NOTIFICATION_SENT',
      actor: { type: 'system', id: 'workflow' },
      at: later('PT1M'),
      subject: { requestId: 'req-1', principalId: 'xena.sc', scopes: ['admin'] },
      outcome: 'success',
      details: { to: 'dana.director', channel: 'email' },
    });
    expect(transition.seat).toBeUndefined();
    expect(transition.adminLock).toBeUndefined();
    expect(transition.grants).toBeUndefined();
  });

  it('records a failure with its outcome and expects whatever status the request has', () => {
    // Prepare
    const active = activeRequest(people.externalScA);

    // Act
    const transition = recordOnRequest(
      active,
      'NOTIFICATION_FAILED',
      { type: 'system', id: 'workflow' },
      later('PT3H'),
      { to: 'xena.sc', error: 'MessageRejected' },
      'failed',
    );

    // Assess
    expect(transition.expectedStatus).toBe('ACTIVE');
    expect(transition.event).toMatchObject({ action: 'NOTIFICATION_FAILED', outcome: 'failed' });
  });
});
