// Drift between what Keyholder granted and what a platform actually has: the comparison, what the sweep does about
// each difference, and the audit events that record it. Pure: the use case (lambdas/use-cases/drift.ts) reads the
// platform and the store and commits what this decides.
import type { AccessAssignment, ProviderOutcome } from './access-provider.ts';
import type { AuditEventDraft } from './audit.ts';
import type { Transition } from './lifecycle.ts';
import type { AccessRequest, RequestStatus, Scope } from './model.ts';
import { SWEEP_ACTOR } from './sweep.ts';

/** Access present on the platform without a Keyholder grant, recorded once when first seen, until it goes. */
export interface DriftItem {
  readonly provider: string;
  readonly principalId: string;
  readonly scope: Scope;
  readonly firstSeenAt: string;
}

export interface AccessComparison {
  /** On the platform, not granted by Keyholder. */
  readonly outOfBand: AccessAssignment[];
  /** Granted by Keyholder, absent from the platform. */
  readonly missing: AccessAssignment[];
}

/** Why an open item was closed without Keyholder removing the access. */
export type DriftGoneReason = 'REMOVED_ON_PLATFORM' | 'NOW_GRANTED';

export interface DriftPlan {
  /** Out-of-band access not yet recorded: open an item and audit it. */
  readonly found: AccessAssignment[];
  /** Out-of-band access already recorded and still present: nothing to audit again. */
  readonly stillOpen: DriftItem[];
  /** Recorded items that are no longer out-of-band. */
  readonly gone: { readonly item: DriftItem; readonly reason: DriftGoneReason }[];
  readonly missing: AccessAssignment[];
}

export function assignmentKey(assignment: AccessAssignment): string {
  return `${assignment.principalId}\u0000${assignment.scope}`;
}

function byKey(assignments: readonly AccessAssignment[]): Map<string, AccessAssignment> {
  const keyed = new Map<string, AccessAssignment>();
  for (const assignment of assignments) {
    keyed.set(assignmentKey(assignment), { principalId: assignment.principalId, scope: assignment.scope });
  }
  return keyed;
}

const inOrder = (a: AccessAssignment, b: AccessAssignment) =>
  a.principalId.localeCompare(b.principalId) || a.scope.localeCompare(b.scope);

/**
 * One provider's drift: `expected` is what Keyholder's grants say (duplicates allowed: two requests may hold the
 * same scope), `present` what the platform lists. Both results are de-duplicated and sorted.
 */
export function compareAccess(
  expected: readonly AccessAssignment[],
  present: readonly AccessAssignment[],
): AccessComparison {
  const wanted = byKey(expected);
  const found = byKey(present);
  return {
    outOfBand: [...found]
      .filter(([key]) => !wanted.has(key))
      .map(([, value]) => value)
      .sort(inOrder),
    missing: [...wanted]
      .filter(([key]) => !found.has(key))
      .map(([, value]) => value)
      .sort(inOrder),
  };
}

/**
 * What the sweep does given a comparison and the items already open: new out-of-band access is recorded, known
 * access is not recorded again, and an item whose access went (or is now covered by a grant) is closed.
 */
export function planDrift(
  comparison: AccessComparison,
  open: readonly DriftItem[],
  present: readonly AccessAssignment[],
): DriftPlan {
  const openByKey = new Map(open.map((item) => [assignmentKey(item), item]));
  const outOfBand = new Set(comparison.outOfBand.map(assignmentKey));
  const onPlatform = new Set(present.map(assignmentKey));
  return {
    found: comparison.outOfBand.filter((assignment) => !openByKey.has(assignmentKey(assignment))),
    stillOpen: open.filter((item) => outOfBand.has(assignmentKey(item))),
    gone: open
      .filter((item) => !outOfBand.has(assignmentKey(item)))
      .map((item) => ({
        item,
        reason: onPlatform.has(assignmentKey(item)) ? 'NOW_GRANTED' : 'REMOVED_ON_PLATFORM',
      })),
    missing: comparison.missing,
  };
}

// A request in these states may legitimately hold the access on the platform: approved or being provisioned (the
// platform is called before the record turns ACTIVE), or active.
const HOLDING_OR_PROVISIONING: ReadonlySet<RequestStatus> = new Set(['APPROVED', 'PROVISIONING', 'ACTIVE']);

/**
 * True when `request` accounts for `scope` on the platform now or in a moment. Out-of-band access is checked
 * against this before it is recorded or removed, so a grant being provisioned is never reported or taken away.
 */
export function accountsFor(request: Pick<AccessRequest, 'status' | 'scopes'>, scope: Scope): boolean {
  return HOLDING_OR_PROVISIONING.has(request.status) && request.scopes.includes(scope);
}

/**
 * True when the stored request still expects `scope` on the platform now, so re-applying it is right: ACTIVE,
 * unexpired, and no removal under way (a revoke whose platform call failed leaves the request ACTIVE with a
 * pending `revocation` until the platform confirms; putting the access back would undo the revoke).
 */
export function expectsAccess(request: AccessRequest, scope: Scope, now: string): boolean {
  return (
    request.status === 'ACTIVE' &&
    request.scopes.includes(scope) &&
    (request.grant?.expiresAt ?? '') > now &&
    request.revocation === undefined
  );
}

/** Each drift item's stream: one chained stream per provider, like the seat counters' stream. */
export const driftAuditStream = (provider: string) => `DRIFT#${provider}`;

/**
 * Idempotency key of a removal. It names the occurrence (`firstSeenAt`) as well as the access: a platform that
 * remembers keys would otherwise answer a later, second occurrence of the same access with the first removal.
 */
export function removalKey(item: DriftItem): string {
  return `drift:${item.provider}:${item.principalId}:${item.scope}:${item.firstSeenAt}`;
}

/**
 * Idempotency key of a re-applied grant: the request id and the request's audit position. A retried repair
 * (same position) is sent once; a grant dropped again later (the GRANT_REAPPLIED event moved the position) is
 * re-applied again rather than answered from the platform's memory of the first one.
 */
export function reapplyKey(requestId: string, auditSeq: number): string {
  return `${requestId}:reapply:${auditSeq}`;
}

function driftSubject(assignment: AccessAssignment) {
  return { requestId: '', principalId: assignment.principalId, scopes: [assignment.scope] };
}

function outcomeDetails(outcome: ProviderOutcome) {
  return {
    ...(outcome.reference !== undefined ? { reference: outcome.reference } : {}),
    ...(outcome.alreadyInPlace !== undefined ? { alreadyInPlace: outcome.alreadyInPlace } : {}),
  };
}

export function outOfBandFoundEvent(
  provider: string,
  assignment: AccessAssignment,
  now: string,
  removeOutOfBand: boolean,
): AuditEventDraft {
  return {
    action: 'OUT_OF_BAND_ACCESS_FOUND',
    actor: SWEEP_ACTOR,
    at: now,
    subject: driftSubject(assignment),
    outcome: 'success',
    reason: 'NO_KEYHOLDER_GRANT',
    details: { provider, removeOutOfBand },
  };
}

export function outOfBandRemovedEvent(
  item: DriftItem,
  outcome: ProviderOutcome,
  now: string,
): AuditEventDraft {
  return {
    action: 'OUT_OF_BAND_ACCESS_REMOVED',
    actor: SWEEP_ACTOR,
    at: now,
    subject: driftSubject(item),
    outcome: 'success',
    reason: 'REMOVE_OUT_OF_BAND',
    details: { provider: item.provider, firstSeenAt: item.firstSeenAt, ...outcomeDetails(outcome) },
  };
}

export function outOfBandGoneEvent(item: DriftItem, reason: DriftGoneReason, now: string): AuditEventDraft {
  return {
    action: 'OUT_OF_BAND_ACCESS_GONE',
    actor: SWEEP_ACTOR,
    at: now,
    subject: driftSubject(item),
    outcome: 'success',
    reason,
    details: { provider: item.provider, firstSeenAt: item.firstSeenAt },
  };
}

/** An audit-only transition on the request's own stream: its grant, dropped on the platform, was put back. */
export function grantReapplied(
  request: AccessRequest,
  scope: Scope,
  provider: string,
  outcome: ProviderOutcome,
  now: string,
): Transition {
  return {
    expectedStatus: request.status,
    request,
    event: {
      action: 'GRANT_REAPPLIED',
      actor: SWEEP_ACTOR,
      at: now,
      subject: { requestId: request.id, principalId: request.requester, scopes: [scope] },
      outcome: 'success',
      reason: 'MISSING_ON_PLATFORM',
      details: { provider, ...outcomeDetails(outcome) },
    },
  };
}
