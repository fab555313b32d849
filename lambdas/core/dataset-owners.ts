// Dataset owners as approvers (policy `approvals.dataset`): which approvals a request still lacks, and who may give them.
import { type ApproverRefusal, approverRefusal, standingRefusals } from './eligibility.ts';
import type { AccessRequest, ApprovalCapacity, Dataset, OwnerApproval, Principal, Scope } from './model.ts';
import type { Policy } from './policy.ts';
import { datasetIdOf } from './scopes.ts';

/**
 * An owner reference is a principal id, or `group:<display name>` for every member of that SCIM group (the display
 * name as the identity provider provisioned it; a principal carries the names of its groups in `groups`).
 */
export const GROUP_OWNER_PREFIX = 'group:';

/** The group an owner reference names, or undefined when it names a principal. */
export function ownerGroupOf(owner: string): string | undefined {
  return owner.startsWith(GROUP_OWNER_PREFIX) ? owner.slice(GROUP_OWNER_PREFIX.length) : undefined;
}

export const groupOwner = (displayName: string): string => `${GROUP_OWNER_PREFIX}${displayName}`;

/**
 * Whether `who` is the owner `owner` refers to: that principal, or a member of that group now (their `groups` as
 * the directory holds them when they decide, so a leaver taken out of the group can no longer approve). A
 * `group:` reference never matches a principal whose id merely reads the same.
 */
export function matchesOwner(who: Pick<Principal, 'id' | 'groups'>, owner: string): boolean {
  const group = ownerGroupOf(owner);
  if (group === undefined) return owner === who.id;
  return (who.groups ?? []).includes(group);
}

const ownsOneOf = (who: Pick<Principal, 'id' | 'groups'>, owners: readonly string[] | undefined) =>
  (owners ?? []).some((owner) => matchesOwner(who, owner));

/** The owners each named dataset needs, fixed at submission; undefined when directors decide alone. */
export function ownerApprovalFor(
  scopes: readonly Scope[],
  catalogue: ReadonlyMap<string, Dataset>,
  policy: Policy,
): OwnerApproval | undefined {
  const mode = policy.approvals.dataset;
  if (mode === 'director') return undefined;
  const datasets = scopes.flatMap((scope) => {
    const id = datasetIdOf(scope);
    return id ? [{ id, owners: [...(catalogue.get(id)?.owners ?? [])] }] : [];
  });
  return datasets.length > 0 ? { mode, datasets } : undefined;
}

export interface MissingApprovals {
  /** Datasets no owner has approved yet. */
  readonly datasets: readonly string[];
  /** Director approvals still needed. */
  readonly directors: number;
}

/** Whether a director must approve: always in `director` and `owner-and-director` mode, else for an ownerless dataset. */
function directorsNeeded(request: AccessRequest): number {
  const plan = request.ownerApproval;
  if (!plan || plan.mode === 'owner-and-director') return request.approvalsRequired;
  return plan.datasets.some((dataset) => dataset.owners.length === 0) ? request.approvalsRequired : 0;
}

const capacityOf = (capacity: ApprovalCapacity | undefined): ApprovalCapacity =>
  capacity ?? { director: true, datasets: [] };

/** The approvals `request` still lacks, from the capacity each recorded approval counted as. */
export function missingApprovals(request: AccessRequest): MissingApprovals {
  const approvals = request.approvals.filter((entry) => entry.decision === 'approve');
  const directors = approvals.filter((entry) => capacityOf(entry.capacity).director).length;
  const owned = new Set(approvals.flatMap((entry) => capacityOf(entry.capacity).datasets));
  const datasets = (request.ownerApproval?.datasets ?? [])
    .filter((dataset) => dataset.owners.length > 0 && !owned.has(dataset.id))
    .map((dataset) => dataset.id);
  return { datasets, directors: Math.max(0, directorsNeeded(request) - directors) };
}

export function isFullyApproved(request: AccessRequest): boolean {
  const missing = missingApprovals(request);
  return missing.datasets.length === 0 && missing.directors === 0;
}

/** An owner decides as an owner when active, in the home organisation, and with a valid clearance (grade aside). */
export function mayActAsOwner(who: Principal, policy: Policy, now: string): boolean {
  return standingRefusals(who, policy, now).length === 0;
}

/** Whether `who` is an owner of a dataset the request names (they may see it, whatever their grade). */
export function ownsNamedDataset(who: Principal, request: AccessRequest): boolean {
  return (request.ownerApproval?.datasets ?? []).some((dataset) => ownsOneOf(who, dataset.owners));
}

/** Whether `who` owns any dataset of the catalogue. */
export function ownsAnyDataset(who: Principal, catalogue: Iterable<Dataset>): boolean {
  for (const dataset of catalogue) if (ownsOneOf(who, dataset.owners)) return true;
  return false;
}

/** What `who`'s approval of `request` would count as now: a director's, and the named datasets they own. */
export function approvalCapacity(
  who: Principal,
  request: AccessRequest,
  policy: Policy,
  now: string,
): ApprovalCapacity {
  const director = approverRefusal(who, request, policy, now) === undefined;
  const plan = request.ownerApproval;
  if (!plan || who.id === request.requester || !mayActAsOwner(who, policy, now))
    return { director, datasets: [] };
  const datasets = plan.datasets
    .filter((dataset) => ownsOneOf(who, dataset.owners))
    .map((dataset) => dataset.id);
  return { director, datasets };
}

/**
 * Why `who` may not decide `request` now, or undefined when their decision would count for something still missing:
 * a needed director approval, or an owner approval of a dataset not yet approved. Self-approval never.
 */
export function deciderRefusal(
  who: Principal,
  request: AccessRequest,
  policy: Policy,
  now: string,
  datasetTitles: ReadonlyMap<string, string> = new Map(),
): ApproverRefusal | undefined {
  const plan = request.ownerApproval;
  const asDirector = approverRefusal(who, request, policy, now);
  if (!plan || asDirector?.code === 'SELF_APPROVAL') return asDirector;
  const missing = missingApprovals(request);
  const capacity = approvalCapacity(who, request, policy, now);
  if (capacity.datasets.some((id) => missing.datasets.includes(id))) return undefined;
  if (missing.directors > 0 && capacity.director) return undefined;
  if (missing.directors > 0 && asDirector) return asDirector;
  const titles = (
    missing.datasets.length > 0 ? missing.datasets : plan.datasets.map((dataset) => dataset.id)
  ).map((id) => datasetTitles.get(id) ?? id);
  return {
    code: 'NOT_DATASET_OWNER',
    message: `${who.id} is not an owner of ${titles.join(', ')}: request ${request.id} needs the approval of ${
      missing.datasets.length > 0 ? 'the owners of those datasets' : 'nobody else'
    }`,
  };
}

/** Everyone whose decision `request` still needs: the eligible directors (when needed) and the owners still missing. */
export function neededDeciders(
  directory: readonly Principal[],
  request: AccessRequest,
  policy: Policy,
  now: string,
): Principal[] {
  return directory.filter((principal) => deciderRefusal(principal, request, policy, now) === undefined);
}
