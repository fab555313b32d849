// Use case: an access-admin changes a principal (PATCH /principals/{id}). The change and its event on the
// principal's audit stream commit together; deactivating or lapsing a holder then revokes their grants in the same
// call. Should that call die half way, the sweep finds the principal in its due index and finishes the job.

import { auditStreamOfPrincipal } from '../adapters/dynamodb/schema.ts';
import { chainEvent } from '../core/audit.ts';
import { changePrincipal, type PrincipalPatch } from '../core/directory-changes.ts';
import { NotFoundError } from '../core/errors.ts';
import type { Principal } from '../core/model.ts';
import { catalogueOf, type Dependencies, withOptimisticRetry } from './context.ts';
import { revokeWhereHolderLapsed } from './sweep.ts';

export interface PrincipalUpdate {
  readonly principal: Principal;
  readonly changed: readonly string[];
  /** Requests whose access ended because of this change. */
  readonly revoked: readonly { readonly requestId: string; readonly reason: string }[];
}

export async function updatePrincipal(
  deps: Dependencies,
  caller: Principal,
  principalId: string,
  patch: PrincipalPatch,
): Promise<PrincipalUpdate> {
  const { principal, changed } = await withOptimisticRetry(async () => {
    const stored = await deps.directory.getPrincipalRecord(principalId);
    if (!stored) throw new NotFoundError('principal', principalId);
    const now = deps.clock.now();
    const change = changePrincipal({ caller, principal: stored.principal, patch, now });
    if (!change.event) return change;
    const event = chainEvent(auditStreamOfPrincipal(principalId), stored.audit, change.event);
    await deps.directory.updatePrincipal({ principal: change.principal, event, expectedHead: stored.audit });
    return change;
  });
  // Even an unchanged principal is checked: a retried PATCH finishes revocations an earlier attempt left undone.
  const revoked = await revokeWhereHolderLapsed(deps, principalId, await catalogueOf(deps), {
    type: 'principal',
    id: caller.id,
  });
  return {
    principal,
    changed,
    revoked: revoked.map((request) => ({ requestId: request.id, reason: request.reason ?? '' })),
  };
}
