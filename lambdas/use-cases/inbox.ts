// Use case: GET /inbox, what waits for the caller to decide: pending requests, open extension rounds and open
// review rounds, soonest due first. Read through the indexes only: the pending index, and the due index of ACTIVE
// requests up to the latest deadline an open round can have (an extension's or a review's), never a Scan.
import {
  capabilitiesOf,
  mayDecideExtension,
  mayDecideRequest,
  mayDecideReview,
} from '../core/authorization.ts';
import { ownsAnyDataset } from '../core/dataset-owners.ts';
import { addDuration, parseDuration } from '../core/duration.ts';
import { ForbiddenError } from '../core/errors.ts';
import type { Principal } from '../core/model.ts';
import type { StoredRequest } from '../core/ports.ts';
import type { Dependencies } from './context.ts';

export type InboxKind = 'request' | 'extension' | 'review';

export interface InboxItem {
  readonly kind: InboxKind;
  readonly request: StoredRequest;
  readonly requester: Pick<Principal, 'id' | 'name' | 'organisation' | 'grade' | 'clearance'>;
  /** External-admin seats in use and the cap: only on items about an external principal's admin access. */
  readonly seats?: { readonly inUse: number; readonly cap: number } | undefined;
  /** When the decision must be made by: the approval deadline, the extension's or the review's. */
  readonly dueBy: string;
}

/** The latest deadline an open round can have from now: extension rounds close within approvalTimeout, reviews within grace. */
function roundHorizon(deps: Pick<Dependencies, 'policy'>, now: string): string {
  const { approvalTimeout, review } = deps.policy;
  const longest =
    parseDuration(approvalTimeout) >= parseDuration(review.grace) ? approvalTimeout : review.grace;
  return addDuration(now, longest);
}

export async function inboxOf(
  deps: Pick<Dependencies, 'store' | 'directory' | 'policy' | 'clock'>,
  caller: Principal,
): Promise<InboxItem[]> {
  const now = deps.clock.now();
  const owner = () => deps.directory.listDatasets().then((datasets) => ownsAnyDataset(caller, datasets));
  if (!capabilitiesOf(caller, deps.policy, now).canApprove && !(await owner())) {
    throw new ForbiddenError(
      'NOT_ALLOWED',
      `only directors who may approve and dataset owners have an inbox; ${caller.id} is neither`,
    );
  }
  const [pending, due] = await Promise.all([
    deps.store.listPendingRequests(),
    deps.store.listRequestsDueBy(roundHorizon(deps, now)),
  ]);
  const found: Array<{ kind: InboxKind; request: StoredRequest; dueBy: string }> = [];
  for (const request of pending) {
    if (mayDecideRequest(caller, request, deps.policy, now))
      found.push({ kind: 'request', request, dueBy: request.approvalDeadline });
  }
  for (const request of due) {
    if (request.extension && mayDecideExtension(caller, request, deps.policy, now))
      found.push({ kind: 'extension', request, dueBy: request.extension.deadline });
    if (request.review && mayDecideReview(caller, request, deps.policy, now))
      found.push({ kind: 'review', request, dueBy: request.review.deadline });
  }
  if (found.length === 0) return [];
  const externalAdmin = (request: StoredRequest) => request.external && request.scopes.includes('admin');
  const [principals, seats] = await Promise.all([
    deps.directory.listPrincipals(),
    found.some(({ request }) => externalAdmin(request)) ? deps.store.externalAdminSeats() : undefined,
  ]);
  const byId = new Map(principals.map((principal) => [principal.id, principal]));
  return found
    .sort(
      (a, b) =>
        a.dueBy.localeCompare(b.dueBy) ||
        a.request.id.localeCompare(b.request.id) ||
        a.kind.localeCompare(b.kind),
    )
    .map(({ kind, request, dueBy }) => {
      const requester = byId.get(request.requester);
      return {
        kind,
        request,
        requester: {
          id: request.requester,
          name: requester?.name ?? request.requester,
          organisation: requester?.organisation ?? request.requesterOrganisation,
          grade: requester?.grade ?? '',
          clearance: requester?.clearance,
        },
        seats:
          seats && externalAdmin(request)
            ? { inUse: seats.total, cap: deps.policy.externalAdminCap }
            : undefined,
        dueBy,
      };
    });
}
