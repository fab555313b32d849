// Dataset owners as approvers (policy `approvals.dataset`): which approvals a round still lacks, and who may give them.
// A round is the request's first approval or an extension round; each fixes its own owner plan when it opens.
import { type ApproverRefusal, approverRefusal, standingRefusals } from './eligibility.ts';
import type {
  AccessRequest,
  ApprovalCapacity,
  Dataset,
  ExtensionRound,
  OwnerApproval,
  Principal,
  Scope,
} from './model.ts';
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

/**
 * What one round of approvals is decided on: the request itself for its first approval, or its extension round.
 * Without an owner plan, directors decide alone.
 */
export type ApprovalRound =
  | Pick<AccessRequest, 'approvalsRequired' | 'approvals' | 'ownerApproval'>
  | Pick<ExtensionRound, 'approvalsRequired' | 'approvals' | 'ownerApproval'>;

export interface MissingApprovals {
  /** Datasets no owner has approved yet. */
  readonly datasets: readonly string[];
  /** Director approvals still needed. */
  readonly directors: number;
}

/** Whether a director must approve: always in `director` and `owner-and-director` mode, else for an ownerless dataset. */
function directorsNeeded(round: ApprovalRound): number {
  const plan = round.ownerApproval;
  if (!plan || plan.mode === 'owner-and-director') return round.approvalsRequired;
  return plan.datasets.some((dataset) => dataset.owners.length === 0) ? round.approvalsRequired : 0;
}

const capacityOf = (capacity: ApprovalCapacity | undefined): ApprovalCapacity =>
  capacity ?? { director: true, datasets: [] };

/** The approvals `round` still lacks, from the capacity each recorded approval counted as. */
export function missingApprovals(round: ApprovalRound): MissingApprovals {
  const approvals = round.approvals.filter((entry) => entry.decision === 'approve');
  const directors = approvals.filter((entry) => capacityOf(entry.capacity).director).length;
  const owned = new Set(approvals.flatMap((entry) => capacityOf(entry.capacity).datasets));
  const datasets = (round.ownerApproval?.datasets ?? [])
    .filter((dataset) => dataset.owners.length > 0 && !owned.has(dataset.id))
    .map((dataset) => dataset.id);
  return { datasets, directors: Math.max(0, directorsNeeded(round) - directors) };
}

/** Whether `round` has every approval its plan needs. */
export function isFullyApproved(round: ApprovalRound): boolean {
  const missing = missingApprovals(round);
  return missing.datasets.length === 0 && missing.directors === 0;
}

/** An owner decides as an owner when active, in the home organisation, and with a valid clearance (grade aside). */
export function mayActAsOwner(who: Principal, policy: Policy, now: string): boolean {
  return standingRefusals(who, policy, now).length === 0;
}

/** Whether `who` is an owner of a dataset the request or its extension round names (they may see it, whatever their grade). */
export function ownsNamedDataset(who: Principal, request: AccessRequest): boolean {
  const datasets = [
    ...(request.ownerApproval?.datasets ?? []),
    ...(request.extension?.ownerApproval?.datasets ?? []),
  ];
  return datasets.some((dataset) => ownsOneOf(who, dataset.owners));
}

/** Each dataset's title by its id: how a refusal names the datasets it is about. */
export function datasetTitlesOf(datasets: Iterable<Dataset>): Map<string, string> {
  return new Map([...datasets].map((dataset) => [dataset.id, dataset.title]));
}

/** Whether `who` owns any dataset of the catalogue. */
export function ownsAnyDataset(who: Principal, catalogue: Iterable<Dataset>): boolean {
  for (const dataset of catalogue) if (ownsOneOf(who, dataset.owners)) return true;
  return false;
}

/**
 * What `who`'s approval in `round` of `request` (its first approval unless told) would count as now: a director's,
 * and the named datasets they own.
 */
export function approvalCapacity(
  who: Principal,
  request: AccessRequest,
  policy: Policy,
  now: string,
  round: ApprovalRound = request,
): ApprovalCapacity {
  const director = approverRefusal(who, request, policy, now) === undefined;
  const plan = round.ownerApproval;
  if (!plan || who.id === request.requester || !mayActAsOwner(who, policy, now))
    return { director, datasets: [] };
  const datasets = plan.datasets
    .filter((dataset) => ownsOneOf(who, dataset.owners))
    .map((dataset) => dataset.id);
  return { director, datasets };
}

/**
 * Why `who` may not decide `round` of `request` (its first approval unless told) now, or undefined when their
 * decision would count for something still missing: a needed director approval, or an owner approval of a dataset
 * not yet approved. Self-approval never.
 */
export function deciderRefusal(
  who: Principal,
  request: AccessRequest,
  policy: Policy,
  now: string,
  datasetTitles: ReadonlyMap<string, string> = new Map(),
  round: ApprovalRound = request,
): ApproverRefusal | undefined {
  const plan = round.ownerApproval;
  const asDirector = approverRefusal(who, request, policy, now);
  if (!plan || asDirector?.code === 'SELF_APPROVAL') return asDirector;
  const missing = missingApprovals(round);
  const capacity = approvalCapacity(who, request, policy, now, round);
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

/**
 * Everyone whose decision `round` of `request` (its first approval unless told) still needs: the eligible directors
 * (when needed) and the owners still missing.
 */
export function neededDeciders(
  directory: readonly Principal[],
  request: AccessRequest,
  policy: Policy,
  now: string,
  round: ApprovalRound = request,
): Principal[] {
  return directory.filter(
    (principal) => deciderRefusal(principal, request, policy, now, undefined, round) === undefined,
  );
}
