// Use case: an approver approves or denies. The same path serves the API, the emailed link and later channels.
import { decideRequest } from '../core/lifecycle.ts';
import type { DecisionChannel, Principal } from '../core/model.ts';
import type { StoredRequest } from '../core/ports.ts';
import { commitTransition, type Dependencies, loadRequest, withOptimisticRetry } from './context.ts';
import { extensionDecision } from './extend-request.ts';
import { notifyOutcome } from './notify-outcome.ts';
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

export async function decideOnRequest(deps: Dependencies, input: DecisionInput): Promise<StoredRequest> {
  const datasets = await deps.directory.listDatasets();
  const datasetTitles = new Map(datasets.map((entry) => [entry.id, entry.title]));
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
    return commitTransition(deps, stored, transition, {
      consumeToken: input.tokenHash ? { tokenHash: input.tokenHash, usedAt: now } : undefined,
    });
  });
  await signalWorkflow(deps, decided);
  await notifyOutcome(deps, decided.id, 'decision');
  return decided;
}
