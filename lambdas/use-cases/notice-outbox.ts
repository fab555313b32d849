// The notice outbox, after the commit: due notices are handed to the queue (or, with no queue, sent inline), the
// notifier delivers each once (leased, sent, then marked sent), and the sweep hands over any the queue never got.
import { logger } from '../commons/observability.ts';
import type { DueNotice } from '../core/notices.ts';
import { NOTICE_LEASE_MS, type NoticeRef, resendCutoff } from '../core/notices.ts';
import type { Dependencies } from './context.ts';
import { describe } from './notify-delivery.ts';
import { notifyOutcome } from './notify-outcome.ts';

/**
 * After the commit: every notice goes to the queue and the caller returns without waiting for any channel. An
 * enqueue that fails is logged, not thrown: the change is committed and the sweep hands the notice over later.
 */
export async function handOverNotices(deps: Dependencies, notices: readonly DueNotice[]): Promise<void> {
  const queue = deps.noticeQueue;
  if (!queue) {
    for (const notice of notices) await deliverDueNotice(deps, notice);
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

/**
 * Sends one due notice at most once per lease: a duplicate message finds it sent (or held by the attempt in
 * flight) and sends nothing. A crash after sending and before marking lets the lease lapse: the redelivered
 * message sends it again, the only case that repeats, and only for a notice never marked sent.
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
  await notifyOutcome(deps, notice.requestId, notice.event, {
    actor: notice.actor,
    detail: notice.detail,
    claimOwner: notice.key,
  });
  await ledger.markNoticeSent(ref, deps.clock.now());
  return 'sent';
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
