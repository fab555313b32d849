// Use case: access ends early, by the holder, an access-admin or an eligible approver.
import type { Actor } from '../core/audit.ts';
import { isEligibleApproverFor } from '../core/authorization.ts';
import { ForbiddenError } from '../core/errors.ts';
import { revokeAuthority, revokeGrant } from '../core/lifecycle.ts';
import type { Principal } from '../core/model.ts';
import type { StoredRequest } from '../core/ports.ts';
import { commitTransition, type Dependencies, withOptimisticRetry } from './context.ts';
import { notifyOutcome } from './notify-outcome.ts';
import { visibleRequest } from './view-requests.ts';

export async function revokeAccess(
  deps: Dependencies,
  caller: Principal,
  requestId: string,
  reason: string,
): Promise<StoredRequest> {
  const revoked = await withOptimisticRetry(async () => {
    const stored = await visibleRequest(deps, caller, requestId);
    const now = deps.clock.now();
    const authority = revokeAuthority(
      stored,
      caller,
      isEligibleApproverFor(caller, stored, deps.policy, now),
    );
    if (!authority) {
      throw new ForbiddenError(
        'NOT_ALLOWED_TO_REVOKE',
        'only the holder, an access-admin or an eligible approver can revoke',
      );
    }
    const actor: Actor = { type: 'principal', id: caller.id };
    return commitTransition(
      deps,
      stored,
      revokeGrant({ request: stored, actor, reason, policy: deps.policy, now }),
    );
  });
  // Access already ended in the store; stopping the execution only spares it a no-op expiry later.
  await deps.workflow.stop(revoked.id, `revoked by ${caller.id}`).catch((error: unknown) => {
    console.warn(
      JSON.stringify({ message: 'stop execution failed', requestId: revoked.id, error: String(error) }),
    );
  });
  await notifyOutcome(deps, revoked.id, 'revoked');
  return revoked;
}
