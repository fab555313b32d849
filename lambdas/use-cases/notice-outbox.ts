// The notice outbox, its enqueue side: a change commits with the notices it owes recorded as due, they are handed
// to the queue, and the sweep hands over any the queue never got. What every committing use case imports; nothing
// here renders or sends: the notifier delivers each notice (./notices/deliver-notice.ts, the delivery side).
import { logger } from '../commons/observability.ts';
import type { Actor } from '../core/audit.ts';
import type { Transition } from '../core/lifecycle.ts';
import {
  type DueNotice,
  type NoticeRef,
  type OutcomeEvent,
  outcomesOfTransition,
  resendCutoff,
} from '../core/notices.ts';
import type { StoredRequest } from '../core/ports.ts';
import { type ChangeExtras, commitWithNotices, type Dependencies } from './context.ts';
import { describe } from './notify-delivery.ts';

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
 * With no queue configured (a bare test wiring; every deployed function and the local stack have one) the notices
 * stay due, and the sweep's resendUnsentNotices hands them over once there is a queue.
 */
export async function handOverNotices(deps: Dependencies, notices: readonly DueNotice[]): Promise<void> {
  const queue = deps.noticeQueue;
  if (!queue) return;
  await Promise.all(
    notices.map((notice) =>
      queue.enqueue({ requestId: notice.requestId, key: notice.key }).catch((error: unknown) => {
        logger.warn({ message: 'notice not enqueued; the sweep resends it', notice, error: describe(error) });
      }),
    ),
  );
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
