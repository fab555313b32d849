// Use case: what a PATCH /principals/{id} would do (POST /principals/{id}/preview), without writing anything: the
// principal after the change, the grants it would revoke, the open requests it would leave ungrantable, and whether
// the principal would still meet the approver rules. The same core plan PATCH commits (planPrincipalChange).

import {
  mayChangeDirectory,
  type PrincipalChangePlan,
  type PrincipalPatch,
  planPrincipalChange,
} from '../core/directory-changes.ts';
import { ForbiddenError, NotFoundError } from '../core/errors.ts';
import type { Principal } from '../core/model.ts';
import { catalogueOf, type Dependencies } from './context.ts';

export async function previewPrincipalChange(
  deps: Pick<Dependencies, 'store' | 'directory' | 'policy' | 'clock'>,
  caller: Principal,
  principalId: string,
  patch: PrincipalPatch,
): Promise<PrincipalChangePlan> {
  // Refused before the lookup: who is in the directory is not told to those who may not change it.
  if (!mayChangeDirectory(caller)) {
    throw new ForbiddenError('NOT_ALLOWED', 'only access-admins can change the directory');
  }
  const stored = await deps.directory.getPrincipalRecord(principalId);
  if (!stored) throw new NotFoundError('principal', principalId);
  const [requests, catalogue] = await Promise.all([
    deps.store.listRequestsByRequester(principalId),
    catalogueOf(deps),
  ]);
  return planPrincipalChange({
    caller,
    principal: stored.principal,
    patch,
    requests,
    catalogue,
    policy: deps.policy,
    now: deps.clock.now(),
  });
}
