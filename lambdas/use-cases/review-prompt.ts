// Use case: a grant's review fell due. Opens the round with the review-prompt notice it owes (one atomic write with
// the REVIEW_REQUESTED event); the notifier then mails each director a single-use link (stored hashed), DMs those
// with a Slack id Keep / Revoke buttons, and audits every delivery (./notices/review-prompts.ts).
import { eligibleApprovers } from '../core/eligibility.ts';
import { openReview } from '../core/review.ts';
import { SWEEP_ACTOR } from '../core/sweep.ts';
import { commitWithNotices, type Dependencies, loadRequest, withOptimisticRetry } from './context.ts';
import { handOverNotices } from './notice-outbox.ts';

/**
 * Returns false when there was nothing to open (not due, already open, or access ended meanwhile). The round and
 * the review-prompt notice it owes commit together; the notifier sends the prompts (sendReviewPrompts).
 */
export async function promptReview(deps: Dependencies, requestId: string): Promise<boolean> {
  const opened = await withOptimisticRetry(async () => {
    const stored = await loadRequest(deps, requestId);
    const now = deps.clock.now();
    if (stored.status !== 'ACTIVE' || stored.review || !stored.grant || now < stored.grant.nextReviewAt) {
      return undefined;
    }
    const reviewers = eligibleApprovers(await deps.directory.listPrincipals(), stored, deps.policy, now);
    const transition = openReview({
      request: stored,
      reviewers: reviewers.map((reviewer) => reviewer.id),
      policy: deps.policy,
      now,
    });
    return commitWithNotices(deps, stored, transition, { outcomes: ['review-prompt'], actor: SWEEP_ACTOR });
  });
  if (!opened) return false;
  await handOverNotices(deps, opened.notices);
  return true;
}
