// Posting the Slack approval prompt to every eligible approver who has a Slack user id, once per approver,
// remembering where each prompt lives so later outcomes can update it in place.
import { logger } from '../commons/observability.ts';
import { neededDeciders } from '../core/dataset-owners.ts';
import { catalogueOf, type Dependencies } from './context.ts';
import { type Delivery, deliver, describe, recordDeliveries } from './notify-delivery.ts';
import { seatUsage } from './notify-outcome.ts';

const WORKFLOW = { type: 'system', id: 'workflow' } as const;

export async function promptApproversOnSlack(deps: Dependencies, requestId: string): Promise<void> {
  const chat = deps.chatApprovals;
  const ledger = deps.notificationLedger;
  if (!chat || !ledger) return;
  try {
    const request = await deps.store.getRequest(requestId);
    if (request?.status !== 'PENDING_APPROVAL') return;
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
    if (approvers.length === 0) return;
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
      await Promise.all(
        posted.map(async (prompt) => {
          const approver = approvers.find((candidate) => candidate.id === prompt.approverId);
          if (approver)
            await chat.updatePrompt(prompt.ref, {
              request: now,
              requester,
              approver,
              names,
              seats,
              datasets,
            });
        }),
      );
    }
  } catch (error) {
    logger.error({
      message: 'posting Slack prompts failed',
      requestId,
      error: describe(error),
    });
  }
}
