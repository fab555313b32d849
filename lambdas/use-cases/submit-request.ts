// Use case: a principal asks for access; the request is recorded and its workflow started.

import { logger } from '../commons/observability.ts';
import { submitBreakGlass } from '../core/break-glass.ts';
import { KeyholderError } from '../core/errors.ts';
import { assertHoldersLikelyAvailable, limitedDatasetsOf } from '../core/holder-limits.ts';
import {
  assertSeatLikelyAvailable,
  rejectRequest,
  type SubmissionInput,
  submitRequest,
} from '../core/lifecycle.ts';
import type { Principal } from '../core/model.ts';
import type { StoredRequest } from '../core/ports.ts';
import { catalogueOf, commitTransition, type Dependencies } from './context.ts';

export class WorkflowUnavailableError extends KeyholderError {
  constructor(requestId: string) {
    super(
      'unavailable',
      'WORKFLOW_UNAVAILABLE',
      `request ${requestId} could not be started; it was closed, try again`,
    );
  }
}

export async function submitAccessRequest(
  deps: Pick<Dependencies, 'store' | 'directory' | 'policy' | 'clock' | 'ids' | 'workflow'>,
  requester: Principal,
  input: SubmissionInput & { readonly breakGlass?: boolean | undefined },
): Promise<StoredRequest> {
  const now = deps.clock.now();
  const catalogue = await catalogueOf(deps);
  // Break-glass is APPROVED at once; the same workflow grants it (its approval step finds nothing to ask).
  const transition = (input.breakGlass ? submitBreakGlass : submitRequest)({
    id: deps.ids.requestId(),
    input,
    requester,
    catalogue,
    policy: deps.policy,
    now,
  });
  // Courtesy checks, nothing written yet: the binding ones are the conditional writes at grant time.
  const limited = limitedDatasetsOf(transition.request, catalogue).length > 0;
  const [seats, holders] = await Promise.all([
    deps.store.externalAdminSeats(),
    limited ? deps.store.datasetHolders() : new Map<string, number>(),
  ]);
  assertSeatLikelyAvailable(transition.request, seats, deps.policy);
  assertHoldersLikelyAvailable(transition.request, catalogue, holders);
  const stored = await commitTransition(deps, undefined, transition);
  try {
    await deps.workflow.start(stored.id);
  } catch (error) {
    // A request nobody will ever route to approvers must not sit pending (and hold the admin lock).
    logger.error({ message: 'workflow start failed', requestId: stored.id, error: String(error) });
    await commitTransition(
      deps,
      stored,
      rejectRequest(stored, 'WORKFLOW_UNAVAILABLE', String(error), deps.clock.now()),
    );
    throw new WorkflowUnavailableError(stored.id);
  }
  return stored;
}
