// Who may see what. Every read route asks here, so the visibility rules live in one place.
import { deciderRefusal, ownsNamedDataset } from './dataset-owners.ts';
import { mayChangeDirectory } from './directory-changes.ts';
import { approverRefusal, meetsApproverRules } from './eligibility.ts';
import { isExtensionOpen } from './extension.ts';
import type { AccessRequest, Principal } from './model.ts';
import type { Policy } from './policy.ts';

export function hasRole(principal: Principal, role: Principal['roles'][number]): boolean {
  return principal.active && principal.roles.includes(role);
}

export function isEligibleApproverFor(
  principal: Principal,
  request: AccessRequest,
  policy: Policy,
  now: string,
): boolean {
  return approverRefusal(principal, request, policy, now) === undefined;
}

/** The requester, eligible approvers, access-admins and auditors; everyone else is told it does not exist. */
export function mayViewRequest(
  caller: Principal,
  request: AccessRequest,
  policy: Policy,
  now: string,
): boolean {
  return (
    caller.id === request.requester ||
    hasRole(caller, 'access-admin') ||
    hasRole(caller, 'auditor') ||
    isEligibleApproverFor(caller, request, policy, now) ||
    ownsNamedDataset(caller, request)
  );
}

/** Directors (approver grade, home organisation, valid clearance), access-admins and auditors. */
export function mayViewAccess(caller: Principal, policy: Policy, now: string): boolean {
  return (
    hasRole(caller, 'access-admin') || hasRole(caller, 'auditor') || meetsApproverRules(caller, policy, now)
  );
}

export function mayViewAudit(caller: Principal): boolean {
  return hasRole(caller, 'access-admin') || hasRole(caller, 'auditor');
}

export function mayViewDirectory(caller: Principal): boolean {
  return hasRole(caller, 'access-admin') || hasRole(caller, 'auditor');
}

export interface Capabilities {
  /** May submit requests (what they may hold is then decided per scope by the requester rules). */
  readonly canRequest: boolean;
  /** Meets the approver rules (home organisation, approver grade, valid clearance): may decide others' requests. */
  readonly canApprove: boolean;
  /** May read the audit trail, its exports and verification. */
  readonly canAudit: boolean;
  /** May change the directory (access-admin). */
  readonly canAdminister: boolean;
}

/** What the caller may do, from the same rules the routes enforce (for a client to show only what will work). */
export function capabilitiesOf(caller: Principal, policy: Policy, now: string): Capabilities {
  return {
    canRequest: caller.active,
    canApprove: meetsApproverRules(caller, policy, now),
    canAudit: mayViewAudit(caller),
    canAdminister: mayChangeDirectory(caller),
  };
}

/** A pending request the caller may still decide: not their own, eligible, not decided by them yet. */
export function mayDecideRequest(
  caller: Principal,
  request: AccessRequest,
  policy: Policy,
  now: string,
): boolean {
  return (
    request.status === 'PENDING_APPROVAL' &&
    request.requester !== caller.id &&
    deciderRefusal(caller, request, policy, now) === undefined &&
    !request.approvals.some((decision) => decision.approverId === caller.id)
  );
}

/** An open extension round the caller may still decide (decideExtension's rules, without the holder's). */
export function mayDecideExtension(
  caller: Principal,
  request: AccessRequest,
  policy: Policy,
  now: string,
): boolean {
  return (
    request.status === 'ACTIVE' &&
    isExtensionOpen(request, now) &&
    deciderRefusal(caller, request, policy, now, undefined, request.extension) === undefined &&
    !(request.extension?.approvals ?? []).some((decision) => decision.approverId === caller.id)
  );
}

/** An open recertification round the caller may answer (answerReview's rules). */
export function mayDecideReview(
  caller: Principal,
  request: AccessRequest,
  policy: Policy,
  now: string,
): boolean {
  return (
    request.status === 'ACTIVE' &&
    request.review !== undefined &&
    now < request.review.deadline &&
    isEligibleApproverFor(caller, request, policy, now)
  );
}
