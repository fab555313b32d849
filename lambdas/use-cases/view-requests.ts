// Use cases: read requests, as the caller is allowed to see them.
import { mayDecideRequest, mayViewRequest } from '../core/authorization.ts';
import { NotFoundError } from '../core/errors.ts';
import type { Principal, RequestStatus } from '../core/model.ts';
import type { StoredRequest } from '../core/ports.ts';
import { type Dependencies, loadRequest } from './context.ts';

/** A request the caller may see; a request they may not see is reported as not found, not as forbidden. */
export async function visibleRequest(
  deps: Pick<Dependencies, 'store' | 'policy' | 'clock'>,
  caller: Principal,
  requestId: string,
): Promise<StoredRequest> {
  const request = await loadRequest(deps, requestId);
  if (!mayViewRequest(caller, request, deps.policy, deps.clock.now()))
    throw new NotFoundError('request', requestId);
  return request;
}

/** The caller's own requests plus, for approvers, the pending requests they may decide. */
export async function listVisibleRequests(
  deps: Pick<Dependencies, 'store' | 'policy' | 'clock'>,
  caller: Principal,
  status?: RequestStatus,
): Promise<StoredRequest[]> {
  const now = deps.clock.now();
  const [own, pending] = await Promise.all([
    deps.store.listRequestsByRequester(caller.id),
    deps.store.listPendingRequests(),
  ]);
  const decidable = pending.filter((request) => mayDecideRequest(caller, request, deps.policy, now));
  const all = [...own, ...decidable].sort(
    (a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id),
  );
  return status ? all.filter((request) => request.status === status) : all;
}
