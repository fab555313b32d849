// Use case: the holder of an ACTIVE grant asks for more time. The round is recorded on the request with one
// single-use link per eligible approver (same atomic write), then each approver is mailed. Access is untouched:
// approvers decide through POST /requests/{id}/decisions or their link, and the workflow re-arms its own wait.
import { eligibleApprovers } from '../core/eligibility.ts';
import { decideExtension, type ExtensionInput, requestExtension } from '../core/extension.ts';
import type { Transition } from '../core/lifecycle.ts';
import type { Principal } from '../core/model.ts';
import type { ApprovalTokenRecord, StoredRequest } from '../core/ports.ts';
import { extensionEmail } from '../presentation/extension-email.ts';
import { catalogueOf, commitTransition, type Dependencies, withOptimisticRetry } from './context.ts';
import type { DecisionInput } from './decide-request.ts';
import { type Delivery, deliver, recordDeliveries } from './notify-delivery.ts';
import { hashToken } from './request-approval.ts';
import { visibleRequest } from './view-requests.ts';

export async function extendAccess(
  deps: Dependencies,
  caller: Principal,
  requestId: string,
  input: ExtensionInput,
): Promise<StoredRequest> {
  const links = new Map<string, string>();
  const catalogue = await catalogueOf(deps);
  const recorded = await withOptimisticRetry(async () => {
    links.clear();
    const stored = await visibleRequest(deps, caller, requestId);
    const now = deps.clock.now();
    const transition = requestExtension({
      request: stored,
      holder: caller,
      input,
      catalogue,
      policy: deps.policy,
      now,
    });
    const deadline = transition.request.extension?.deadline ?? now;
    const approvers = eligibleApprovers(await deps.directory.listPrincipals(), stored, deps.policy, now);
    const tokens: ApprovalTokenRecord[] = approvers.map((approver) => {
      const token = deps.ids.secretToken();
      links.set(approver.id, token);
      return {
        tokenHash: hashToken(token),
        requestId,
        approverId: approver.id,
        expiresAt: deadline,
        purpose: 'extension',
      };
    });
    return commitTransition(deps, stored, transition, { issueTokens: tokens });
  });
  const principals = await deps.directory.listPrincipals();
  const byId = new Map(principals.map((principal) => [principal.id, principal]));
  const deliveries: Delivery[] = [];
  for (const [approverId, token] of links) {
    const approver = byId.get(approverId);
    if (!approver) continue;
    const message = extensionEmail({
      request: recorded,
      holder: caller,
      approver,
      link: `${deps.publicBaseUrl}/approve/${token}`,
      datasets: catalogue,
    });
    deliveries.push(await deliver('email', approverId, 'extension-prompt', () => deps.mailer.send(message)));
  }
  await recordDeliveries(deps, requestId, deliveries, { type: 'principal', id: caller.id });
  return (await deps.store.getRequest(requestId)) ?? recorded;
}

/** The decision on an ACTIVE request's open extension round, as POST /requests/{id}/decisions and links make it. */
export async function extensionDecision(
  deps: Dependencies,
  stored: StoredRequest,
  input: Pick<DecisionInput, 'approver' | 'decision' | 'comment' | 'channel'>,
  now: string,
): Promise<Transition> {
  return decideExtension({
    request: stored,
    approver: input.approver,
    holder: await deps.directory.getPrincipal(stored.requester),
    decision: input.decision,
    comment: input.comment,
    channel: input.channel,
    catalogue: await catalogueOf(deps),
    policy: deps.policy,
    now,
  });
}
