// Who may see what. Every read route asks here, so the visibility rules live in one place.
import { approverRefusal } from './eligibility.ts';
import type { AccessRequest, Principal } from './model.ts';
import type { Policy } from './policy.ts';

function hasRole(principal: Principal, role: Principal['roles'][number]): boolean {
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
    isEligibleApproverFor(caller, request, policy, now)
  );
}

/** Directors (approver grade, home organisation, valid clearance), access-admins and auditors. */
export function mayViewAccess(caller: Principal, policy: Policy, now: string): boolean {
  return (
    hasRole(caller, 'access-admin') ||
    hasRole(caller, 'auditor') ||
    approverRefusal(caller, { requester: '' }, policy, now) === undefined
  );
}

export function mayViewAudit(caller: Principal): boolean {
  return hasRole(caller, 'access-admin') || hasRole(caller, 'auditor');
}

export function mayViewDirectory(caller: Principal): boolean {
  return hasRole(caller, 'access-admin') || hasRole(caller, 'auditor');
}
