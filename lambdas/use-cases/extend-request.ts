// Use case: the holder of an ACTIVE grant asks for more time. The round is recorded on the request with the
// extension-prompt notice it owes (same atomic write); the notifier then mails each eligible approver a single-use link. Access is untouched:
// approvers decide through POST /requests/{id}/decisions or their link, and the workflow re-arms its own wait.
import type { Actor } from '../core/audit.ts';
import { eligibleApprovers } from '../core/eligibility.ts';
import { decideExtension, type ExtensionInput, requestExtension } from '../core/extension.ts';
import type { Transition } from '../core/lifecycle.ts';
import type { Principal } from '../core/model.ts';
import { partOf } from '../core/notices.ts';
import type { StoredRequest } from '../core/ports.ts';
import { extensionEmail } from '../presentation/extension-email.ts';
import { catalogueOf, commitWithNotices, type Dependencies, withOptimisticRetry } from './context.ts';
import type { DecisionInput } from './decide-request.ts';
import { handOverNotices } from './notice-outbox.ts';
import { type Delivery, deliver, recordDeliveries } from './notify-delivery.ts';
import { hashToken } from './request-approval.ts';
import { visibleRequest } from './view-requests.ts';

export async function extendAccess(
  deps: Dependencies,
  caller: Principal,
  requestId: string,
  input: ExtensionInput,
): Promise<StoredRequest> {
  const catalogue = await catalogueOf(deps);
  const recorded = await withOptimisticRetry(async () => {
    const stored = await visibleRequest(deps, caller, requestId);
    const transition = requestExtension({
      request: stored,
      holder: caller,
      input,
      catalogue,
      policy: deps.policy,
      now: deps.clock.now(),
    });
    // The approvers' mails are owed by this commit and sent by the notifier: the answer waits for no mailbox.
    return commitWithNotices(deps, stored, transition, {
      outcomes: ['extension-prompt'],
      actor: { type: 'principal', id: caller.id },
    });
  });
  await handOverNotices(deps, recorded.notices);
  return recorded.request;
}

/**
 * The extension-prompt notice, delivered by the notice outbox: each eligible approver who has not decided the
 * open round gets a mail with a single-use link of their own, its token stored just before the mail is sent.
 * Parts an earlier attempt delivered are not sent again; a round no longer pending asks nobody.
 */
export async function sendExtensionPrompts(
  deps: Dependencies,
  requestId: string,
  actor: Actor,
  delivered: ReadonlySet<string> = new Set(),
): Promise<Delivery[]> {
  const request = await deps.store.getRequest(requestId);
  const round = request?.extension;
  if (request?.status !== 'ACTIVE' || round?.status !== 'PENDING') return [];
  const [principals, catalogue] = await Promise.all([deps.directory.listPrincipals(), catalogueOf(deps)]);
  const holder = principals.find((principal) => principal.id === request.requester);
  if (!holder) return [];
  const decided = new Set(round.approvals.map((entry) => entry.approverId));
  const deliveries: Delivery[] = [];
  for (const approver of eligibleApprovers(principals, request, deps.policy, deps.clock.now())) {
    const part = partOf({ channel: 'email', recipient: approver.id, kind: 'extension-prompt' });
    if (decided.has(approver.id) || delivered.has(part)) continue;
    const token = deps.ids.secretToken();
    await deps.store.issueLinkTokens([
      {
        tokenHash: hashToken(token),
        requestId,
        approverId: approver.id,
        expiresAt: round.deadline,
        purpose: 'extension',
      },
    ]);
    const message = extensionEmail({
      request,
      holder,
      approver,
      link: `${deps.publicBaseUrl}/approve/${token}`,
      datasets: catalogue,
    });
    deliveries.push(await deliver('email', approver.id, 'extension-prompt', () => deps.mailer.send(message)));
  }
  await recordDeliveries(deps, requestId, deliveries, actor);
  return deliveries;
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
