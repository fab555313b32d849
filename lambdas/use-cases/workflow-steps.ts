// Use cases behind the state machine's Task states: validate, grant, time out, expire.
// Each is idempotent: Step Functions and Lambda retry, and a retry must not double-count or double-record.

import type { Actor } from '../core/audit.ts';
import { addDuration } from '../core/duration.ts';
import { assertRequesterEligible } from '../core/eligibility.ts';
import { CapReachedError, HolderLimitReachedError, KeyholderError } from '../core/errors.ts';
import {
  expireGrant,
  grantAccess,
  rejectRequest,
  type Transition,
  timeOutRequest,
} from '../core/lifecycle.ts';
import type { RequestStatus } from '../core/model.ts';
import type { StoredRequest } from '../core/ports.ts';
import {
  activateProvisioned,
  failProvisioning,
  retryRevocation,
  type ScopeOutcome,
  startProvisioning,
} from '../core/provisioning.ts';
import { catalogueOf, type Dependencies, loadRequest, withOptimisticRetry } from './context.ts';
import { commitAndNotify } from './notice-outbox.ts';
import {
  applyOnPlatform,
  endAccessOnPlatform,
  type ProvisionedScope,
  ProvisioningFailure,
  provisionedScopes,
  rollBack,
} from './provisioning.ts';
import { RequestClosedError, TransientError } from './workflow-errors.ts';

/** Who the notices of a step's outcome name as sending. */
const WORKFLOW: Actor = { type: 'system', id: 'workflow' };

export interface StepResult {
  readonly requestId: string;
  readonly status: RequestStatus;
  readonly expiresAt?: string | undefined;
}

function resultOf(request: StoredRequest): StepResult {
  return { requestId: request.id, status: request.status, expiresAt: request.grant?.expiresAt };
}

/** The external-admin cap or a dataset's holder limit was full at grant time: the request is rejected, not retried. */
const isFullCapacity = (error: unknown): error is CapReachedError | HolderLimitReachedError =>
  error instanceof CapReachedError || error instanceof HolderLimitReachedError;

/** Rejects the request when its requester no longer qualifies; returns undefined when they still do. */
async function rejectIfIneligible(
  deps: Dependencies,
  stored: StoredRequest,
  grantEndsAt: string,
  now: string,
): Promise<StoredRequest | undefined> {
  const requester = await deps.directory.getPrincipal(stored.requester);
  try {
    if (!requester)
      throw new KeyholderError('forbidden', 'PRINCIPAL_UNKNOWN', `${stored.requester} left the directory`);
    assertRequesterEligible(requester, stored.scopes, await catalogueOf(deps), grantEndsAt, deps.policy, now);
    return undefined;
  } catch (error) {
    if (!(error instanceof KeyholderError)) throw error;
    return commitAndNotify(deps, WORKFLOW, stored, rejectRequest(stored, error.code, error.message, now));
  }
}

/** First step: the request must still be open and its requester still eligible. */
export async function validateRequest(deps: Dependencies, requestId: string): Promise<StepResult> {
  return withOptimisticRetry(async () => {
    const stored = await loadRequest(deps, requestId);
    if (stored.status !== 'PENDING_APPROVAL' && stored.status !== 'APPROVED') {
      throw new RequestClosedError(`request ${requestId} is ${stored.status}`);
    }
    const now = deps.clock.now();
    const rejected = await rejectIfIneligible(deps, stored, now, now);
    if (rejected) {
      throw new RequestClosedError(`request ${requestId} was rejected: ${rejected.reason}`);
    }
    return resultOf(stored);
  });
}

/** APPROVED -> ACTIVE, taking an external-admin seat atomically; a full cap rejects the request instead. */
export async function grantApprovedAccess(deps: Dependencies, requestId: string): Promise<StepResult> {
  // Only a deployment with platform providers needs the scopes before deciding how to grant: a ledger-only one
  // keeps its single read per attempt.
  if (deps.providers && provisionedScopes(deps, (await loadRequest(deps, requestId)).scopes).length > 0) {
    return provisionApprovedAccess(deps, requestId);
  }
  const result = await withOptimisticRetry(async () => {
    const stored = await loadRequest(deps, requestId);
    if (stored.status !== 'APPROVED') return resultOf(stored); // already granted (a retry) or closed meanwhile
    const now = deps.clock.now();
    const transition = grantAccess(stored, deps.policy, now, await catalogueOf(deps));
    const expiresAt = transition.request.grant?.expiresAt ?? now;
    const rejected = await rejectIfIneligible(deps, stored, expiresAt, now);
    if (rejected) return resultOf(rejected);
    try {
      return resultOf(await commitAndNotify(deps, WORKFLOW, stored, transition));
    } catch (error) {
      if (!isFullCapacity(error)) throw error;
      return resultOf(
        await commitAndNotify(deps, WORKFLOW, stored, rejectRequest(stored, error.code, error.message, now)),
      );
    }
  });
  return result;
}

/**
 * A grant carried out by access providers: APPROVED -> PROVISIONING takes the seat (a full cap rejects before any
 * platform is asked), the providers grant, then PROVISIONING -> ACTIVE. A provider failure rolls back what this
 * attempt granted and ends FAILED, giving the seat back. A retried step that finds PROVISIONING resumes with the
 * same idempotency key: the platform grants once and no second seat is taken.
 */
async function provisionApprovedAccess(deps: Dependencies, requestId: string): Promise<StepResult> {
  const started = await withOptimisticRetry(async () => {
    const stored = await loadRequest(deps, requestId);
    if (stored.status !== 'APPROVED') return stored; // PROVISIONING: resume; anything else: already settled
    const now = deps.clock.now();
    const scopes = provisionedScopes(deps, stored.scopes);
    const transition = startProvisioning(
      stored,
      providerNames(scopes),
      deps.policy,
      now,
      await catalogueOf(deps),
    );
    const rejected = await rejectIfIneligible(deps, stored, addDuration(now, stored.duration), now);
    if (rejected) return rejected;
    try {
      return await commitAndNotify(deps, WORKFLOW, stored, transition);
    } catch (error) {
      if (!isFullCapacity(error)) throw error;
      return commitAndNotify(deps, WORKFLOW, stored, rejectRequest(stored, error.code, error.message, now));
    }
  });
  if (started.status !== 'PROVISIONING') return resultOf(started);

  const scopes = provisionedScopes(deps, started.scopes);
  let outcomes: ScopeOutcome[];
  try {
    outcomes = await applyOnPlatform(deps, started, scopes, 'grant');
  } catch (error) {
    if (!(error instanceof ProvisioningFailure)) throw error;
    const rolledBack = await rollBack(deps, started, error.done, scopes);
    return settleProvisioning(deps, requestId, (stored, now) =>
      failProvisioning(stored, error.failure, rolledBack, deps.policy, now),
    );
  }
  return settleProvisioning(deps, requestId, (stored, now) =>
    activateProvisioned(stored, outcomes, deps.policy, now),
  );
}

/** Commits the end of provisioning unless another attempt already settled it (then returns what it left). */
async function settleProvisioning(
  deps: Dependencies,
  requestId: string,
  settle: (stored: StoredRequest, now: string) => Transition,
): Promise<StepResult> {
  return withOptimisticRetry(async () => {
    const stored = await loadRequest(deps, requestId);
    if (stored.status !== 'PROVISIONING') return resultOf(stored);
    return resultOf(await commitAndNotify(deps, WORKFLOW, stored, settle(stored, deps.clock.now())));
  });
}

function providerNames(scopes: readonly ProvisionedScope[]): string[] {
  return [...new Set(scopes.map((entry) => entry.provider.name))];
}

export async function recordApprovalTimeout(deps: Dependencies, requestId: string): Promise<StepResult> {
  const result = await withOptimisticRetry(async () => {
    const stored = await loadRequest(deps, requestId);
    const transition = timeOutRequest(stored, deps.clock.now());
    return resultOf(transition ? await commitAndNotify(deps, WORKFLOW, stored, transition) : stored);
  });
  return result;
}

// A timer that fires a little early is waited out here; anything longer goes back to the state machine's Wait
// (IsActive loops), which also keeps this well inside the function's 10 s timeout.
const EARLY_TIMER_TOLERANCE_MS = 2_000;

/**
 * ACTIVE -> EXPIRED once expiresAt has passed; a no-op when access already ended (revoked, expired). A grant that
 * still runs for a while (an approved extension moved expiresAt) is returned ACTIVE with its new expiresAt: the
 * state machine's IsActive choice then waits again, in the same execution.
 */
export async function expireAccess(deps: Dependencies, requestId: string): Promise<StepResult> {
  const stored = await loadRequest(deps, requestId);
  if (stored.status !== 'ACTIVE' || !stored.grant) return resultOf(stored);
  const early = Date.parse(stored.grant.expiresAt) - Date.parse(deps.clock.now());
  if (early > EARLY_TIMER_TOLERANCE_MS) return resultOf(stored);
  if (early > 0) await new Promise((resolve) => setTimeout(resolve, early));
  const ending = await endAccessOnPlatform(deps, requestId, WORKFLOW, (fresh, now) =>
    fresh.status === 'ACTIVE' && fresh.grant && now >= fresh.grant.expiresAt
      ? (retryRevocation(fresh, deps.policy, now) ?? expireGrant(fresh, deps.policy, now))
      : undefined,
  );
  if (ending.kind === 'pending') {
    // The workflow's Retry tries again with backoff; once it gives up, the sweep finds the grant past its expiry.
    throw new TransientError(
      `request ${requestId}: removing access on the platform failed: ${ending.failure.message}`,
    );
  }
  const result = resultOf(ending.request ?? stored);
  return result;
}
