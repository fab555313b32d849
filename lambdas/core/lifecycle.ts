// The request lifecycle as pure transitions: each returns the next state of the request, the audit event
// that records it and the side effects (cap seat, admin lock, grant rows) that must commit atomically with it.
import type { Actor, AuditAction, AuditEventDraft } from './audit.ts';
import { approvalCapacity, deciderRefusal, isFullyApproved, ownerApprovalFor } from './dataset-owners.ts';
import { addDuration, parseDuration } from './duration.ts';
import { approvalsRequiredFor, assertRequesterEligible, isExternal } from './eligibility.ts';
import { CapReachedError, ConflictError, ForbiddenError, ValidationError } from './errors.ts';
import type {
  AccessRequest,
  Dataset,
  DecisionChannel,
  Grant,
  Principal,
  RequestStatus,
  Scope,
} from './model.ts';
import type { Policy } from './policy.ts';
import { datasetIdOf, parseScopes } from './scopes.ts';

export interface SeatChange {
  readonly op: 'take' | 'release';
  readonly organisation: string;
  readonly cap: number;
  readonly organisationCap?: number | undefined;
}

/** One holder more or fewer on each dataset a grant names; `max` (at take) is the dataset's maxConcurrentHolders. */
export interface HolderChange {
  readonly op: 'take' | 'release';
  readonly datasets: readonly { readonly id: string; readonly max?: number | undefined }[];
}

export interface Transition {
  /** The status the stored request must still have for the change to apply; undefined on creation. */
  readonly expectedStatus: RequestStatus | undefined;
  readonly request: AccessRequest;
  readonly event: AuditEventDraft;
  /** An external-admin seat taken at grant time (atomically, against the cap) or given back. */
  readonly seat?: SeatChange | undefined;
  /** Dataset holder counters, taken at grant time atomically against each limit, released when access ends. */
  readonly holders?: HolderChange | undefined;
  /** One open admin request per principal: taken at submission, released when the request ends. */
  readonly adminLock?: 'take' | 'release' | undefined;
  /**
   * Grant rows (one per scope) opened when access starts and closed when it ends; `refresh` rewrites their
   * expiresAt and nextReviewAt from the request's grant (an extension, a kept review).
   */
  readonly grants?: 'open' | 'close' | 'refresh' | undefined;
}

export interface SubmissionInput {
  readonly scopes: readonly string[];
  readonly justification: string;
  readonly duration: string;
  readonly ticket?: string | undefined;
}

export const REASONS = {
  capReached: 'CAP_REACHED',
  expired: 'EXPIRED',
  approvalTimeout: 'APPROVAL_TIMEOUT',
} as const;

function event(
  request: AccessRequest,
  action: AuditAction,
  actor: Actor,
  at: string,
  extra: Partial<Pick<AuditEventDraft, 'reason' | 'details' | 'outcome'>> = {},
): AuditEventDraft {
  return {
    action,
    actor,
    at,
    subject: { requestId: request.id, principalId: request.requester, scopes: request.scopes },
    outcome: extra.outcome ?? 'success',
    reason: extra.reason,
    details: extra.details,
  };
}

/** The event builder every request transition uses, for the rules that live beside this file (reviews, extensions). */
export { event as requestEvent };

export function maxDurationFor(scopes: readonly Scope[], policy: Policy): string {
  return scopes.includes('admin') ? policy.maxDuration.admin : policy.maxDuration.dataset;
}

/** The steps that decide a request: each records the policy version it was decided under. */
const DECIDING_ACTIONS: ReadonlySet<AuditAction> = new Set<AuditAction>([
  'REQUEST_SUBMITTED',
  'APPROVAL_RECORDED',
  'REQUEST_APPROVED',
  'REQUEST_DENIED',
  'REQUEST_REJECTED',
  'GRANT_ACTIVATED',
]);

/** The transition with the version of the rules it was decided under, when it decides anything. */
export function underPolicyVersion(transition: Transition, version: number): Transition {
  if (!DECIDING_ACTIONS.has(transition.event.action)) return transition;
  return { ...transition, request: { ...transition.request, policyVersion: version } };
}

export function countsAgainstCap(request: Pick<AccessRequest, 'external' | 'scopes'>): boolean {
  return request.external && request.scopes.includes('admin');
}

export function seatFor(
  request: AccessRequest,
  op: SeatChange['op'],
  policy: Policy,
): SeatChange | undefined {
  if (!request.countsAgainstCap) return undefined;
  return {
    op,
    organisation: request.requesterOrganisation,
    cap: policy.externalAdminCap,
    organisationCap: policy.organisationAdminCaps[request.requesterOrganisation],
  };
}

/** Every dataset of the request counts its holders, limited or not, so a limit set later starts from the truth. */
export function holdersFor(
  request: AccessRequest,
  op: HolderChange['op'],
  catalogue?: ReadonlyMap<string, Dataset>,
): HolderChange | undefined {
  const ids = request.scopes.flatMap((scope) => datasetIdOf(scope) ?? []);
  if (ids.length === 0) return undefined;
  const max = (id: string) => (op === 'take' ? catalogue?.get(id)?.maxConcurrentHolders : undefined);
  return { op, datasets: ids.map((id) => ({ id, max: max(id) })) };
}

/** Access ending closes an extension round still awaiting approvers: the original expiry stood. */
export function withExtensionClosed(request: AccessRequest, now: string): AccessRequest {
  const extension = request.extension;
  if (extension?.status !== 'PENDING') return request;
  return { ...request, extension: { ...extension, status: 'TIMED_OUT', closedAt: now } };
}

export function adminLockRelease(request: AccessRequest): 'release' | undefined {
  return request.scopes.includes('admin') ? 'release' : undefined;
}

/** Validates a submission and creates the PENDING_APPROVAL request. */
export function submitRequest(args: {
  readonly id: string;
  readonly input: SubmissionInput;
  readonly requester: Principal;
  readonly catalogue: ReadonlyMap<string, Dataset>;
  readonly policy: Policy;
  readonly now: string;
}): Transition {
  const { id, input, requester, catalogue, policy, now } = args;
  const scopes = parseScopes(input.scopes, catalogue, policy.maxScopesPerRequest);
  const durationMs = parseDuration(input.duration, 'duration');
  if (durationMs < parseDuration(policy.minDuration)) {
    throw new ValidationError('duration', `duration must be at least ${policy.minDuration}`);
  }
  const max = maxDurationFor(scopes, policy);
  if (durationMs > parseDuration(max)) {
    throw new ValidationError(
      'duration',
      `duration for ${scopes.includes('admin') ? 'admin' : 'datasets'} is at most ${max}`,
    );
  }
  const justification = input.justification.trim();
  if (justification.length < policy.justificationMinLength) {
    throw new ValidationError(
      'justification',
      `justification must be at least ${policy.justificationMinLength} characters`,
    );
  }
  const ticket = input.ticket?.trim() || undefined;
  if (policy.requireTicket && !ticket) throw new ValidationError('ticket', 'ticket is required by policy');
  // The grant cannot start before approval; the clearance must at least cover a grant starting now.
  assertRequesterEligible(requester, scopes, catalogue, addDuration(now, input.duration), policy, now);
  const external = isExternal(requester, policy);
  const request: AccessRequest = {
    id,
    requester: requester.id,
    requesterOrganisation: requester.organisation,
    external,
    scopes,
    duration: input.duration,
    justification,
    ticket,
    createdAt: now,
    status: 'PENDING_APPROVAL',
    approvalsRequired: approvalsRequiredFor(scopes, external, policy),
    approvals: [],
    approvalDeadline: addDuration(now, policy.approvalTimeout),
    ownerApproval: ownerApprovalFor(scopes, catalogue, policy),
    countsAgainstCap: countsAgainstCap({ external, scopes }),
  };
  return {
    expectedStatus: undefined,
    request,
    event: event(request, 'REQUEST_SUBMITTED', { type: 'principal', id: requester.id }, now, {
      details: { duration: input.duration, approvalsRequired: request.approvalsRequired, external },
    }),
    adminLock: scopes.includes('admin') ? 'take' : undefined,
  };
}

/** The courtesy cap check at submission; the binding check is the conditional write at grant time. */
export function assertSeatLikelyAvailable(
  request: AccessRequest,
  seats: { readonly total: number; readonly byOrganisation: Readonly<Record<string, number>> },
  policy: Policy,
): void {
  if (!request.countsAgainstCap) return;
  if (seats.total >= policy.externalAdminCap) {
    throw new CapReachedError(
      `all ${policy.externalAdminCap} external admin seats are in use; try again when one is released`,
    );
  }
  const orgCap = policy.organisationAdminCaps[request.requesterOrganisation];
  if (orgCap !== undefined && (seats.byOrganisation[request.requesterOrganisation] ?? 0) >= orgCap) {
    throw new CapReachedError(
      `all ${orgCap} external admin seats of ${request.requesterOrganisation} are in use`,
    );
  }
}

/**
 * Why a request has nothing left to decide, in the words every channel (API, link, reply, Slack) gives a late
 * decision: the request, or its extension round, was already decided — never "no extension awaiting a decision"
 * for a reply to a request that was approved a minute ago.
 */
export function nothingToDecide(request: AccessRequest): ConflictError {
  const extension = request.extension;
  if (request.status === 'ACTIVE' && extension && extension.status !== 'PENDING') {
    return new ConflictError(
      'NOT_PENDING',
      `the extension of request ${request.id} was already decided: it is ${extension.status}; nothing is awaiting a decision`,
    );
  }
  if (request.status === 'CANCELLED') {
    return new ConflictError(
      'NOT_PENDING',
      `request ${request.id} was cancelled by its requester; nothing is awaiting a decision`,
    );
  }
  return new ConflictError(
    'NOT_PENDING',
    `request ${request.id} was already decided: it is now ${request.status}; nothing is awaiting a decision`,
  );
}

export function assertPending(request: AccessRequest, now: string): void {
  if (request.status !== 'PENDING_APPROVAL') throw nothingToDecide(request);
  if (now >= request.approvalDeadline) {
    throw new ConflictError(
      'NOT_PENDING',
      `the approval window of request ${request.id} closed at ${request.approvalDeadline}`,
    );
  }
}

/** Records one approver's decision. Reaching the required number of distinct approvals approves; one deny denies. */
export function decideRequest(args: {
  readonly request: AccessRequest;
  readonly approver: Principal;
  readonly decision: 'approve' | 'deny';
  readonly comment?: string | undefined;
  readonly channel: DecisionChannel;
  readonly policy: Policy;
  readonly now: string;
  /** Dataset titles by id, so a refused owner is told which datasets in words. */
  readonly datasetTitles?: ReadonlyMap<string, string> | undefined;
}): Transition {
  const { request, approver, decision, channel, policy, now } = args;
  assertPending(request, now);
  const refusal = deciderRefusal(approver, request, policy, now, args.datasetTitles);
  if (refusal) throw new ForbiddenError(refusal.code, refusal.message);
  if (request.approvals.some((existing) => existing.approverId === approver.id)) {
    throw new ConflictError('ALREADY_DECIDED', `${approver.id} has already decided request ${request.id}`);
  }
  const comment = args.comment?.trim() || undefined;
  if (decision === 'deny' && !comment && channel !== 'api') {
    // The API accepts a bare deny; the pages and chat prompts ask for a reason.
    throw new ValidationError('comment', 'a deny needs a comment saying why');
  }
  const capacity = request.ownerApproval ? approvalCapacity(approver, request, policy, now) : undefined;
  const approvals = [
    ...request.approvals,
    { approverId: approver.id, decision, comment, at: now, channel, capacity },
  ];
  const actor: Actor = { type: 'principal', id: approver.id };
  if (decision === 'deny') {
    const denied: AccessRequest = {
      ...request,
      approvals,
      status: 'DENIED',
      reason: comment,
      closedBy: approver.id,
      closedAt: now,
    };
    return {
      expectedStatus: 'PENDING_APPROVAL',
      request: denied,
      event: event(denied, 'REQUEST_DENIED', actor, now, { reason: comment, details: { channel } }),
      adminLock: adminLockRelease(denied),
    };
  }
  const approvedCount = approvals.filter((entry) => entry.decision === 'approve').length;
  const reached = isFullyApproved({ ...request, approvals });
  const next: AccessRequest = { ...request, approvals, status: reached ? 'APPROVED' : 'PENDING_APPROVAL' };
  return {
    expectedStatus: 'PENDING_APPROVAL',
    request: next,
    event: event(next, reached ? 'REQUEST_APPROVED' : 'APPROVAL_RECORDED', actor, now, {
      reason: comment,
      details: { channel, approvals: approvedCount, approvalsRequired: request.approvalsRequired },
    }),
  };
}

export function cancelRequest(request: AccessRequest, actor: Principal, now: string): Transition {
  if (actor.id !== request.requester) {
    throw new ForbiddenError('NOT_REQUESTER', 'only the requester can cancel a request');
  }
  if (request.status !== 'PENDING_APPROVAL') {
    throw new ConflictError(
      'NOT_PENDING',
      `request ${request.id} is ${request.status}; only pending requests can be cancelled`,
    );
  }
  const cancelled: AccessRequest = {
    ...request,
    status: 'CANCELLED',
    closedBy: actor.id,
    closedAt: now,
    reason: 'CANCELLED_BY_REQUESTER',
  };
  return {
    expectedStatus: 'PENDING_APPROVAL',
    request: cancelled,
    event: event(cancelled, 'REQUEST_CANCELLED', { type: 'principal', id: actor.id }, now, {
      reason: cancelled.reason,
    }),
    adminLock: adminLockRelease(cancelled),
  };
}

/** The approval window closed without enough approvals. Undefined when the request was already decided. */
export function timeOutRequest(request: AccessRequest, now: string): Transition | undefined {
  if (request.status !== 'PENDING_APPROVAL') return undefined;
  const timedOut: AccessRequest = {
    ...request,
    status: 'TIMED_OUT',
    reason: REASONS.approvalTimeout,
    closedAt: now,
  };
  return {
    expectedStatus: 'PENDING_APPROVAL',
    request: timedOut,
    event: event(timedOut, 'REQUEST_TIMED_OUT', { type: 'system', id: 'workflow' }, now, {
      reason: REASONS.approvalTimeout,
      details: { approvals: request.approvals.length, approvalsRequired: request.approvalsRequired },
    }),
    adminLock: adminLockRelease(timedOut),
  };
}

/** Ends a request that can no longer be granted (cap full, requester no longer eligible). */
export function rejectRequest(
  request: AccessRequest,
  reason: string,
  detail: string,
  now: string,
): Transition {
  const expectedStatus = request.status;
  if (expectedStatus !== 'APPROVED' && expectedStatus !== 'PENDING_APPROVAL') {
    throw new ConflictError('NOT_PENDING', `request ${request.id} is ${request.status}`);
  }
  const rejected: AccessRequest = { ...request, status: 'REJECTED', reason, closedAt: now };
  return {
    expectedStatus,
    request: rejected,
    event: event(rejected, 'REQUEST_REJECTED', { type: 'system', id: 'workflow' }, now, {
      reason,
      outcome: 'refused',
      details: { detail },
    }),
    adminLock: adminLockRelease(rejected),
  };
}

/** The grant an approved request gets when its access starts at `now`. */
export function grantStartingAt(request: AccessRequest, policy: Policy, now: string): Grant {
  const reviewInterval = request.scopes.includes('admin') ? policy.review.admin : policy.review.dataset;
  const approvedBy = request.approvals
    .filter((entry) => entry.decision === 'approve')
    .map((entry) => entry.approverId);
  return {
    grantedAt: now,
    expiresAt: addDuration(now, request.duration),
    approvedBy,
    nextReviewAt: addDuration(now, reviewInterval),
  };
}

/** Refuses a transition from any status but `expected` (ConflictError `NOT_<expected>`). */
export function assertStatus(request: AccessRequest, expected: RequestStatus): void {
  if (request.status !== expected) {
    throw new ConflictError(`NOT_${expected}`, `request ${request.id} is ${request.status}, not ${expected}`);
  }
}

/** APPROVED -> ACTIVE. The seat is taken by the same atomic write, which fails when the cap is full. */
export function grantAccess(
  request: AccessRequest,
  policy: Policy,
  now: string,
  catalogue?: ReadonlyMap<string, Dataset>,
): Transition {
  assertStatus(request, 'APPROVED');
  const grant = grantStartingAt(request, policy, now);
  const { expiresAt, approvedBy } = grant;
  const active: AccessRequest = { ...request, status: 'ACTIVE', grant };
  return {
    expectedStatus: 'APPROVED',
    request: active,
    event: event(active, 'GRANT_ACTIVATED', { type: 'system', id: 'workflow' }, now, {
      details: {
        expiresAt,
        approvedBy,
        countsAgainstCap: request.countsAgainstCap,
        ...(request.breakGlass ? { breakGlass: true } : {}),
      },
    }),
    seat: seatFor(request, 'take', policy),
    holders: holdersFor(request, 'take', catalogue),
    grants: 'open',
  };
}

/** ACTIVE -> EXPIRED at or after expiresAt. Undefined (a no-op) when access already ended. */
export function expireGrant(request: AccessRequest, policy: Policy, now: string): Transition | undefined {
  if (request.status !== 'ACTIVE' || !request.grant) return undefined;
  if (now < request.grant.expiresAt) {
    throw new ConflictError('NOT_EXPIRED', `request ${request.id} expires at ${request.grant.expiresAt}`);
  }
  const expired: AccessRequest = {
    ...withExtensionClosed(request, now),
    status: 'EXPIRED',
    reason: REASONS.expired,
    closedAt: now,
  };
  return {
    expectedStatus: 'ACTIVE',
    request: expired,
    event: event(expired, 'GRANT_EXPIRED', { type: 'system', id: 'workflow' }, now, {
      reason: REASONS.expired,
      details: request.extension?.status === 'PENDING' ? { extension: 'TIMED_OUT' } : undefined,
    }),
    seat: seatFor(request, 'release', policy),
    holders: holdersFor(request, 'release'),
    adminLock: adminLockRelease(expired),
    grants: 'close',
  };
}

export type RevokeAuthority = 'holder' | 'access-admin' | 'approver';

/** ACTIVE -> REVOKED. Who may revoke is decided by the caller's authority, computed by mayRevoke. */
export function revokeGrant(args: {
  readonly request: AccessRequest;
  readonly actor: Actor;
  readonly reason: string;
  readonly policy: Policy;
  readonly now: string;
}): Transition {
  const { request, actor, policy, now } = args;
  const reason = args.reason.trim();
  if (!reason) throw new ValidationError('reason', 'reason is required to revoke access');
  if (request.status !== 'ACTIVE') {
    throw new ConflictError(
      'NOT_ACTIVE',
      `request ${request.id} is ${request.status}; only active grants can be revoked`,
    );
  }
  const revoked: AccessRequest = {
    ...withExtensionClosed(request, now),
    status: 'REVOKED',
    reason,
    closedBy: actor.id,
    closedAt: now,
  };
  return {
    expectedStatus: 'ACTIVE',
    request: revoked,
    event: event(revoked, 'GRANT_REVOKED', actor, now, { reason }),
    seat: seatFor(request, 'release', policy),
    holders: holdersFor(request, 'release'),
    adminLock: adminLockRelease(revoked),
    grants: 'close',
  };
}

/** The holder, any access-admin and any eligible approver may revoke. */
export function revokeAuthority(
  request: AccessRequest,
  actor: Principal,
  isEligibleApprover: boolean,
): RevokeAuthority | undefined {
  if (actor.id === request.requester) return 'holder';
  if (actor.active && actor.roles.includes('access-admin')) return 'access-admin';
  if (isEligibleApprover) return 'approver';
  return undefined;
}

/** An audit-only step on the request's stream (approval prompts, notifications); the status is unchanged. */
export function recordOnRequest(
  request: AccessRequest,
  action: Extract<AuditAction, 'APPROVAL_REQUESTED' | 'NOTIFICATION_SENT' | 'NOTIFICATION_FAILED'>,
  actor: Actor,
  now: string,
  details: AuditEventDraft['details'],
  outcome: AuditEventDraft['outcome'] = 'success',
): Transition {
  return {
    expectedStatus: request.status,
    request,
    event: event(request, action, actor, now, { details, outcome }),
  };
}
