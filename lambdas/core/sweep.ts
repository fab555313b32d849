// The scheduled sweep's rules: when an ACTIVE request is next due for attention, what is due now, the sweep's own
// revocations (each with its reason), and how drifted external-admin seat counters are corrected.
import type { Actor, AuditEventDraft } from './audit.ts';
import { breakGlassReviewDueAt } from './break-glass.ts';
import type { StandingReason } from './directory-changes.ts';
import { isExtensionOpen, timeOutExtension } from './extension.ts';
import { expireGrant, REASONS, revokeGrant, type Transition } from './lifecycle.ts';
import type { AccessRequest } from './model.ts';
import type { Policy } from './policy.ts';
import type { ExternalAdminSeats, SeatHolder } from './ports.ts';
import { isRevocationPending } from './provisioning.ts';
import { isReviewDue, revokeOverdueReview } from './review.ts';

export const SWEEP_ACTOR: Actor = { type: 'system', id: 'sweep' };

export const SWEEP_REASONS = {
  expired: REASONS.expired,
  reviewOverdue: 'REVIEW_OVERDUE',
  clearanceLapsed: 'CLEARANCE_LAPSED',
  principalInactive: 'PRINCIPAL_INACTIVE',
} as const;

/**
 * The next instant the sweep must act on an ACTIVE request: its review falling due, an open review's deadline, or
 * an open extension's deadline. Expiry is not here: grant rows are already indexed by expiresAt. The store keys
 * its sparse "due" index by this, so a sweep reads only what is due.
 */
/**
 * How long a request may sit APPROVED or PROVISIONING before the sweep takes the grant over: the workflow grants
 * within seconds, so this long means its execution gave up (a Lambda timeout, a Retry exhausted) with the seat, for
 * a PROVISIONING request, still held.
 */
export const STALLED_GRANT_AFTER_MS = 10 * 60_000;

/** When an APPROVED or PROVISIONING request counts as stalled: so long after its last approval. */
export function grantStalledAt(request: AccessRequest): string | undefined {
  if (request.status !== 'APPROVED' && request.status !== 'PROVISIONING') return undefined;
  const approvedAt =
    request.approvals
      .map((decision) => decision.at)
      .sort()
      .at(-1) ?? request.createdAt;
  return new Date(Date.parse(approvedAt) + STALLED_GRANT_AFTER_MS).toISOString();
}

export function sweepDueAt(request: AccessRequest): string | undefined {
  const stalled = grantStalledAt(request);
  if (stalled) return stalled;
  // A break-glass review outlives the grant: a 1-hour grant is still reviewed within the day.
  const breakGlass = breakGlassReviewDueAt(request);
  if (request.status !== 'ACTIVE' || !request.grant) return breakGlass;
  const candidates = [request.review ? request.review.deadline : request.grant.nextReviewAt];
  if (breakGlass) candidates.push(breakGlass);
  if (request.extension?.status === 'PENDING') candidates.push(request.extension.deadline);
  // A removal the platform failed is retried by the next sweep (expiries are already found by their grant rows).
  if (request.revocation && isRevocationPending(request)) candidates.push(request.revocation.requestedAt);
  return candidates.sort()[0];
}

export type DueAction =
  | 'grant-stalled'
  | 'break-glass-unreviewed'
  | 'review-overdue'
  | 'extension-timed-out'
  | 'review-due';

/** What is due on this request now, most consequential first; undefined when nothing is. */
export function dueAction(request: AccessRequest, now: string): DueAction | undefined {
  const stalled = grantStalledAt(request);
  if (stalled) return now >= stalled ? 'grant-stalled' : undefined;
  const breakGlass = breakGlassReviewDueAt(request);
  if (breakGlass && now >= breakGlass) return 'break-glass-unreviewed';
  if (request.status !== 'ACTIVE' || !request.grant) return undefined;
  if (request.review && now >= request.review.deadline) return 'review-overdue';
  if (request.extension?.status === 'PENDING' && !isExtensionOpen(request, now)) return 'extension-timed-out';
  if (isReviewDue(request, now)) return 'review-due';
  return undefined;
}

/** The transition for a due action that needs no outside input (prompts need reviewers: see openReview). */
export function dueTransition(
  action: Exclude<DueAction, 'review-due' | 'grant-stalled' | 'break-glass-unreviewed'>,
  request: AccessRequest,
  policy: Policy,
  now: string,
): Transition | undefined {
  return action === 'review-overdue'
    ? revokeOverdueReview(request, policy, now)
    : timeOutExtension(request, now);
}

/** The workflow's safety net: ACTIVE past expiresAt becomes EXPIRED, recorded as the sweep's doing. */
export function expireBySweep(request: AccessRequest, policy: Policy, now: string): Transition | undefined {
  if (request.status !== 'ACTIVE' || !request.grant || now < request.grant.expiresAt) return undefined;
  const transition = expireGrant(request, policy, now);
  return transition && { ...transition, event: { ...transition.event, actor: SWEEP_ACTOR } };
}

/** The holder no longer stands (deactivated, clearance lapsed): revoke, by the sweep or by whoever changed them. */
export function revokeForStanding(args: {
  readonly request: AccessRequest;
  readonly standing: { readonly reason: StandingReason; readonly detail: string };
  readonly actor: Actor;
  readonly policy: Policy;
  readonly now: string;
}): Transition | undefined {
  const { request, standing, actor, policy, now } = args;
  if (request.status !== 'ACTIVE') return undefined;
  const revoked = revokeGrant({ request, actor, reason: standing.reason, policy, now });
  return { ...revoked, event: { ...revoked.event, details: { detail: standing.detail } } };
}

/** The counters the seat holders say there should be, or undefined when the recorded ones already agree. */
export function correctedSeats(
  recorded: ExternalAdminSeats,
  holders: readonly SeatHolder[],
): ExternalAdminSeats | undefined {
  const byOrganisation: Record<string, number> = {};
  for (const organisation of Object.keys(recorded.byOrganisation)) byOrganisation[organisation] = 0;
  for (const holder of holders)
    byOrganisation[holder.organisation] = (byOrganisation[holder.organisation] ?? 0) + 1;
  const actual: ExternalAdminSeats = { total: holders.length, byOrganisation };
  const agrees =
    actual.total === recorded.total &&
    Object.entries(byOrganisation).every(([org, count]) => (recorded.byOrganisation[org] ?? 0) === count);
  return agrees ? undefined : actual;
}

/** How far the recorded total was off: positive when it counted seats nobody holds. */
export function seatDrift(recorded: ExternalAdminSeats, corrected: ExternalAdminSeats): number {
  return recorded.total - corrected.total;
}

export function seatsReconciledEvent(
  recorded: ExternalAdminSeats,
  corrected: ExternalAdminSeats,
  holders: readonly SeatHolder[],
  now: string,
): AuditEventDraft {
  const organisations = Object.keys(corrected.byOrganisation)
    .filter((org) => (recorded.byOrganisation[org] ?? 0) !== corrected.byOrganisation[org])
    .sort()
    .map((org) => `${org}: ${recorded.byOrganisation[org] ?? 0} -> ${corrected.byOrganisation[org]}`);
  return {
    action: 'SEATS_RECONCILED',
    actor: SWEEP_ACTOR,
    at: now,
    subject: { requestId: '', principalId: '', scopes: ['admin'] },
    outcome: 'success',
    reason: 'SEAT_COUNTER_DRIFT',
    details: {
      recorded: recorded.total,
      actual: corrected.total,
      drift: seatDrift(recorded, corrected),
      organisations,
      holders: holders.map((holder) => holder.requestId),
    },
  };
}
