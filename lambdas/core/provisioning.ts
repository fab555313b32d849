// Grants and endings carried out by access providers: the pure transitions around the platform call. A grant is
// PROVISIONING (seat held) until the platform confirms it (ACTIVE) or refuses it (FAILED, seat given back); access
// ends only once the platform confirms removal, and until then a failed removal is recorded as pending.
import type { Actor, AuditEventDraft } from './audit.ts';
import {
  adminLockRelease,
  assertStatus,
  grantStartingAt,
  holdersFor,
  REASONS,
  requestEvent,
  revokeGrant,
  seatFor,
  type Transition,
} from './lifecycle.ts';
import type { AccessRequest, Dataset, PendingRevocation, Scope } from './model.ts';
import type { Policy } from './policy.ts';

const WORKFLOW: Actor = { type: 'system', id: 'workflow' };

/** What one provider reported for one scope; recorded in the event of the change it made possible. */
export interface ScopeOutcome {
  readonly scope: Scope;
  readonly provider: string;
  readonly reference?: string | undefined;
  readonly alreadyInPlace?: boolean | undefined;
}

/** A provider's refusal or failure, as the audit trail records it. */
export interface ProviderFailure {
  readonly scope: Scope;
  readonly provider: string;
  readonly message: string;
  readonly retryable: boolean;
}

type Details = NonNullable<AuditEventDraft['details']>;

/**
 * Provider outcomes flattened into event details (details hold scalars and string lists): one position per scope
 * handed to a provider, in the request's scope order.
 */
export function outcomeDetails(outcomes: readonly ScopeOutcome[]): Details {
  if (outcomes.length === 0) return {};
  return {
    providerScopes: outcomes.map((outcome) => outcome.scope),
    providers: outcomes.map((outcome) => outcome.provider),
    providerReferences: outcomes.map((outcome) => outcome.reference ?? ''),
    providerAlreadyInPlace: outcomes.map((outcome) => String(outcome.alreadyInPlace ?? false)),
  };
}

function failureDetails(failure: ProviderFailure): Details {
  return {
    provider: failure.provider,
    scope: failure.scope,
    message: failure.message,
    retryable: failure.retryable,
  };
}

/**
 * APPROVED -> PROVISIONING: the seat is taken now, atomically against the cap exactly as a ledger grant takes it,
 * so a full cap rejects the request before any platform is asked. No grant rows yet: nobody has access.
 */
export function startProvisioning(
  request: AccessRequest,
  providers: readonly string[],
  policy: Policy,
  now: string,
  catalogue?: ReadonlyMap<string, Dataset>,
): Transition {
  assertStatus(request, 'APPROVED');
  const provisioning: AccessRequest = { ...request, status: 'PROVISIONING' };
  return {
    expectedStatus: 'APPROVED',
    request: provisioning,
    event: requestEvent(provisioning, 'PROVISIONING_STARTED', WORKFLOW, now, {
      details: { providers: [...providers], countsAgainstCap: request.countsAgainstCap },
    }),
    seat: seatFor(request, 'take', policy),
    holders: holdersFor(request, 'take', catalogue),
  };
}

/** PROVISIONING -> ACTIVE once every provider granted: the grant starts now (its duration runs from real access). */
export function activateProvisioned(
  request: AccessRequest,
  outcomes: readonly ScopeOutcome[],
  policy: Policy,
  now: string,
): Transition {
  assertStatus(request, 'PROVISIONING');
  const grant = grantStartingAt(request, policy, now);
  const active: AccessRequest = { ...request, status: 'ACTIVE', grant };
  return {
    expectedStatus: 'PROVISIONING',
    request: active,
    event: requestEvent(active, 'GRANT_ACTIVATED', WORKFLOW, now, {
      details: {
        expiresAt: grant.expiresAt,
        approvedBy: grant.approvedBy,
        countsAgainstCap: request.countsAgainstCap,
        ...outcomeDetails(outcomes),
      },
    }),
    grants: 'open',
  };
}

/** PROVISIONING -> FAILED: the platform refused; the seat and the admin lock are given back. */
export function failProvisioning(
  request: AccessRequest,
  failure: ProviderFailure,
  rolledBack: readonly Scope[],
  policy: Policy,
  now: string,
): Transition {
  assertStatus(request, 'PROVISIONING');
  const failed: AccessRequest = { ...request, status: 'FAILED', reason: failure.message, closedAt: now };
  return {
    expectedStatus: 'PROVISIONING',
    request: failed,
    event: requestEvent(failed, 'PROVISIONING_FAILED', WORKFLOW, now, {
      reason: failure.message,
      outcome: 'failed',
      details: { ...failureDetails(failure), rolledBack: [...rolledBack] },
    }),
    seat: seatFor(request, 'release', policy),
    holders: holdersFor(request, 'release'),
    adminLock: adminLockRelease(failed),
  };
}

/** A revocation is waiting for the platform, and the sweep's due index should bring it back (not an expiry). */
export function isRevocationPending(request: AccessRequest): boolean {
  return request.status === 'ACTIVE' && request.revocation !== undefined && !isExpiryPending(request);
}

function isExpiryPending(request: AccessRequest): boolean {
  return request.revocation?.reason === REASONS.expired;
}

/** The pending revocation carried out again, with its original reason and actor. */
export function retryRevocation(request: AccessRequest, policy: Policy, now: string): Transition | undefined {
  const pending = request.revocation;
  if (!pending || !isRevocationPending(request)) return undefined;
  return revokeGrant({ request, actor: pending.actor, reason: pending.reason, policy, now });
}

/**
 * The ending, once the platform confirmed removal: the providers' outcomes go into its event, and a revocation
 * that was pending is settled (how many attempts it took stays in the event).
 */
export function confirmedEnding(ending: Transition, outcomes: readonly ScopeOutcome[]): Transition {
  const attempts = ending.request.revocation?.attempts;
  const details = { ...ending.event.details, ...outcomeDetails(outcomes) };
  if (attempts !== undefined) details.failedAttempts = attempts;
  return {
    ...ending,
    request: { ...ending.request, revocation: undefined },
    event: { ...ending.event, details: Object.keys(details).length > 0 ? details : undefined },
  };
}

/**
 * The platform failed to remove access: the request stays ACTIVE (the access still exists) and records the
 * pending revocation, so the sweep retries it; an earlier pending revocation keeps its reason, actor and start
 * (a second revoke does not start a second one) unless it was only an expiry. What the ending changed besides
 * closing (a review answered) is kept: that decision was made. The event is audit-only, on the request's stream.
 */
export function deprovisioningFailed(
  stored: AccessRequest,
  ending: Transition,
  failure: ProviderFailure,
  now: string,
): Transition {
  const previous = stored.revocation;
  const keepPrevious = previous !== undefined && !isExpiryPending(stored);
  const revocation: PendingRevocation = {
    reason: keepPrevious ? previous.reason : (ending.request.reason ?? ending.request.status),
    actor: keepPrevious ? previous.actor : ending.event.actor,
    requestedAt: previous?.requestedAt ?? now,
    attempts: (previous?.attempts ?? 0) + 1,
    lastError: `${failure.provider}: ${failure.message}`,
  };
  const request: AccessRequest = {
    ...ending.request,
    status: stored.status,
    reason: stored.reason,
    closedBy: stored.closedBy,
    closedAt: stored.closedAt,
    extension: stored.extension,
    revocation,
  };
  return {
    expectedStatus: stored.status,
    request,
    event: requestEvent(request, 'DEPROVISIONING_FAILED', ending.event.actor, now, {
      reason: revocation.reason,
      outcome: 'failed',
      details: { ...failureDetails(failure), attempt: revocation.attempts, ending: ending.request.status },
    }),
  };
}
