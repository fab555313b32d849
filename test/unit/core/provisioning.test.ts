// Unit tests for grants and endings carried out by access providers: PROVISIONING with its seat, activation with
// the providers' outcomes, failure giving the seat back, and a failed removal recorded as a pending revocation.
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../../lambdas/core/audit.ts';
import { ConflictError } from '../../../lambdas/core/errors.ts';
import { expireGrant, revokeGrant } from '../../../lambdas/core/lifecycle.ts';
import { isTerminal } from '../../../lambdas/core/model.ts';
import {
  activateProvisioned,
  confirmedEnding,
  deprovisioningFailed,
  failProvisioning,
  isRevocationPending,
  type ProviderFailure,
  retryRevocation,
  startProvisioning,
} from '../../../lambdas/core/provisioning.ts';
import { sweepDueAt } from '../../../lambdas/core/sweep.ts';
import {
  activeRequest,
  approvedBy,
  later,
  pendingRequest,
  people,
  policy,
  thrownBy,
  VENDOR_A,
} from '../../support/fixtures.ts';

const STARTED_AT = later('PT2H');
const ADMIN: Actor = { type: 'principal', id: people.accessAdmin.id };
const REFUSED: ProviderFailure = {
  scope: 'admin',
  provider: 'platform-admin-api',
  message: 'platform answered 403: user unknown',
  retryable: false,
};

function approvedExternalAdmin() {
  return approvedBy(pendingRequest(people.externalScA), [people.homeDirector, people.executiveDirector]);
}

describe('startProvisioning', () => {
  it('APPROVED -> PROVISIONING takes the seat, opens no grant rows and names the providers', () => {
    // Prepare
    const approved = approvedExternalAdmin();

    // Act
    const transition = startProvisioning(approved, ['platform-admin-api'], policy, STARTED_AT);

    // Assess
    expect(transition.expectedStatus).toBe('APPROVED');
    expect(transition.request.status).toBe('PROVISIONING');
    expect(transition.request.grant).toBeUndefined();
    expect(transition.seat).toEqual({
      op: 'take',
      organisation: VENDOR_A,
      cap: 5,
      organisationCap: undefined,
    });
    expect(transition.grants).toBeUndefined();
    expect(transition.adminLock).toBeUndefined();
    expect(transition.event).toMatchObject({
      action: 'PROVISIONING_STARTED',
      outcome: 'success',
      details: { providers: ['platform-admin-api'], countsAgainstCap: true },
    });
    expect(isTerminal('PROVISIONING')).toBe(false);
  });

  it('refuses a request that is not APPROVED', () => {
    // Act
    const error = thrownBy(() =>
      startProvisioning(pendingRequest(people.externalScA), [], policy, STARTED_AT),
    );

    // Assess
    expect(error).toBeInstanceOf(ConflictError);
  });
});

describe('activateProvisioned', () => {
  it('PROVISIONING -> ACTIVE opens grant rows, the grant starting now, with each provider outcome', () => {
    // Prepare
    const provisioning = startProvisioning(
      approvedExternalAdmin(),
      ['platform-admin-api'],
      policy,
      STARTED_AT,
    );
    const now = later('PT1M', STARTED_AT);

    // Act
    const transition = activateProvisioned(
      provisioning.request,
      [{ scope: 'admin', provider: 'platform-admin-api', reference: 'asg-17', alreadyInPlace: false }],
      policy,
      now,
    );

    // Assess
    expect(transition.expectedStatus).toBe('PROVISIONING');
    expect(transition.request.status).toBe('ACTIVE');
    expect(transition.request.grant).toMatchObject({ grantedAt: now, expiresAt: later('PT8H', now) });
    expect(transition.grants).toBe('open');
    expect(transition.seat).toBeUndefined(); // taken once, when provisioning started
    expect(transition.event).toMatchObject({
      action: 'GRANT_ACTIVATED',
      details: {
        expiresAt: later('PT8H', now),
        providerScopes: ['admin'],
        providers: ['platform-admin-api'],
        providerReferences: ['asg-17'],
        providerAlreadyInPlace: ['false'],
      },
    });
  });
});

describe('failProvisioning', () => {
  it('PROVISIONING -> FAILED gives the seat and the admin lock back, the reason being the provider message', () => {
    // Prepare
    const provisioning = startProvisioning(
      approvedExternalAdmin(),
      ['platform-admin-api'],
      policy,
      STARTED_AT,
    );

    // Act
    const transition = failProvisioning(provisioning.request, REFUSED, [], policy, STARTED_AT);

    // Assess
    expect(transition.request).toMatchObject({
      status: 'FAILED',
      reason: REFUSED.message,
      closedAt: STARTED_AT,
    });
    expect(transition.seat).toMatchObject({ op: 'release', organisation: VENDOR_A });
    expect(transition.adminLock).toBe('release');
    expect(transition.grants).toBeUndefined();
    expect(transition.event).toMatchObject({
      action: 'PROVISIONING_FAILED',
      outcome: 'failed',
      reason: REFUSED.message,
      details: { provider: 'platform-admin-api', scope: 'admin', retryable: false, rolledBack: [] },
    });
    expect(isTerminal('FAILED')).toBe(true);
  });

  it('refuses a request that is not PROVISIONING', () => {
    // Act
    const error = thrownBy(() => failProvisioning(approvedExternalAdmin(), REFUSED, [], policy, STARTED_AT));

    // Assess
    expect(error).toBeInstanceOf(ConflictError);
  });
});

describe('a removal the platform failed', () => {
  const active = activeRequest(people.externalScA);
  const now = later('PT1H', active.grant?.grantedAt);

  it('stays ACTIVE with a pending revocation, audited as DEPROVISIONING_FAILED, and falls due for the sweep', () => {
    // Prepare
    const ending = revokeGrant({ request: active, actor: ADMIN, reason: 'Contract ended', policy, now });

    // Act
    const transition = deprovisioningFailed(active, ending, REFUSED, now);

    // Assess
    expect(transition.expectedStatus).toBe('ACTIVE');
    expect(transition.request.status).toBe('ACTIVE');
    expect(transition.request.closedAt).toBeUndefined();
    expect(transition.request.revocation).toEqual({
      reason: 'Contract ended',
      actor: ADMIN,
      requestedAt: now,
      attempts: 1,
      lastError: 'platform-admin-api: platform answered 403: user unknown',
    });
    expect(transition.seat).toBeUndefined();
    expect(transition.grants).toBeUndefined();
    expect(transition.adminLock).toBeUndefined();
    expect(transition.event).toMatchObject({
      action: 'DEPROVISIONING_FAILED',
      actor: ADMIN,
      outcome: 'failed',
      details: { provider: 'platform-admin-api', attempt: 1, ending: 'REVOKED' },
    });
    expect(isRevocationPending(transition.request)).toBe(true);
    expect(sweepDueAt(transition.request)).toBe(now);
  });

  it('a second failure keeps the first revoker, reason and start, and counts the attempt', () => {
    // Prepare
    const first = deprovisioningFailed(
      active,
      revokeGrant({ request: active, actor: ADMIN, reason: 'Contract ended', policy, now }),
      REFUSED,
      now,
    ).request;
    const holder: Actor = { type: 'principal', id: active.requester };
    const again = revokeGrant({
      request: first,
      actor: holder,
      reason: 'Done',
      policy,
      now: later('PT5M', now),
    });

    // Act
    const second = deprovisioningFailed(first, again, REFUSED, later('PT5M', now)).request;

    // Assess
    expect(second.revocation).toMatchObject({
      reason: 'Contract ended',
      actor: ADMIN,
      requestedAt: now,
      attempts: 2,
    });
  });

  it('an expiry the platform failed is recorded but not put in the due index (its grant row is)', () => {
    // Prepare
    const expiresAt = active.grant?.expiresAt ?? '';
    const ending = expireGrant(active, policy, expiresAt);
    if (!ending) throw new Error('expected an expiry');

    // Act
    const pending = deprovisioningFailed(active, ending, REFUSED, expiresAt).request;

    // Assess
    expect(pending.revocation).toMatchObject({ reason: 'EXPIRED', attempts: 1 });
    expect(isRevocationPending(pending)).toBe(false);
    expect(sweepDueAt(pending)).toBe(active.grant?.nextReviewAt);
    expect(retryRevocation(pending, policy, expiresAt)).toBeUndefined();
  });

  it('is carried out again with its own reason and actor, and settled once the platform confirms', () => {
    // Prepare
    const pending = deprovisioningFailed(
      active,
      revokeGrant({ request: active, actor: ADMIN, reason: 'Contract ended', policy, now }),
      REFUSED,
      now,
    ).request;
    const later15 = later('PT15M', now);

    // Act
    const retried = retryRevocation(pending, policy, later15);
    const confirmed =
      retried && confirmedEnding(retried, [{ scope: 'admin', provider: 'platform-admin-api' }]);

    // Assess
    expect(confirmed?.request).toMatchObject({
      status: 'REVOKED',
      reason: 'Contract ended',
      closedBy: ADMIN.id,
    });
    expect(confirmed?.request.revocation).toBeUndefined();
    expect(confirmed?.event).toMatchObject({
      action: 'GRANT_REVOKED',
      actor: ADMIN,
      details: { providers: ['platform-admin-api'], providerScopes: ['admin'], failedAttempts: 1 },
    });
    expect(confirmed?.seat).toMatchObject({ op: 'release' });
  });
});
