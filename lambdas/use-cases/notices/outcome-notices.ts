// Telling people what happened to a request, delivered by the notice outbox (./deliver-notice.ts) once the
// outcome is committed: the requester (email, and Slack when mapped), approvers whose prompt went stale, and every
// Slack prompt updated in place; and the expiry reminder the sweep owes (../expiry-reminder.ts). Each channel is
// retried and audited; what failed is returned, never hidden, so the notice stays due and is delivered again.
import type { Actor } from '../../core/audit.ts';
import { REASONS } from '../../core/lifecycle.ts';
import type { Principal } from '../../core/model.ts';
import { expiryReminderOf, type OutcomeEvent, partOf } from '../../core/notices.ts';
import type { ApprovalPromptView, ChatPrompt, Notice, StoredRequest } from '../../core/ports.ts';
import {
  decidedElsewhereNotice,
  deniedNotice,
  expiredNotice,
  expiryReminderNotice,
  failedNotice,
  grantedNotice,
  type Names,
  rejectedNotice,
  revokedNotice,
  timedOutNotice,
} from '../../presentation/notification-messages.ts';
import type { DatasetCatalogue } from '../../presentation/request-summary.ts';
import { catalogueOf, type Dependencies } from '../context.ts';
import { type Delivery, deliver, recordDeliveries } from '../notify-delivery.ts';
import { claimOnce, type Message, seatUsage, sendToAll } from './channels.ts';

/** Outcomes after which every Slack prompt of the request is redrawn from fresh state. */
const PROMPT_UPDATES: ReadonlySet<OutcomeEvent> = new Set([
  'decision',
  'rejected',
  'timed-out',
  'cancelled',
  'revoked',
]);

export interface NotifyOptions {
  /** Who the audit events name as sending. @default the system actor `api` */
  readonly actor?: Actor;
  /** For `rejected`: the rejection's detail (the cap message), which the request itself does not keep. */
  readonly detail?: string | undefined;
  /**
   * The due notice sending on its own behalf (./deliver-notice.ts): the once-only claim of the
   * outcome's messages may be taken again by that notice's redelivery (a crash after claiming resends), never
   * by another notice that finds the request in the same state.
   */
  readonly claimOwner?: string | undefined;
  /** Parts an earlier attempt of the same notice delivered (`partOf`): not sent again. */
  readonly delivered?: ReadonlySet<string> | undefined;
}

/** Sends what the committed outcome owes and audits each delivery; returns them all, the failed ones included. */
export async function notifyOutcome(
  deps: Dependencies,
  requestId: string,
  event: OutcomeEvent,
  options: NotifyOptions = {},
): Promise<Delivery[]> {
  const request = await deps.store.getRequest(requestId);
  if (!request) return [];
  const [principals, datasets] = await Promise.all([deps.directory.listPrincipals(), catalogueOf(deps)]);
  const byId = new Map(principals.map((principal) => [principal.id, principal]));
  const names: Names = Object.fromEntries(principals.map((principal) => [principal.id, principal.name]));
  const delivered = options.delivered ?? new Set<string>();
  const prompts = (PROMPT_UPDATES.has(event) ? await listPrompts(deps, requestId) : []).filter(
    (prompt) =>
      !delivered.has(
        partOf({ channel: 'slack', recipient: prompt.approverId, kind: 'approval-prompt-updated' }),
      ),
  );

  const messages: Message[] = [];
  const detail = options.detail ?? rejectionDetail(deps, request);
  const requesterNotice = noticeForRequester(request, event, names, detail, datasets);
  const requester = byId.get(request.requester);
  if (requesterNotice && requester) messages.push({ recipient: requester, notice: requesterNotice });
  if (closesApproval(request, event)) {
    const prompted = new Set(prompts.map((prompt) => prompt.approverId));
    const decided = new Set(request.approvals.map((entry) => entry.approverId));
    const asked = new Set([...(request.notified ?? []), ...prompted]);
    for (const approverId of asked) {
      const approver = byId.get(approverId);
      if (!approver || decided.has(approverId) || approverId === request.requester) continue;
      const skip = prompted.has(approverId) ? new Set(['slack']) : undefined;
      messages.push({
        recipient: approver,
        notice: decidedElsewhereNotice(request, names, datasets),
        skip,
      });
    }
  }
  // Notices go out once per outcome even when a workflow step is retried; prompt updates are idempotent.
  const claimKey = `${event}:${request.status}:${request.approvals.length}`;
  const claimed =
    messages.length > 0 && (await claimOnce(deps, requestId, claimKey, options.claimOwner)) ? messages : [];

  const seats = prompts.length > 0 ? await seatUsage(deps, request) : undefined;
  const deliveries = (
    await Promise.all([
      ...prompts.map((prompt) =>
        updatePrompt(deps, prompt, byId, (approver) => ({
          request,
          requester: byId.get(request.requester),
          approver,
          names,
          seats,
          datasets,
        })),
      ),
      ...claimed.flatMap((message) => sendToAll(deps, message, delivered)),
    ])
  ).filter(isDelivery);
  await recordDeliveries(deps, requestId, deliveries, options.actor ?? API);
  return deliveries;
}

/** Who the reminder's audit events name, as the sweep owed it (../expiry-reminder.ts). */
const SWEEP: Actor = { type: 'system', id: 'sweep' };

/**
 * The expiry-reminder notice, delivered by the notice outbox: to the holder on every channel that reaches them,
 * unless the grant ended or its expiry moved since (`key` names the expiry it was about; a new one is owed then).
 */
export async function deliverExpiryReminder(
  deps: Dependencies,
  key: string,
  requestId: string,
  delivered: ReadonlySet<string> = new Set(),
): Promise<Delivery[]> {
  const request = await deps.store.getRequest(requestId);
  if (request?.status !== 'ACTIVE' || !request.grant) return [];
  if (key !== expiryReminderOf({ requestId, expiresAt: request.grant.expiresAt }, SWEEP, '').key) return [];
  const [requester, datasets] = await Promise.all([
    deps.directory.getPrincipal(request.requester),
    catalogueOf(deps),
  ]);
  if (!requester) return [];
  const deliveries = await Promise.all(
    sendToAll(deps, { recipient: requester, notice: expiryReminderNotice(request, datasets) }, delivered),
  );
  await recordDeliveries(deps, requestId, deliveries, SWEEP);
  return deliveries;
}

const API: Actor = { type: 'system', id: 'api' };
function rejectionDetail(deps: Dependencies, request: StoredRequest): string | undefined {
  if (request.reason !== REASONS.capReached) return undefined;
  const orgCap = deps.policy.organisationAdminCaps[request.requesterOrganisation];
  return orgCap === undefined
    ? `all ${deps.policy.externalAdminCap} external admin seats were in use`
    : `all ${deps.policy.externalAdminCap} external admin seats, or all ${orgCap} of ${request.requesterOrganisation}, were in use`;
}

function noticeForRequester(
  request: StoredRequest,
  event: OutcomeEvent,
  names: Names,
  detail: string | undefined,
  datasets: DatasetCatalogue,
): Notice | undefined {
  switch (event) {
    case 'decision':
      return request.status === 'DENIED' ? deniedNotice(request, names, datasets) : undefined;
    case 'granted':
      return request.status === 'ACTIVE' ? grantedNotice(request, names, datasets) : undefined;
    case 'rejected':
      return request.status === 'REJECTED' ? rejectedNotice(request, detail, datasets) : undefined;
    case 'timed-out':
      return request.status === 'TIMED_OUT' ? timedOutNotice(request, datasets) : undefined;
    case 'revoked':
      // Someone who revoked their own access needs no message about it.
      return request.status === 'REVOKED' && request.closedBy !== request.requester
        ? revokedNotice(request, names, datasets)
        : undefined;
    case 'expired':
      return request.status === 'EXPIRED' ? expiredNotice(request, datasets) : undefined;
    case 'failed':
      return request.status === 'FAILED' ? failedNotice(request, datasets) : undefined;
    case 'cancelled':
      return undefined;
  }
}

/** The approval stage just ended: approvers who have not decided hold a stale prompt. */
function closesApproval(request: StoredRequest, event: OutcomeEvent): boolean {
  // Read after the commit: the workflow may already have granted (ACTIVE) or rejected an approved request.
  if (event === 'decision') return request.status !== 'PENDING_APPROVAL';
  if (event === 'cancelled') return request.status === 'CANCELLED';
  if (event === 'timed-out') return request.status === 'TIMED_OUT';
  // Rejected while still pending (the requester stopped qualifying); after approval nobody is waiting.
  if (event === 'rejected')
    return request.status === 'REJECTED' && request.approvals.length < request.approvalsRequired;
  return false;
}

async function listPrompts(deps: Dependencies, requestId: string): Promise<ChatPrompt[]> {
  if (!deps.chatApprovals || !deps.notificationLedger) return [];
  return deps.notificationLedger.listChatPrompts(requestId);
}

async function updatePrompt(
  deps: Dependencies,
  prompt: ChatPrompt,
  byId: ReadonlyMap<string, Principal>,
  viewFor: (approver: Principal) => ApprovalPromptView,
): Promise<Delivery | undefined> {
  const chat = deps.chatApprovals;
  const approver = byId.get(prompt.approverId);
  if (!chat || !approver) return undefined;
  return deliver('slack', approver.id, 'approval-prompt-updated', async () => {
    await chat.updatePrompt(prompt.ref, viewFor(approver));
    return { messageId: `${prompt.ref.channel}/${prompt.ref.ts}` };
  });
}

function isDelivery(value: Delivery | undefined): value is Delivery {
  return value !== undefined;
}
