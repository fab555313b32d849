// Tells a waiting approval step how its request was decided. Safe to call more than once.
import type { StoredRequest } from '../core/ports.ts';
import type { Dependencies } from './context.ts';

export async function signalWorkflow(
  deps: Pick<Dependencies, 'workflow'>,
  request: StoredRequest,
): Promise<void> {
  if (!request.taskToken) return; // the approval step has not started yet; it signals itself when it does
  const status =
    request.status === 'DENIED' || request.status === 'CANCELLED'
      ? request.status
      : request.status === 'APPROVED'
        ? 'APPROVED'
        : undefined;
  if (!status) return;
  try {
    await deps.workflow.approvalDecided(request.taskToken, status);
  } catch (error) {
    // The decision is already committed; a token that timed out or was already answered changes nothing.
    const name = (error as { name?: string }).name ?? '';
    if (name === 'TaskTimedOut' || name === 'TaskDoesNotExist' || name === 'InvalidToken') return;
    throw error;
  }
}
