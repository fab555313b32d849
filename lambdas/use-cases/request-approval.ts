// Use case behind the AwaitApproval step: records the task token and, in the same transaction, the approval-prompt
// notice it owes; the notifier then mails each needed approver a personal link and posts their Slack prompt
// (./notices/approval-prompts.ts), auditing every notification. Any attempt asks only the approvers not yet notified.
import { neededDeciders } from '../core/dataset-owners.ts';
import { recordOnRequest } from '../core/lifecycle.ts';
import { commitWithNotices, type Dependencies, loadRequest, withOptimisticRetry } from './context.ts';
import { handOverNotices } from './notice-outbox.ts';
import { signalWorkflow } from './signal-workflow.ts';

const SYSTEM = { type: 'system', id: 'workflow' } as const;
const APPROVAL_PROMPT = { outcomes: ['approval-prompt'], actor: SYSTEM } as const;

export async function requestApproval(
  deps: Dependencies,
  requestId: string,
  taskToken: string,
): Promise<void> {
  const recorded = await withOptimisticRetry(async () => {
    const stored = await loadRequest(deps, requestId);
    if (stored.status !== 'PENDING_APPROVAL') return { request: stored, notices: [] };
    const now = deps.clock.now();
    const notified = new Set(stored.notified ?? []);
    const approvers = neededDeciders(await deps.directory.listPrincipals(), stored, deps.policy, now)
      .map((approver) => approver.id)
      .filter((id) => !notified.has(id));
    const transition = recordOnRequest(stored, 'APPROVAL_REQUESTED', SYSTEM, now, {
      approvers,
      deadline: stored.approvalDeadline,
    });
    // The prompts are owed by this commit and sent by the notifier: the step never waits for mail or Slack.
    return commitWithNotices(deps, stored, transition, APPROVAL_PROMPT, { taskToken });
  });
  if (recorded.request.status !== 'PENDING_APPROVAL') {
    // Decided (e.g. through the API) before this step began: answer our own token so the workflow moves on.
    await signalWorkflow(deps, { ...recorded.request, taskToken });
    return;
  }
  await handOverNotices(deps, recorded.notices);
}
