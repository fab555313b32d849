// Use case: a director answers a recertification prompt, Keep or Revoke. The same path serves the emailed review
// link, Slack buttons and any later channel: rules are re-checked against fresh state on every call.

import type { DecisionChannel, Principal } from '../core/model.ts';
import type { StoredRequest } from '../core/ports.ts';
import { answerReview } from '../core/review.ts';
import { commitTransition, type Dependencies, loadRequest, withOptimisticRetry } from './context.ts';
import { notifyOutcome } from './notify-outcome.ts';

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
  const decided = await withOptimisticRetry(async () => {
    const stored = await loadRequest(deps, input.requestId);
    const now = deps.clock.now();
    const transition = answerReview({
      request: stored,
      reviewer: input.reviewer,
      decision: input.decision,
      comment: input.comment,
      channel: input.channel,
      policy: deps.policy,
      now,
    });
    return commitTransition(deps, stored, transition, {
      consumeToken: input.tokenHash ? { tokenHash: input.tokenHash, usedAt: now } : undefined,
    });
  });
  if (decided.status === 'REVOKED') {
    await deps.workflow
      .stop(decided.id, `revoked on review by ${input.reviewer.id}`)
      .catch((error: unknown) => {
        console.warn(
          JSON.stringify({ message: 'stop execution failed', requestId: decided.id, error: String(error) }),
        );
      });
    await notifyOutcome(deps, decided.id, 'revoked', { actor: { type: 'principal', id: input.reviewer.id } });
  }
  return decided;
}
