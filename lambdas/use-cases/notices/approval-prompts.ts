// The approval-prompt notice the AwaitApproval step owes (../request-approval.ts), delivered by the notice outbox
// (./deliver-notice.ts): each needed approver's mail with a personal link, then their Slack prompt
// (./slack-prompts.ts), every notification audited.
import { neededDeciders } from '../../core/dataset-owners.ts';
import { recordOnRequest } from '../../core/lifecycle.ts';
import { partOf } from '../../core/notices.ts';
import type { ApprovalTokenRecord } from '../../core/ports.ts';
import { replyAddress, replyTokenFromSecret } from '../../core/reply-parsing.ts';
import { approvalEmail } from '../../presentation/approval-email.ts';
import {
  catalogueOf,
  commitTransition,
  type Dependencies,
  loadRequest,
  withOptimisticRetry,
} from '../context.ts';
import { hashToken } from '../link-token.ts';
import { type Delivery, deliver } from '../notify-delivery.ts';
import { claimOnce } from './channels.ts';
import { promptApproversOnSlack } from './slack-prompts.ts';

const SYSTEM = { type: 'system', id: 'workflow' } as const;

/**
 * The approval-prompt notice: each needed approver not yet notified gets a mail with a link (and Reply-To address)
 * of their own, its tokens stored just before it is sent, and the request remembers who was notified; then the
 * Slack prompts, each posted once (its `ts` kept, so a retry updates). A request no longer pending asks nobody.
 * Returns every delivery, the failed ones included (the notice stays due).
 */
export async function sendApprovalPrompts(
  deps: Dependencies,
  requestId: string,
  delivered: ReadonlySet<string> = new Set(),
  owner?: string,
): Promise<Delivery[]> {
  const request = await loadRequest(deps, requestId);
  if (request.status !== 'PENDING_APPROVAL') return [];
  const [directory, seats, datasets] = await Promise.all([
    deps.directory.listPrincipals(),
    deps.store.externalAdminSeats(),
    catalogueOf(deps),
  ]);
  const byId = new Map(directory.map((principal) => [principal.id, principal]));
  const notified = new Set(request.notified ?? []);
  const deliveries: Delivery[] = [];
  for (const approver of neededDeciders(directory, request, deps.policy, deps.clock.now())) {
    const part = partOf({ channel: 'email', recipient: approver.id, kind: 'approval-prompt' });
    if (notified.has(approver.id) || delivered.has(part)) continue;
    // Two approval-prompt notices of one request (a retried step) never both mail one approver: the first to claim
    // them does, and only its own redelivery may claim them again.
    if (!(await claimOnce(deps, requestId, `approval-mail:${approver.id}`, owner))) continue;
    const token = deps.ids.secretToken();
    const tokens: ApprovalTokenRecord[] = [
      {
        tokenHash: hashToken(token),
        requestId,
        approverId: approver.id,
        expiresAt: request.approvalDeadline,
      },
    ];
    let replyTo: string | undefined;
    if (deps.replyDomain) {
      // A token of its own: the Reply-To address is seen by more mail hops than the body's link.
      const replyToken = replyTokenFromSecret(deps.ids.secretToken());
      replyTo = replyAddress(replyToken, deps.replyDomain);
      tokens.push({
        tokenHash: hashToken(replyToken),
        requestId,
        approverId: approver.id,
        expiresAt: request.approvalDeadline,
        via: 'reply',
      });
    }
    // Stored before the mail goes: a link is never in a mailbox before it works.
    await deps.store.issueLinkTokens(tokens);
    const message = approvalEmail({
      request,
      requester: byId.get(request.requester),
      approver,
      link: `${deps.publicBaseUrl}/approve/${token}`,
      replyTo,
      seats: { inUse: seats.total, cap: deps.policy.externalAdminCap },
      datasets,
    });
    const delivery = await deliver('email', approver.id, 'approval-prompt', () => deps.mailer.send(message));
    deliveries.push(delivery);
    await recordApprovalMail(deps, requestId, delivery);
  }
  deliveries.push(...(await promptApproversOnSlack(deps, requestId, owner)));
  return deliveries;
}

/** The mail's NOTIFICATION_SENT (with the approver now `notified`) or NOTIFICATION_FAILED, from fresh state. */
async function recordApprovalMail(deps: Dependencies, requestId: string, delivery: Delivery): Promise<void> {
  await withOptimisticRetry(async () => {
    const stored = await loadRequest(deps, requestId);
    const details: Record<string, string> = delivery.ok
      ? {
          channel: 'email',
          recipient: delivery.recipient,
          messageId: delivery.messageId ?? '',
        }
      : {
          channel: 'email',
          recipient: delivery.recipient,
          error: (delivery.error ?? '').slice(0, 300),
        };
    const transition = recordOnRequest(
      stored,
      delivery.ok ? 'NOTIFICATION_SENT' : 'NOTIFICATION_FAILED',
      SYSTEM,
      deps.clock.now(),
      details,
      delivery.ok ? 'success' : 'failed',
    );
    const notified = delivery.ok
      ? [...new Set([...(stored.notified ?? []), delivery.recipient])]
      : stored.notified;
    return commitTransition(deps, stored, transition, { notified });
  });
}
