// Use case: a director answers a recertification prompt, Keep or Revoke. The same path serves the emailed review
// link, Slack buttons and any later channel: rules are re-checked against fresh state on every call.

import { logger } from '../commons/observability.ts';
import { NotFoundError } from '../core/errors.ts';
import type { Transition } from '../core/lifecycle.ts';
import type { DecisionChannel, Principal } from '../core/model.ts';
import type { StoredRequest } from '../core/ports.ts';
import { answerReview } from '../core/review.ts';
import { commitTransition, type Dependencies, loadRequest, withOptimisticRetry } from './context.ts';
import { endAccessOnPlatform } from './provisioning.ts';

export interface ReviewInput {
  readonly requestId: string;
  readonly reviewer: Principal;
  readonly decision: 'keep' | 'revoke';
  readonly comment?: string | undefined;
  readonly channel: DecisionChannel;
  /** When answering through an emailed link: that link's token, consumed by the same atomic write. */
  readonly tokenHash?: string | undefined;
}

/**
 * Throws ConflictError NO_REVIEW_OPEN / REVIEW_CLOSED / NOT_ACTIVE when there is nothing to answer, ForbiddenError
 * when the reviewer is not (or no longer) an eligible director, ValidationError when a revoke has no comment.
 * A retried answer (Slack retries, double clicks) finds the round closed and changes nothing.
 */
export async function decideReview(deps: Dependencies, input: ReviewInput): Promise<StoredRequest> {
  const answer = (stored: StoredRequest, now: string) =>
    answerReview({
      request: stored,
      reviewer: input.reviewer,
      decision: input.decision,
      comment: input.comment,
      channel: input.channel,
      policy: deps.policy,
      now,
    });
  const consumeToken = input.tokenHash ? { tokenHash: input.tokenHash, usedAt: deps.clock.now() } : undefined;
  // A Revoke ends access on the platform first: if the platform fails, the answer is recorded and the revocation
  // stays pending (the request ACTIVE) until the sweep gets it done.
  const decided =
    input.decision === 'revoke'
      ? await revokeOnReview(deps, input.requestId, input.reviewer.id, answer, consumeToken)
      : await withOptimisticRetry(async () => {
          const stored = await loadRequest(deps, input.requestId);
          return commitTransition(deps, stored, answer(stored, deps.clock.now()), { consumeToken });
        });
  if (decided.status === 'REVOKED') {
    await deps.workflow
      .stop(decided.id, `revoked on review by ${input.reviewer.id}`)
      .catch((error: unknown) => {
        logger.warn({ message: 'stop execution failed', requestId: decided.id, error: String(error) });
      });
  }
  return decided;
}

async function revokeOnReview(
  deps: Dependencies,
  requestId: string,
  reviewerId: string,
  answer: (stored: StoredRequest, now: string) => Transition,
  consumeToken: { readonly tokenHash: string; readonly usedAt: string } | undefined,
): Promise<StoredRequest> {
  // The holder's revoked notice is committed with the ending and sent by the outbox, in the reviewer's name.
  const ending = await endAccessOnPlatform(deps, requestId, { type: 'principal', id: reviewerId }, answer, {
    extras: { consumeToken },
  });
  if (!ending.request) throw new NotFoundError('request', requestId);
  return ending.request;
}
