// Who may request what, and who may approve: the requester and approver rules of the policy.
import { ForbiddenError } from './errors.ts';
import type { AccessRequest, ClearanceLevel, Dataset, Principal, Scope } from './model.ts';
import { CLEARANCE_LEVELS } from './model.ts';
import type { Policy } from './policy.ts';
import { datasetIdOf } from './scopes.ts';

export function isExternal(principal: Pick<Principal, 'organisation'>, policy: Policy): boolean {
  return principal.organisation !== policy.homeOrganisation;
}

/** Instants compared as times, not strings: directory data may carry offsets other than Z. */
function isAtOrBefore(a: string, b: string): boolean {
  const left = Date.parse(a);
  const right = Date.parse(b);
  // An unparseable expiry counts as already expired.
  return Number.isNaN(left) || Number.isNaN(right) || left <= right;
}

function rank(level: ClearanceLevel): number {
  return CLEARANCE_LEVELS.indexOf(level);
}

/** The highest clearance any of the scopes demands, or null when none is needed. */
export function requiredClearance(
  scopes: readonly Scope[],
  datasets: ReadonlyMap<string, Dataset>,
  policy: Policy,
): ClearanceLevel | null {
  let required: ClearanceLevel | null = null;
  for (const scope of scopes) {
    const datasetId = datasetIdOf(scope);
    const dataset = datasetId ? datasets.get(datasetId) : undefined;
    // A dataset missing from the catalogue (withdrawn meanwhile) is treated as identifiable: fail closed.
    const needed =
      scope === 'admin'
        ? policy.minClearance.admin
        : dataset === undefined || dataset.sensitivity === 'identifiable'
          ? policy.minClearance.dataset
          : policy.minClearance.nonIdentifiableDataset;
    if (needed && (required === null || rank(needed) > rank(required))) required = needed;
  }
  return required;
}

/**
 * Throws a 403-class error naming why the requester may not hold these scopes until `grantEndsAt`.
 * Used at submission, when the workflow starts and again at grant time, so the rule lives here only.
 */
export function assertRequesterEligible(
  requester: Principal,
  scopes: readonly Scope[],
  datasets: ReadonlyMap<string, Dataset>,
  grantEndsAt: string,
  policy: Policy,
  now: string,
): void {
  if (!requester.active) throw new ForbiddenError('PRINCIPAL_INACTIVE', `${requester.id} is not active`);
  const required = requiredClearance(scopes, datasets, policy);
  if (required === null) return;
  const clearance = requester.clearance;
  if (!clearance) {
    throw new ForbiddenError('CLEARANCE_MISSING', `${scopes.join(', ')} requires ${required} clearance`);
  }
  if (isAtOrBefore(clearance.expiresAt, now)) {
    throw new ForbiddenError(
      'CLEARANCE_EXPIRED',
      `clearance ${clearance.level} expired at ${clearance.expiresAt}`,
    );
  }
  if (rank(clearance.level) < rank(required)) {
    throw new ForbiddenError(
      'CLEARANCE_INSUFFICIENT',
      `${scopes.join(', ')} requires ${required} clearance; ${requester.id} holds ${clearance.level}`,
    );
  }
  if (isAtOrBefore(clearance.expiresAt, grantEndsAt) && clearance.expiresAt !== grantEndsAt) {
    throw new ForbiddenError(
      'CLEARANCE_EXPIRES_BEFORE_GRANT_END',
      `clearance expires at ${clearance.expiresAt}, before the grant would end at ${grantEndsAt}`,
    );
  }
}

export function approvalsRequiredFor(scopes: readonly Scope[], external: boolean, policy: Policy): number {
  return external && scopes.includes('admin')
    ? policy.approvalsRequired.externalAdmin
    : policy.approvalsRequired.default;
}

export type ApproverRefusal = {
  readonly code: 'SELF_APPROVAL' | 'NOT_ELIGIBLE_APPROVER' | 'NOT_DATASET_OWNER';
  readonly message: string;
};

/**
 * Why `who` may not decide anything for Keyholder: not active, not in the home organisation, not validly cleared.
 * Directors (below) and dataset owners (dataset-owners.ts) both stand on it; `more` (a director's grade) is told
 * between the organisation and the clearance, as people read a principal's record.
 */
export function standingRefusals(
  who: Principal,
  policy: Policy,
  now: string,
  more: readonly string[] = [],
): string[] {
  const reasons: string[] = [];
  if (!who.active) reasons.push('is not active');
  if (who.organisation !== policy.homeOrganisation) reasons.push(`is not in ${policy.homeOrganisation}`);
  reasons.push(...more);
  if (!who.clearance) reasons.push('holds no clearance');
  else if (isAtOrBefore(who.clearance.expiresAt, now)) reasons.push('clearance has expired');
  return reasons;
}

/** Why `approver` may not decide `request` now, or undefined when they may. */
export function approverRefusal(
  approver: Principal,
  request: Pick<AccessRequest, 'requester'>,
  policy: Policy,
  now: string,
): ApproverRefusal | undefined {
  if (approver.id === request.requester) {
    return { code: 'SELF_APPROVAL', message: 'a requester cannot approve their own request' };
  }
  const grade = policy.approverGrades.includes(approver.grade)
    ? []
    : [`grade ${approver.grade} is not one of ${policy.approverGrades.join(', ')}`];
  const reasons = standingRefusals(approver, policy, now, grade);
  const hold = approver.approverFrom;
  if (hold && now < hold.at) {
    reasons.push(
      hold.madeBy === request.requester
        ? `was made an approver by ${hold.madeBy}, the requester, and may decide nothing before ${hold.at}`
        : `was made an approver by ${hold.madeBy} and may decide nothing before ${hold.at}, while the directors check that change`,
    );
  }
  if (reasons.length === 0) return undefined;
  return { code: 'NOT_ELIGIBLE_APPROVER', message: `${approver.id} ${reasons.join('; ')}` };
}

export function assertEligibleApprover(
  approver: Principal,
  request: Pick<AccessRequest, 'requester'>,
  policy: Policy,
  now: string,
): void {
  const refusal = approverRefusal(approver, request, policy, now);
  if (refusal) throw new ForbiddenError(refusal.code, refusal.message);
}

export function eligibleApprovers(
  directory: readonly Principal[],
  request: Pick<AccessRequest, 'requester'>,
  policy: Policy,
  now: string,
): Principal[] {
  return directory.filter((principal) => approverRefusal(principal, request, policy, now) === undefined);
}

/** Whether the person meets the approver rules now (home organisation, approver grade, valid clearance, no hold). */
export function meetsApproverRules(who: Principal, policy: Policy, now: string): boolean {
  return approverRefusal(who, { requester: '' }, policy, now) === undefined;
}
