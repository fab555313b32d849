// The notice outbox, its delivery side: the notifier (lambdas/handlers/queue/notifier.ts) delivers each due notice
// once (leased, rendered and sent by its kind, then marked sent). The senders live beside this module, one per
// kind of notice; only the notifier and tests import them, so a function that only commits and enqueues
// (../notice-outbox.ts) carries no mail or Slack rendering. A channel that still fails after its retries leaves
// the notice due: the queue redelivers it (then the DLQ).
import { type DueNotice, NOTICE_LEASE_MS, type NoticeRef, partOf } from '../../core/notices.ts';
import type { Dependencies } from '../context.ts';
import type { Delivery } from '../notify-delivery.ts';
import { sendApprovalPrompts } from './approval-prompts.ts';
import { announceBreakGlass } from './break-glass-notice.ts';
import { sendExtensionPrompts } from './extension-prompts.ts';
import { deliverExpiryReminder, notifyOutcome } from './outcome-notices.ts';
import { sendReviewPrompts } from './review-prompts.ts';

export type DeliveryOutcome = 'sent' | 'already-sent' | 'in-flight' | 'missing';

/** A delivery attempt in which some channel still failed after its retries: the notice stays due. */
export class NoticeDeliveryError extends Error {
  readonly ref: NoticeRef;
  readonly failed: readonly Delivery[];

  constructor(ref: NoticeRef, failed: readonly Delivery[]) {
    super(
      `notice ${ref.requestId}/${ref.key}: ${failed
        .map((delivery) => `${partOf(delivery)} failed (${delivery.error ?? 'unknown error'})`)
        .join('; ')}`,
    );
    this.name = 'NoticeDeliveryError';
    this.ref = ref;
    this.failed = failed;
  }
}

/**
 * Sends one due notice at most once per lease: a duplicate message finds it sent (or held by the attempt in
 * flight) and sends nothing. A crash after sending and before marking lets the lease lapse: the redelivered
 * message sends it again, the only case that repeats, and only for a notice never marked sent. A channel that
 * fails after its retries is not marked sent: the parts that went out are kept on the notice, the lease is given
 * up, and NoticeDeliveryError is thrown so the queue redelivers the message (the DLQ and its alarm after that).
 */
export async function deliverDueNotice(
  deps: Omit<Dependencies, 'providers'>,
  ref: NoticeRef,
): Promise<DeliveryOutcome> {
  const ledger = deps.notificationLedger;
  if (!ledger) return 'missing';
  const now = deps.clock.now();
  const until = new Date(Date.parse(now) + NOTICE_LEASE_MS).toISOString();
  const lease = await ledger.leaseNotice(ref, now, until);
  if (lease.kind === 'sent') return 'already-sent';
  if (lease.kind !== 'leased') return lease.kind;
  const { notice } = lease;
  let deliveries: readonly Delivery[];
  try {
    deliveries = await sendNotice(deps, notice);
  } catch (error) {
    await ledger.recordPartialDelivery(ref, []).catch(() => undefined);
    throw error;
  }
  const failed = deliveries.filter((delivery) => !delivery.ok);
  if (failed.length > 0) {
    await ledger.recordPartialDelivery(ref, deliveries.filter((delivery) => delivery.ok).map(partOf));
    throw new NoticeDeliveryError(ref, failed);
  }
  await ledger.markNoticeSent(ref, deps.clock.now());
  return 'sent';
}

/** Renders and sends a notice by its kind, skipping what an earlier attempt delivered; every delivery returned. */
function sendNotice(deps: Omit<Dependencies, 'providers'>, notice: DueNotice): Promise<Delivery[]> {
  const options = { claimOwner: notice.key, delivered: new Set(notice.delivered ?? []) };
  if (notice.event === 'break-glass') return announceBreakGlass(deps, notice.requestId, options);
  if (notice.event === 'approval-prompt')
    return sendApprovalPrompts(deps, notice.requestId, options.delivered, notice.key);
  if (notice.event === 'expiry-reminder')
    return deliverExpiryReminder(deps, notice.key, notice.requestId, options.delivered);
  if (notice.event === 'review-prompt') return sendReviewPrompts(deps, notice.requestId, options.delivered);
  if (notice.event === 'extension-prompt')
    return sendExtensionPrompts(deps, notice.requestId, notice.actor, options.delivered);
  return notifyOutcome(deps, notice.requestId, notice.event, {
    ...options,
    actor: notice.actor,
    detail: notice.detail,
  });
}
