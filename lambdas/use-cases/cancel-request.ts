// Use case: a pending request ends before anyone decided it. The requester withdraws it, or the directory
// deactivates the requester (PATCH /principals, SCIM active false or DELETE) and their pending requests end with them.
import type { Actor } from '../core/audit.ts';
import { cancelForInactiveRequester } from '../core/directory-changes.ts';
import { cancelRequest } from '../core/lifecycle.ts';
import type { Principal } from '../core/model.ts';
import type { StoredRequest } from '../core/ports.ts';
import { commitTransition, type Dependencies, withOptimisticRetry } from './context.ts';
import { notifyOutcome } from './notify-outcome.ts';
import { signalWorkflow } from './signal-workflow.ts';
import { visibleRequest } from './view-requests.ts';

export async function cancelAccessRequest(
  deps: Dependencies,
  caller: Principal,
  requestId: string,
): Promise<StoredRequest> {
  const cancelled = await withOptimisticRetry(async () => {
    const stored = await visibleRequest(deps, caller, requestId);
    return commitTransition(deps, stored, cancelRequest(stored, caller, deps.clock.now()));
  });
  await afterCancel(deps, cancelled);
  return cancelled;
}

/** What follows a committed cancellation: the waiting approval step is told, approvers' prompts go stale. */
async function afterCancel(deps: Dependencies, cancelled: StoredRequest, actor?: Actor): Promise<void> {
  await signalWorkflow(deps, cancelled);
  await notifyOutcome(deps, cancelled.id, 'cancelled', actor ? { actor } : {});
}

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
      return transition ? await commitTransition(deps, stored, transition) : undefined;
    });
    if (!ended) continue;
    await afterCancel(deps, ended, actor);
    cancelled.push(ended);
  }
  return cancelled;
}
