// Use case: an approver approves or denies. The same path serves the API, the emailed link and later channels.
import { datasetTitlesOf } from '../core/dataset-owners.ts';
import { decideRequest } from '../core/lifecycle.ts';
import type { DecisionChannel, Principal } from '../core/model.ts';
import type { StoredRequest } from '../core/ports.ts';
import { commitWithNotices, type Dependencies, loadRequest, withOptimisticRetry } from './context.ts';
import { extensionDecision } from './extend-request.ts';
import { handOverNotices } from './notice-outbox.ts';
import { signalWorkflow } from './signal-workflow.ts';

export interface DecisionInput {
  readonly requestId: string;
  readonly approver: Principal;
  readonly decision: 'approve' | 'deny';
  readonly comment?: string | undefined;
  readonly channel: DecisionChannel;
  /** When deciding through an emailed link: that link's token, consumed by the same atomic write. */
  readonly tokenHash?: string | undefined;
}

const DECISION_NOTICE = { outcomes: ['decision'], actor: { type: 'system', id: 'api' } } as const;

export async function decideOnRequest(deps: Dependencies, input: DecisionInput): Promise<StoredRequest> {
  const datasets = await deps.directory.listDatasets();
  const datasetTitles = datasetTitlesOf(datasets);
  const decided = await withOptimisticRetry(async () => {
    const stored = await loadRequest(deps, input.requestId);
    const now = deps.clock.now();
    // The approver is re-read and re-checked now: a link mailed days ago proves nothing about today.
    // An ACTIVE request's open extension round is decided by the same route and links (lambdas/core/extension.ts).
    const transition =
      stored.status === 'ACTIVE'
        ? await extensionDecision(deps, stored, input, now)
        : decideRequest({
            request: stored,
            approver: input.approver,
            decision: input.decision,
            comment: input.comment,
            channel: input.channel,
            policy: deps.policy,
            now,
            datasetTitles,
          });
    // The notice is owed by this commit and sent off the caller's path: no answer waits for mail or Slack.
    return commitWithNotices(deps, stored, transition, DECISION_NOTICE, {
      consumeToken: input.tokenHash ? { tokenHash: input.tokenHash, usedAt: now } : undefined,
    });
  });
  await signalWorkflow(deps, decided.request);
  await handOverNotices(deps, decided.notices);
  return decided.request;
}
