// Posting the Slack approval prompt to every eligible approver who has a Slack user id, once per approver,
// remembering where each prompt lives (its `ts`) so later outcomes, and a retry, update it in place. Part of the
// approval-prompt notice (./approval-prompts.ts sendApprovalPrompts).
import { logger } from '../../commons/observability.ts';
import { neededDeciders } from '../../core/dataset-owners.ts';
import { catalogueOf, type Dependencies } from '../context.ts';
import { type Delivery, deliver, describe, recordDeliveries } from '../notify-delivery.ts';
import { claimOnce, seatUsage } from './channels.ts';

const WORKFLOW = { type: 'system', id: 'workflow' } as const;

/** Returns the posts' deliveries (a failed one keeps the notice due); an approver already prompted is skipped. */
export async function promptApproversOnSlack(
  deps: Dependencies,
  requestId: string,
  owner?: string,
): Promise<Delivery[]> {
  const chat = deps.chatApprovals;
  const ledger = deps.notificationLedger;
  if (!chat || !ledger) return [];
  const request = await deps.store.getRequest(requestId);
  if (request?.status !== 'PENDING_APPROVAL') return [];
  const [principals, prompted, datasets] = await Promise.all([
    deps.directory.listPrincipals(),
    ledger.listChatPrompts(requestId),
    catalogueOf(deps),
  ]);
  const already = new Set(prompted.map((prompt) => prompt.approverId));
  const decided = new Set(request.approvals.map((entry) => entry.approverId));
  const approvers = neededDeciders(principals, request, deps.policy, deps.clock.now()).filter(
    (approver) => approver.slackUserId && !already.has(approver.id) && !decided.has(approver.id),
  );
  // As the mails: one notice posts to each approver, whatever else is delivering the same request's prompts.
  const claimed: typeof approvers = [];
  for (const approver of approvers) {
    if (await claimOnce(deps, requestId, `approval-slack:${approver.id}`, owner)) claimed.push(approver);
  }
  approvers.splice(0, approvers.length, ...claimed);
  if (approvers.length === 0) return [];
  const names = Object.fromEntries(principals.map((principal) => [principal.id, principal.name]));
  const requester = principals.find((principal) => principal.id === request.requester);
  const seats = await seatUsage(deps, request);
  const deliveries: Delivery[] = await Promise.all(
    approvers.map((approver) =>
      deliver('slack', approver.id, 'approval-prompt', async () => {
        const ref = await chat.postPrompt(approver, {
          request,
          requester,
          approver,
          names,
          seats,
          datasets,
        });
        await ledger.saveChatPrompt(requestId, { approverId: approver.id, ref });
        return { messageId: `${ref.channel}/${ref.ts}` };
      }),
    ),
  );
  await recordDeliveries(deps, requestId, deliveries, WORKFLOW);
  // A decision that landed while the prompts were being posted found none of them to update: redraw them now.
  const now = await deps.store.getRequest(requestId);
  if (now && (now.status !== request.status || now.approvals.length !== request.approvals.length)) {
    const posted = (await ledger.listChatPrompts(requestId)).filter(
      (prompt) => !already.has(prompt.approverId),
    );
    // Best effort: the posts themselves are delivered (and audited); a failed redraw is only logged.
    await Promise.all(
      posted.map(async (prompt) => {
        const approver = approvers.find((candidate) => candidate.id === prompt.approverId);
        if (approver)
          await chat
            .updatePrompt(prompt.ref, {
              request: now,
              requester,
              approver,
              names,
              seats,
              datasets,
            })
            .catch((error: unknown) => {
              logger.warn({ message: 'redrawing a Slack prompt failed', requestId, error: describe(error) });
            });
      }),
    );
  }
  return deliveries;
}
