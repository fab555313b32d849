// Use case: a pending request ends before anyone decided it. The requester withdraws it, or the directory
// deactivates the requester (PATCH /principals, SCIM active false or DELETE) and their pending requests end with them.
import type { Actor } from '../core/audit.ts';
import { cancelForInactiveRequester } from '../core/directory-changes.ts';
import { cancelRequest } from '../core/lifecycle.ts';
import type { Principal } from '../core/model.ts';
import type { StoredRequest } from '../core/ports.ts';
import { type Dependencies, withOptimisticRetry } from './context.ts';
import { commitAndNotify } from './notice-outbox.ts';
import { signalWorkflow } from './signal-workflow.ts';
import { visibleRequest } from './view-requests.ts';

export async function cancelAccessRequest(
  deps: Dependencies,
  caller: Principal,
  requestId: string,
): Promise<StoredRequest> {
  const cancelled = await withOptimisticRetry(async () => {
    const stored = await visibleRequest(deps, caller, requestId);
    return commitAndNotify(deps, API, stored, cancelRequest(stored, caller, deps.clock.now()));
  });
  await signalWorkflow(deps, cancelled);
  return cancelled;
}

/** Who the cancelled notice (approvers' prompts go stale) names as sending when the requester withdrew. */
const API: Actor = { type: 'system', id: 'api' };

/**
 * Cancels every request of `requesterId` still PENDING_APPROVAL when the directory has them inactive (or no
 * longer has them), reason PRINCIPAL_INACTIVE, by `actor`: each decided from fresh state and committed with its
 * event, so a request cancelled already (a retried PATCH) or decided meanwhile is left alone and nothing is written
 * twice. Returns the requests this call cancelled.
 */
export async function cancelPendingOfInactiveRequester(
  deps: Dependencies,
  requesterId: string,
  actor: Actor,
): Promise<StoredRequest[]> {
  // Read again, consistently: a reactivation a moment ago must not lose the person their requests.
  const requester = await deps.directory.getPrincipal(requesterId);
  if (requester?.active) return [];
  const requests = await deps.store.listRequestsByRequester(requesterId);
  const cancelled: StoredRequest[] = [];
  for (const request of requests.filter((candidate) => candidate.status === 'PENDING_APPROVAL')) {
    const ended = await withOptimisticRetry(async () => {
      const stored = await deps.store.getRequest(request.id);
      const transition =
        stored && cancelForInactiveRequester({ request: stored, requester, actor, now: deps.clock.now() });
      return transition ? await commitAndNotify(deps, actor, stored, transition) : undefined;
    });
    if (!ended) continue;
    // The waiting approval step is told; the notice (stale prompts) was committed with the cancellation.
    await signalWorkflow(deps, ended);
    cancelled.push(ended);
  }
  return cancelled;
}
