// The review-prompt notice a grant's review round owes (../review-prompt.ts), delivered by the notice outbox
// (./deliver-notice.ts): each reviewer's mail with a single-use link and, with a Slack id, a Keep / Revoke DM.
import { partOf } from '../../core/notices.ts';
import { SWEEP_ACTOR } from '../../core/sweep.ts';
import { reviewEmail } from '../../presentation/review-email.ts';
import { catalogueOf, type Dependencies } from '../context.ts';
import { hashToken } from '../link-token.ts';
import { type Delivery, deliver, recordDeliveries } from '../notify-delivery.ts';

/**
 * The review-prompt notice: each reviewer of the open round gets a mail with a single-use link of their own (its
 * token stored just before the mail goes) and, with a Slack id, a DM with Keep / Revoke buttons. Parts an earlier
 * attempt delivered are not sent again; a closed round asks nobody. A failing channel never blocks the round: the
 * deadline stands, the failure is audited and the notice stays due.
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
