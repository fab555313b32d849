// Use case: a signed-in director answers a recertification round through the API (POST /requests/{id}/reviews), the
// console's channel. The same decideReview as the emailed link and Slack, so every rule is re-checked on fresh state.
import { assertEligibleApprover } from '../core/eligibility.ts';
import type { Principal } from '../core/model.ts';
import type { StoredRequest } from '../core/ports.ts';
import type { Dependencies } from './context.ts';
import { decideReview } from './review-decision.ts';
import { visibleRequest } from './view-requests.ts';

export async function reviewThroughConsole(
  deps: Dependencies,
  reviewer: Principal,
  requestId: string,
  answer: { readonly decision: 'keep' | 'revoke'; readonly comment?: string | undefined },
): Promise<StoredRequest> {
  // Not said to exist to those who may not see it; then 403 for those who may see it but never review it
  // (the requester, access-admins, auditors), before whether a round is open (409).
  const request = await visibleRequest(deps, reviewer, requestId);
  assertEligibleApprover(reviewer, request, deps.policy, deps.clock.now());
  return decideReview(deps, {
    requestId,
    reviewer,
    decision: answer.decision,
    comment: answer.comment,
    channel: 'console',
  });
}
