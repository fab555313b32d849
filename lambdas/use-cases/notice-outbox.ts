// The notice outbox, after the commit: due notices are handed to the queue (or, with no queue, sent inline), the
// notifier delivers each once (leased, sent, then marked sent), and the sweep hands over any the queue never got.
// A channel that still fails after its retries leaves the notice due: the queue redelivers it (then the DLQ).
import { logger } from '../commons/observability.ts';
import type { Actor } from '../core/audit.ts';
import type { Transition } from '../core/lifecycle.ts';
import type { DueNotice } from '../core/notices.ts';
import {
  NOTICE_LEASE_MS,
  type NoticeRef,
  type OutcomeEvent,
  outcomesOfTransition,
  partOf,
  resendCutoff,
} from '../core/notices.ts';
import type { StoredRequest } from '../core/ports.ts';
import { announceBreakGlass } from './break-glass.ts';
import { type ChangeExtras, commitWithNotices, type Dependencies } from './context.ts';
import { sendExtensionPrompts } from './extend-request.ts';
import { type Delivery, describe } from './notify-delivery.ts';
import { deliverExpiryReminder, notifyOutcome } from './notify-outcome.ts';
import { sendApprovalPrompts } from './request-approval.ts';
import { sendReviewPrompts } from './review-prompt.ts';

/**
 * Commits a transition with the notices the status it enters owes (lambdas/core/notices.ts outcomesOfTransition)
 * recorded as due in the same transaction, then hands them to the queue: the caller never waits for a channel.
 * `actor` is who the delivery audit events will name as sending.
 */
export async function commitAndNotify(
  deps: Dependencies,
  actor: Actor,
  stored: StoredRequest | undefined,
  transition: Transition,
  extras: ChangeExtras = {},
): Promise<StoredRequest> {
  const outcomes: OutcomeEvent[] = outcomesOfTransition(stored, transition.request);
  const committed = await commitWithNotices(
    deps,
    stored,
    transition,
    outcomes.length > 0 ? { outcomes, actor } : undefined,
    extras,
  );
  await handOverNotices(deps, committed.notices);
  return committed.request;
}

/**
 * After the commit: every notice goes to the queue and the caller returns without waiting for any channel. An
 * enqueue that fails is logged, not thrown: the change is committed and the sweep hands the notice over later.
 * With no queue configured (unit tests, a bare wiring) the notices are delivered inline, and a failure is logged;
 * with neither a queue nor a channel they are left due for the sweep (lambdas/commons/queueing-dependencies.ts).
 */
export async function handOverNotices(deps: Dependencies, notices: readonly DueNotice[]): Promise<void> {
  const queue = deps.noticeQueue;
  // No queue and no channel (a function that only enqueues, in a stack without a queue): they stay due.
  if (!queue && !deps.notifiers) return;
  if (!queue) {
    for (const notice of notices) {
      await (deps.notificationLedger ? deliverDueNotice(deps, notice) : sendNotice(deps, notice)).catch(
        (error: unknown) => {
          logger.warn({
            message: 'notice not delivered; the sweep resends it',
            notice,
            error: describe(error),
          });
        },
      );
    }
    return;
  }
  await Promise.all(
    notices.map((notice) =>
      queue.enqueue({ requestId: notice.requestId, key: notice.key }).catch((error: unknown) => {
        logger.warn({ message: 'notice not enqueued; the sweep resends it', notice, error: describe(error) });
      }),
    ),
  );
}

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

/**
 * For the sweep: notices due over a minute ago and never marked sent (the enqueue was lost) go to the queue again.
 * `dueBy` moves the cutoff (the local stack after a restart: its queue was in memory, every unsent notice goes).
 */
export async function resendUnsentNotices(
  deps: Dependencies,
  options: { readonly dueBy?: string } = {},
): Promise<NoticeRef[]> {
  const ledger = deps.notificationLedger;
  if (!ledger) return [];
  const unsent = await ledger.listUnsentNotices(options.dueBy ?? resendCutoff(deps.clock.now()));
  await handOverNotices(deps, unsent);
  return unsent.map(({ requestId, key }) => ({ requestId, key }));
}
