// The composition root of a function that commits changes owing notices but sends none itself (`notices:enqueue`
// without `mail:send` / `slack:post`): the core and the notice queue. The notices' due records commit with the
// change; the queue takes them to the notifier (lambdas/use-cases/notice-outbox.ts). No SES, no Slack. The roots
// of the functions that also mail, post or provision build on this one.
import { SqsNoticeQueue } from '../adapters/sqs-notice-queue.ts';
import type { Mailer } from '../core/ports.ts';
import type { Dependencies } from '../use-cases/context.ts';
import { builtOnCore, extendWiring } from './core-dependencies.ts';
import { ENV } from './env.ts';

export type QueueingDependencies = Omit<Dependencies, 'providers'>;

/** Never reached while the queue is configured; a function granted no mail says so rather than sending. */
const NO_MAILER: Mailer = {
  send: () => Promise.reject(new Error('this function only enqueues notices: it has no mail:send')),
};

export const queueingDependencies: () => QueueingDependencies = builtOnCore(({ deps }) => {
  const url = process.env[ENV.noticeQueueUrl];
  return extendWiring(deps, {
    mailer: NO_MAILER,
    // Absent only in a bare test stack without a queue: the notices then stay due and the sweep reports them.
    noticeQueue: url ? new SqsNoticeQueue(url) : undefined,
  });
});
