// Use case: a grant's review fell due. Opens the round (one single-use link per eligible director, stored hashed,
// in the same atomic write as the REVIEW_REQUESTED event), then mails each director, DMs those with a Slack id
// Keep / Revoke buttons, and audits every delivery.
import { eligibleApprovers } from '../core/eligibility.ts';
import type { ApprovalTokenRecord } from '../core/ports.ts';
import { openReview } from '../core/review.ts';
import { SWEEP_ACTOR } from '../core/sweep.ts';
import { reviewEmail } from '../presentation/review-email.ts';
import {
  catalogueOf,
  commitTransition,
  type Dependencies,
  loadRequest,
  withOptimisticRetry,
} from './context.ts';
import { type Delivery, deliver, recordDeliveries } from './notify-delivery.ts';
import { hashToken } from './request-approval.ts';

/** Returns false when there was nothing to open (not due, already open, or access ended meanwhile). */
export async function promptReview(deps: Dependencies, requestId: string): Promise<boolean> {
  const links = new Map<string, string>();
  const opened = await withOptimisticRetry(async () => {
    links.clear();
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
    const deadline = transition.request.review?.deadline ?? now;
    const tokens: ApprovalTokenRecord[] = reviewers.map((reviewer) => {
      const token = deps.ids.secretToken();
      links.set(reviewer.id, token);
      return {
        tokenHash: hashToken(token),
        requestId,
        approverId: reviewer.id,
        expiresAt: deadline,
        purpose: 'review',
      };
    });
    return commitTransition(deps, stored, transition, { issueTokens: tokens });
  });
  if (!opened) return false;
  const [principals, datasets] = await Promise.all([deps.directory.listPrincipals(), catalogueOf(deps)]);
  const byId = new Map(principals.map((principal) => [principal.id, principal]));
  const deliveries: Delivery[] = [];
  for (const [reviewerId, token] of links) {
    const reviewer = byId.get(reviewerId);
    if (!reviewer) continue;
    const message = reviewEmail({
      request: opened,
      holder: byId.get(opened.requester),
      reviewer,
      link: `${deps.publicBaseUrl}/review/${token}`,
      datasets,
    });
    // A failing channel never blocks the round: the failure is audited and the deadline still stands.
    deliveries.push(await deliver('email', reviewerId, 'review-prompt', () => deps.mailer.send(message)));
    const chat = deps.chatApprovals;
    if (chat && reviewer.slackUserId) {
      // Where the DM lives is only audited: the chat-prompt ledger is keyed by approver and holds the approval
      // prompt, which later outcomes redraw; the clicked review prompt is redrawn from the click itself.
      const view = { request: opened, holder: byId.get(opened.requester), reviewer, datasets };
      deliveries.push(
        await deliver('slack', reviewerId, 'review-prompt', async () => {
          const ref = await chat.postReviewPrompt(reviewer, view);
          return { messageId: `${ref.channel}/${ref.ts}` };
        }),
      );
    }
  }
  await recordDeliveries(deps, requestId, deliveries, SWEEP_ACTOR);
  return true;
}
