// Use case behind the AwaitApproval step: records the task token, mails each eligible approver a personal
// link, and audits every notification. Retries mail only the approvers not yet notified.
import { createHash } from 'node:crypto';
import { neededDeciders } from '../core/dataset-owners.ts';
import { recordOnRequest } from '../core/lifecycle.ts';
import type { ApprovalTokenRecord, StoredRequest } from '../core/ports.ts';
import { replyAddress, replyTokenFromSecret } from '../core/reply-parsing.ts';
import { approvalEmail } from '../presentation/approval-email.ts';
import {
  catalogueOf,
  commitTransition,
  type Dependencies,
  loadRequest,
  withOptimisticRetry,
} from './context.ts';
import { signalWorkflow } from './signal-workflow.ts';
import { promptApproversOnSlack } from './slack-prompts.ts';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const SYSTEM = { type: 'system', id: 'workflow' } as const;

export async function requestApproval(
  deps: Dependencies,
  requestId: string,
  taskToken: string,
): Promise<void> {
  const links = new Map<string, string>();
  const replies = new Map<string, string>();
  const recorded = await withOptimisticRetry(async () => {
    links.clear();
    replies.clear();
    const stored = await loadRequest(deps, requestId);
    if (stored.status !== 'PENDING_APPROVAL') return stored;
    const now = deps.clock.now();
    const directory = await deps.directory.listPrincipals();
    const notified = new Set(stored.notified ?? []);
    const tokens: ApprovalTokenRecord[] = [];
    for (const approver of neededDeciders(directory, stored, deps.policy, now)) {
      if (notified.has(approver.id)) continue;
      const token = deps.ids.secretToken();
      links.set(approver.id, token);
      tokens.push({
        tokenHash: hashToken(token),
        requestId,
        approverId: approver.id,
        expiresAt: stored.approvalDeadline,
      });
      if (deps.replyDomain) {
        // A token of its own: the Reply-To address is seen by more mail hops than the body's link.
        const replyToken = replyTokenFromSecret(deps.ids.secretToken());
        replies.set(approver.id, replyAddress(replyToken, deps.replyDomain));
        tokens.push({
          tokenHash: hashToken(replyToken),
          requestId,
          approverId: approver.id,
          expiresAt: stored.approvalDeadline,
          via: 'reply',
        });
      }
    }
    const transition = recordOnRequest(stored, 'APPROVAL_REQUESTED', SYSTEM, now, {
      approvers: tokens.map((token) => token.approverId),
      deadline: stored.approvalDeadline,
    });
    return commitTransition(deps, stored, transition, { taskToken, issueTokens: tokens });
  });
  if (recorded.status !== 'PENDING_APPROVAL') {
    // Decided (e.g. through the API) before this step began: answer our own token so the workflow moves on.
    await signalWorkflow(deps, { ...recorded, taskToken });
    return;
  }
  await notifyApprovers(deps, recorded, links, replies);
  await promptApproversOnSlack(deps, requestId);
}

async function notifyApprovers(
  deps: Dependencies,
  request: StoredRequest,
  links: Map<string, string>,
  replies: Map<string, string>,
): Promise<void> {
  const [directory, seats, datasets] = await Promise.all([
    deps.directory.listPrincipals(),
    deps.store.externalAdminSeats(),
    catalogueOf(deps),
  ]);
  const byId = new Map(directory.map((principal) => [principal.id, principal]));
  for (const [approverId, token] of links) {
    const approver = byId.get(approverId);
    if (!approver) continue;
    const message = approvalEmail({
      request,
      requester: byId.get(request.requester),
      approver,
      link: `${deps.publicBaseUrl}/approve/${token}`,
      replyTo: replies.get(approverId),
      seats: { inUse: seats.total, cap: deps.policy.externalAdminCap },
      datasets,
    });
    let outcome: { ok: true; messageId: string } | { ok: false; error: string };
    try {
      outcome = { ok: true, ...(await sendWithRetry(deps, message)) };
    } catch (error) {
      // A failing channel never breaks the lifecycle: the failure is audited and the request stays decidable.
      outcome = { ok: false, error: String(error) };
    }
    await withOptimisticRetry(async () => {
      const stored = await loadRequest(deps, request.id);
      const details: Record<string, string> = outcome.ok
        ? { channel: 'email', recipient: approverId, messageId: outcome.messageId }
        : { channel: 'email', recipient: approverId, error: outcome.error.slice(0, 300) };
      const transition = recordOnRequest(
        stored,
        outcome.ok ? 'NOTIFICATION_SENT' : 'NOTIFICATION_FAILED',
        SYSTEM,
        deps.clock.now(),
        details,
        outcome.ok ? 'success' : 'failed',
      );
      const notified = outcome.ok ? [...new Set([...(stored.notified ?? []), approverId])] : stored.notified;
      return commitTransition(deps, stored, transition, { notified });
    });
  }
}

async function sendWithRetry(deps: Dependencies, message: Parameters<Dependencies['mailer']['send']>[0]) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.mailer.send(message);
    } catch (error) {
      if (attempt >= 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
    }
  }
}
