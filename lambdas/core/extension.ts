// Extension without a gap: the holder of an ACTIVE grant asks for more time, approvers decide under the same rules
// as the original request (a dataset's owners too, per `approvals.dataset` when the round opens), and access
// carries on meanwhile. Approved in time, expiresAt moves; otherwise the original expiry stands. The total length
// of a grant stays within the policy's maxTotalDuration.
import type { Actor } from './audit.ts';
import { assertNotBreakGlass } from './break-glass.ts';
import {
  approvalCapacity,
  datasetTitlesOf,
  deciderRefusal,
  isFullyApproved,
  ownerApprovalFor,
} from './dataset-owners.ts';
import { addDuration, parseDuration } from './duration.ts';
import { approvalsRequiredFor, assertRequesterEligible } from './eligibility.ts';
import { ConflictError, ForbiddenError, ValidationError } from './errors.ts';
import { maxDurationFor, nothingToDecide, requestEvent, type Transition } from './lifecycle.ts';
import type { AccessRequest, Dataset, DecisionChannel, ExtensionRound, Principal, Scope } from './model.ts';
import type { Policy } from './policy.ts';

export interface ExtensionInput {
  readonly duration: string;
  readonly justification: string;
}

const SWEEP: Actor = { type: 'system', id: 'sweep' };

export function maxTotalDurationFor(scopes: readonly Scope[], policy: Policy): string {
  return scopes.includes('admin') ? policy.maxTotalDuration.admin : policy.maxTotalDuration.dataset;
}

function earlier(a: string, b: string): string {
  return a <= b ? a : b;
}

/** The round is open: PENDING and its deadline not yet passed. */
export function isExtensionOpen(request: AccessRequest, now: string): boolean {
  return request.extension?.status === 'PENDING' && now < request.extension.deadline;
}

/** ACTIVE -> ACTIVE with a PENDING extension round. Only the holder asks; access is unchanged meanwhile. */
export function requestExtension(args: {
  readonly request: AccessRequest;
  readonly holder: Principal;
  readonly input: ExtensionInput;
  readonly catalogue: ReadonlyMap<string, Dataset>;
  readonly policy: Policy;
  readonly now: string;
}): Transition {
  const { request, holder, input, catalogue, policy, now } = args;
  if (holder.id !== request.requester) {
    throw new ForbiddenError('NOT_HOLDER', 'only the holder of the grant can ask to extend it');
  }
  const grant = request.grant;
  if (request.status !== 'ACTIVE' || !grant || now >= grant.expiresAt) {
    throw new ConflictError(
      'NOT_ACTIVE',
      `request ${request.id} is ${request.status}; only active grants extend`,
    );
  }
  assertNotBreakGlass(request);
  if (isExtensionOpen(request, now)) {
    throw new ConflictError(
      'EXTENSION_OPEN',
      `request ${request.id} already has an extension awaiting approval`,
    );
  }
  const durationMs = parseDuration(input.duration, 'duration');
  if (durationMs < parseDuration(policy.minDuration)) {
    throw new ValidationError('duration', `duration must be at least ${policy.minDuration}`);
  }
  const max = maxDurationFor(request.scopes, policy);
  if (durationMs > parseDuration(max)) {
    throw new ValidationError('duration', `one extension is at most ${max}`);
  }
  const justification = input.justification.trim();
  if (justification.length < policy.justificationMinLength) {
    throw new ValidationError(
      'justification',
      `justification must be at least ${policy.justificationMinLength} characters`,
    );
  }
  const expiresAt = addDuration(grant.expiresAt, input.duration);
  const maxTotal = maxTotalDurationFor(request.scopes, policy);
  if (Date.parse(expiresAt) - Date.parse(grant.grantedAt) > parseDuration(maxTotal)) {
    throw new ValidationError(
      'duration',
      `a grant lasts at most ${maxTotal} in total; it was granted at ${grant.grantedAt}`,
    );
  }
  // The holder must qualify for the whole extended grant, exactly as a new request would.
  assertRequesterEligible(holder, request.scopes, catalogue, expiresAt, policy, now);
  const extension: ExtensionRound = {
    duration: input.duration,
    justification,
    requestedAt: now,
    expiresAt,
    approvalsRequired: approvalsRequiredFor(request.scopes, request.external, policy),
    approvals: [],
    ownerApproval: ownerApprovalFor(request.scopes, catalogue, policy),
    status: 'PENDING',
    // After expiry there is nothing left to extend: the original end stands.
    deadline: earlier(addDuration(now, policy.approvalTimeout), grant.expiresAt),
  };
  const next: AccessRequest = { ...request, extension };
  return {
    expectedStatus: 'ACTIVE',
    request: next,
    event: requestEvent(next, 'EXTENSION_REQUESTED', { type: 'principal', id: holder.id }, now, {
      reason: justification,
      details: {
        duration: input.duration,
        expiresAt,
        currentExpiresAt: grant.expiresAt,
        deadline: extension.deadline,
        approvalsRequired: extension.approvalsRequired,
      },
    }),
  };
}

export function assertExtensionPending(request: AccessRequest, now: string): ExtensionRound {
  const extension = request.extension;
  if (request.status !== 'ACTIVE' || extension?.status !== 'PENDING') throw nothingToDecide(request);
  if (now >= extension.deadline) {
    throw new ConflictError(
      'NOT_PENDING',
      `the extension window of request ${request.id} closed at ${extension.deadline}`,
    );
  }
  return extension;
}

/**
 * One approver's decision on the open round; the approvals its plan needs (directors, and owners of the named
 * datasets when the round fixed owners) move expiresAt, one deny closes it.
 */
export function decideExtension(args: {
  readonly request: AccessRequest;
  readonly approver: Principal;
  /** The holder as the directory has them now: the extended grant must still be theirs to hold. */
  readonly holder: Principal | undefined;
  readonly decision: 'approve' | 'deny';
  readonly comment?: string | undefined;
  readonly channel: DecisionChannel;
  readonly catalogue: ReadonlyMap<string, Dataset>;
  readonly policy: Policy;
  readonly now: string;
}): Transition {
  const { request, approver, holder, decision, channel, catalogue, policy, now } = args;
  const extension = assertExtensionPending(request, now);
  const grant = request.grant;
  if (!grant) throw new ConflictError('NOT_ACTIVE', `request ${request.id} holds no grant`);
  const refusal = deciderRefusal(
    approver,
    request,
    policy,
    now,
    datasetTitlesOf(catalogue.values()),
    extension,
  );
  if (refusal) throw new ForbiddenError(refusal.code, refusal.message);
  if (extension.approvals.some((existing) => existing.approverId === approver.id)) {
    throw new ConflictError('ALREADY_DECIDED', `${approver.id} has already decided this extension`);
  }
  const comment = args.comment?.trim() || undefined;
  if (decision === 'deny' && !comment && channel !== 'api') {
    throw new ValidationError('comment', 'a deny needs a comment saying why');
  }
  const capacity = extension.ownerApproval
    ? approvalCapacity(approver, request, policy, now, extension)
    : undefined;
  const approvals = [
    ...extension.approvals,
    { approverId: approver.id, decision, comment, at: now, channel, capacity },
  ];
  const actor: Actor = { type: 'principal', id: approver.id };
  if (decision === 'deny') {
    const denied: AccessRequest = {
      ...request,
      extension: { ...extension, approvals, status: 'DENIED', closedAt: now },
    };
    return {
      expectedStatus: 'ACTIVE',
      request: denied,
      event: requestEvent(denied, 'EXTENSION_DENIED', actor, now, {
        reason: comment,
        details: { channel, expiresAt: grant.expiresAt },
      }),
    };
  }
  const approved = approvals.filter((entry) => entry.decision === 'approve').length;
  if (!isFullyApproved({ ...extension, approvals })) {
    const recorded: AccessRequest = { ...request, extension: { ...extension, approvals } };
    return {
      expectedStatus: 'ACTIVE',
      request: recorded,
      event: requestEvent(recorded, 'EXTENSION_APPROVAL_RECORDED', actor, now, {
        reason: comment,
        details: { channel, approvals: approved, approvalsRequired: extension.approvalsRequired },
      }),
    };
  }
  if (!holder) throw new ForbiddenError('PRINCIPAL_UNKNOWN', `${request.requester} left the directory`);
  assertRequesterEligible(holder, request.scopes, catalogue, extension.expiresAt, policy, now);
  const extended: AccessRequest = {
    ...request,
    grant: { ...grant, expiresAt: extension.expiresAt },
    extension: { ...extension, approvals, status: 'APPROVED', closedAt: now },
  };
  return {
    expectedStatus: 'ACTIVE',
    request: extended,
    event: requestEvent(extended, 'EXTENSION_APPROVED', actor, now, {
      reason: comment,
      details: {
        channel,
        expiresAt: extension.expiresAt,
        previousExpiresAt: grant.expiresAt,
        approvedBy: approvals.map((entry) => entry.approverId),
      },
    }),
    grants: 'refresh',
  };
}

/** The round's deadline passed without enough approvals. Undefined while it is still open or already closed. */
export function timeOutExtension(request: AccessRequest, now: string): Transition | undefined {
  const extension = request.extension;
  if (request.status !== 'ACTIVE' || extension?.status !== 'PENDING' || now < extension.deadline) {
    return undefined;
  }
  const timedOut: AccessRequest = {
    ...request,
    extension: { ...extension, status: 'TIMED_OUT', closedAt: now },
  };
  return {
    expectedStatus: 'ACTIVE',
    request: timedOut,
    event: requestEvent(timedOut, 'EXTENSION_TIMED_OUT', SWEEP, now, {
      reason: 'APPROVAL_TIMEOUT',
      details: {
        approvals: extension.approvals.length,
        approvalsRequired: extension.approvalsRequired,
        expiresAt: request.grant?.expiresAt ?? '',
      },
    }),
  };
}
