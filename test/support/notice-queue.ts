// A notice queue for tests that need the notices a change owes delivered: each enqueued notice is delivered at
// once, in the caller's await, through the notifier's own path (deliverDueNotice), so it is leased, sent, audited
// and marked sent as on AWS. A delivery that fails is kept in `failures` (SQS would redeliver it), never thrown
// at the committing use case, which on AWS never waits for a channel either.
import type { NoticeRef } from '../../lambdas/core/notices.ts';
import type { NoticeQueue } from '../../lambdas/core/ports.ts';
import type { Dependencies } from '../../lambdas/use-cases/context.ts';
import { deliverDueNotice } from '../../lambdas/use-cases/notices/deliver-notice.ts';

export interface DeliveringNoticeQueue extends NoticeQueue {
  /** Each notice whose delivery failed, with why. */
  readonly failures: { readonly ref: NoticeRef; readonly error: unknown }[];
}

/** `deps`: the wiring to deliver with (read per notice: it is usually the one this queue is part of). */
export function deliveringNoticeQueue(deps: () => Omit<Dependencies, 'providers'>): DeliveringNoticeQueue {
  const failures: DeliveringNoticeQueue['failures'] = [];
  return {
    failures,
    enqueue: async (ref) => {
      await deliverDueNotice(deps(), ref).catch((error: unknown) => {
        failures.push({ ref, error });
      });
    },
  };
}
