// Use case: the requester withdraws a pending request.
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
  await signalWorkflow(deps, cancelled);
  await notifyOutcome(deps, cancelled.id, 'cancelled');
  return cancelled;
}
