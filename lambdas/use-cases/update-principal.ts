// Use case: an access-admin changes a principal (PATCH /principals/{id}). The change and its event on the
// principal's audit stream commit together; deactivating or lapsing a holder then revokes their grants in the same
// call, and a deactivated requester's pending requests are cancelled. Should that call die half way, the sweep finds
// the principal in its due index and finishes the revocations; a retried PATCH finishes both.

import { auditStreamOfPrincipal } from '../adapters/dynamodb/schema.ts';
import { logger } from '../commons/observability.ts';
import { chainEvent, EMPTY_CHAIN } from '../core/audit.ts';
import {
  type DirectoryCaller,
  directoryActor,
  type PrincipalPatch,
  type ProvisioningClient,
  planPrincipalChange,
} from '../core/directory-changes.ts';
import { eligibleApprovers } from '../core/eligibility.ts';
import { ConflictError, NotFoundError } from '../core/errors.ts';
import type { ApproverHold, Principal } from '../core/model.ts';
import { approverPromotedEmail } from '../presentation/directory-email.ts';
import { cancelPendingOfInactiveRequester } from './cancel-request.ts';
import { catalogueOf, type Dependencies, withOptimisticRetry } from './context.ts';
import { deliver } from './notify-delivery.ts';
import { revokeWhereHolderLapsed } from './sweep.ts';

export interface PrincipalUpdate {
  readonly principal: Principal;
  readonly changed: readonly string[];
  /** Requests whose access ended because of this change. */
  readonly revoked: readonly { readonly requestId: string; readonly reason: string }[];
  /** Requests still PENDING_APPROVAL that ended (CANCELLED, PRINCIPAL_INACTIVE) because the requester was deactivated. */
  readonly cancelled: readonly { readonly requestId: string; readonly reason: string }[];
}

export async function updatePrincipal(
  deps: Dependencies,
  /** An access-admin (PATCH /principals/{id}) or a SCIM client (lambdas/use-cases/scim.ts): one path for both. */
  caller: DirectoryCaller,
  principalId: string,
  patch: PrincipalPatch,
): Promise<PrincipalUpdate> {
  const catalogue = await catalogueOf(deps);
  const { principal, changed, approverHold } = await withOptimisticRetry(async () => {
    const stored = await deps.directory.getPrincipalRecord(principalId);
    if (!stored) throw new NotFoundError('principal', principalId);
    const now = deps.clock.now();
    // The plan POST /principals/{id}/preview answers; its revocations are re-decided below from fresh state.
    const change = planPrincipalChange({
      caller,
      principal: stored.principal,
      patch,
      requests: [],
      catalogue,
      policy: deps.policy,
      now,
    });
    if (!change.event) return change;
    const event = chainEvent(auditStreamOfPrincipal(principalId), stored.audit, change.event);
    await deps.directory.updatePrincipal({ principal: change.principal, event, expectedHead: stored.audit });
    return change;
  });
  if (approverHold) await tellDirectors(deps, principal, approverHold);
  // Even an unchanged principal is checked: a retried PATCH finishes revocations an earlier attempt left undone.
  const actor = directoryActor(caller);
  const revoked = await revokeWhereHolderLapsed(deps, principalId, catalogue, actor);
  const cancelled = principal.active ? [] : await cancelPendingOfInactiveRequester(deps, principalId, actor);
  const ended = (request: { readonly id: string; readonly reason?: string | undefined }) => ({
    requestId: request.id,
    reason: request.reason ?? '',
  });
  return { principal, changed, revoked: revoked.map(ended), cancelled: cancelled.map(ended) };
}

/** Every director who may approve now, the new approver aside, is mailed that one access-admin made an approver. */
async function tellDirectors(deps: Dependencies, promoted: Principal, hold: ApproverHold): Promise<void> {
  const now = deps.clock.now();
  const directors = eligibleApprovers(
    await deps.directory.listPrincipals(),
    { requester: hold.madeBy },
    deps.policy,
    now,
  );
  const deliveries = await Promise.all(
    directors
      .filter((director) => director.id !== promoted.id)
      .map((director) =>
        deliver('email', director.email, 'approver-promoted', () =>
          deps.mailer.send(
            approverPromotedEmail({
              to: director.email,
              promoted,
              hold,
              delay: deps.policy.approverPromotionDelay,
            }),
          ),
        ),
      ),
  );
  const failed = deliveries.filter((delivery) => !delivery.ok);
  if (failed.length > 0)
    logger.warn({ message: 'approver promotion notice failed', promoted: promoted.id, failed });
}

/**
 * A SCIM client creates a principal: the item and its PRINCIPAL_CREATED event, first on the principal's stream,
 * in one transaction. A principal that exists already is a ConflictError (SCIM 409 uniqueness), nothing written.
 */
export async function createPrincipal(
  deps: Dependencies,
  caller: ProvisioningClient,
  principal: Principal,
): Promise<Principal> {
  const now = deps.clock.now();
  const event = chainEvent(auditStreamOfPrincipal(principal.id), EMPTY_CHAIN, {
    action: 'PRINCIPAL_CREATED',
    actor: directoryActor(caller),
    at: now,
    subject: { requestId: '', principalId: principal.id, scopes: [] },
    outcome: 'success',
    details: {
      organisation: principal.organisation,
      grade: principal.grade,
      active: principal.active,
      clearance: principal.clearance
        ? `${principal.clearance.level} until ${principal.clearance.expiresAt}`
        : 'none',
      roles: [...principal.roles],
      ...(principal.groups ? { groups: [...principal.groups] } : {}),
    },
  });
  const created = await deps.directory.createPrincipal({ principal, event, expectedHead: EMPTY_CHAIN });
  if (!created) throw new ConflictError('PRINCIPAL_EXISTS', `principal ${principal.id} exists already`);
  return principal;
}
