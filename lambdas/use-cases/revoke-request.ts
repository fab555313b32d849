// Use case: access ends early, by the holder, an access-admin or an eligible approver.
import { logger } from '../commons/observability.ts';
import type { Actor } from '../core/audit.ts';
import { isEligibleApproverFor } from '../core/authorization.ts';
import { ForbiddenError, NotFoundError } from '../core/errors.ts';
import { revokeAuthority, revokeGrant } from '../core/lifecycle.ts';
import type { Principal } from '../core/model.ts';
import type { StoredRequest } from '../core/ports.ts';
import { retryRevocation } from '../core/provisioning.ts';
import type { Dependencies } from './context.ts';
import { endAccessOnPlatform } from './provisioning.ts';
import { visibleRequest } from './view-requests.ts';

/** Who the revoked notice (committed with the ending, sent by the outbox) names as sending. */
const API: Actor = { type: 'system', id: 'api' };

/**
 * Ends the access on the platform first, then in the record. When the platform fails, the request is returned
 * still ACTIVE with its pending `revocation`, which the sweep retries; revoking again meanwhile retries that same
 * revocation (its reason and actor stay the first revoker's), it never starts a second one.
 */
export async function revokeAccess(
  deps: Dependencies,
  caller: Principal,
  requestId: string,
  reason: string,
): Promise<StoredRequest> {
  const ending = await endAccessOnPlatform(
    deps,
    requestId,
    API,
    (stored, now) => {
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
      return (
        retryRevocation(stored, deps.policy, now) ??
        revokeGrant({ request: stored, actor, reason, policy: deps.policy, now })
      );
    },
    { load: (id) => visibleRequest(deps, caller, id) },
  );
  if (!ending.request) throw new NotFoundError('request', requestId);
  if (ending.kind !== 'ended') return ending.request;
  const revoked = ending.request;
  // Access already ended in the store; stopping the execution only spares it a no-op expiry later.
  await deps.workflow.stop(revoked.id, `revoked by ${caller.id}`).catch((error: unknown) => {
    logger.warn({ message: 'stop execution failed', requestId: revoked.id, error: String(error) });
  });
  return revoked;
}
