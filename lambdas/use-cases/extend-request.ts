// Use case: the holder of an ACTIVE grant asks for more time. The round is recorded on the request with the
// extension-prompt notice it owes (same atomic write); the notifier then mails each eligible approver a single-use
// link (./notices/extension-prompts.ts). Access is untouched: approvers decide through POST
// /requests/{id}/decisions or their link, and the workflow re-arms its own wait.
import { decideExtension, type ExtensionInput, requestExtension } from '../core/extension.ts';
import type { Transition } from '../core/lifecycle.ts';
import type { Principal } from '../core/model.ts';
import type { StoredRequest } from '../core/ports.ts';
import { catalogueOf, commitWithNotices, type Dependencies, withOptimisticRetry } from './context.ts';
import type { DecisionInput } from './decide-request.ts';
import { handOverNotices } from './notice-outbox.ts';
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
