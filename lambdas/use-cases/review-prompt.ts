// Use case: a grant's review fell due. Opens the round with the review-prompt notice it owes (one atomic write with
// the REVIEW_REQUESTED event); the notifier then mails each director a single-use link (stored hashed), DMs those
// with a Slack id Keep / Revoke buttons, and audits every delivery.
import { eligibleApprovers } from '../core/eligibility.ts';
import { partOf } from '../core/notices.ts';
import { openReview } from '../core/review.ts';
import { SWEEP_ACTOR } from '../core/sweep.ts';
import { reviewEmail } from '../presentation/review-email.ts';
import {
  catalogueOf,
  commitWithNotices,
  type Dependencies,
  loadRequest,
  withOptimisticRetry,
} from './context.ts';
import { handOverNotices } from './notice-outbox.ts';
import { type Delivery, deliver, recordDeliveries } from './notify-delivery.ts';
import { hashToken } from './request-approval.ts';

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

/**
 * The review-prompt notice, delivered by the notice outbox: each reviewer of the open round gets a mail with a
 * single-use link of their own (its token stored just before the mail goes) and, with a Slack id, a DM with Keep /
 * Revoke buttons. Parts an earlier attempt delivered are not sent again; a closed round asks nobody. A failing
 * channel never blocks the round: the deadline stands, the failure is audited and the notice stays due.
 */
export async function sendReviewPrompts(
  deps: Dependencies,
  requestId: string,
  delivered: ReadonlySet<string> = new Set(),
): Promise<Delivery[]> {
  const request = await deps.store.getRequest(requestId);
  const round = request?.review;
  if (request?.status !== 'ACTIVE' || !round) return [];
  const [principals, datasets] = await Promise.all([deps.directory.listPrincipals(), catalogueOf(deps)]);
  const byId = new Map(principals.map((principal) => [principal.id, principal]));
  const holder = byId.get(request.requester);
  const deliveries: Delivery[] = [];
  for (const reviewerId of round.reviewers) {
    const reviewer = byId.get(reviewerId);
    if (!reviewer) continue;
    if (!delivered.has(partOf({ channel: 'email', recipient: reviewerId, kind: 'review-prompt' }))) {
      const token = deps.ids.secretToken();
      await deps.store.issueLinkTokens([
        {
          tokenHash: hashToken(token),
          requestId,
          approverId: reviewerId,
          expiresAt: round.deadline,
          purpose: 'review',
        },
      ]);
      const message = reviewEmail({
        request,
        holder,
        reviewer,
        link: `${deps.publicBaseUrl}/review/${token}`,
        datasets,
      });
      deliveries.push(await deliver('email', reviewerId, 'review-prompt', () => deps.mailer.send(message)));
    }
    const chat = deps.chatApprovals;
    const slackPart = partOf({ channel: 'slack', recipient: reviewerId, kind: 'review-prompt' });
    if (chat && reviewer.slackUserId && !delivered.has(slackPart)) {
      // Where the DM lives is only audited: the chat-prompt ledger is keyed by approver and holds the approval
      // prompt, which later outcomes redraw; the clicked review prompt is redrawn from the click itself.
      const view = { request, holder, reviewer, datasets };
      deliveries.push(
        await deliver('slack', reviewerId, 'review-prompt', async () => {
          const ref = await chat.postReviewPrompt(reviewer, view);
          return { messageId: `${ref.channel}/${ref.ts}` };
        }),
      );
    }
  }
  await recordDeliveries(deps, requestId, deliveries, SWEEP_ACTOR);
  return deliveries;
}
