// Use cases behind the emailed approval link: show the request (never deciding on GET), then decide on POST.
import { deciderRefusal } from '../core/dataset-owners.ts';
import { ForbiddenError, NotFoundError, TokenGoneError } from '../core/errors.ts';
import { isExtensionOpen } from '../core/extension.ts';
import type { Dataset, Principal } from '../core/model.ts';
import type { ApprovalTokenRecord, StoredRequest } from '../core/ports.ts';
import { catalogueOf, type Dependencies, loadRequest } from './context.ts';
import { decideOnRequest } from './decide-request.ts';
import { usableLinkToken } from './link-token.ts';

export interface ApprovalLinkView {
  readonly request: StoredRequest;
  readonly requester: Principal | undefined;
  readonly approver: Principal;
  readonly seats: { readonly inUse: number; readonly cap: number };
  /** The catalogue, so the page names datasets by title and sensitivity (GET only). */
  readonly datasets: ReadonlyMap<string, Dataset>;
}

async function resolveLink(
  deps: Dependencies,
  token: string,
): Promise<{ record: ApprovalTokenRecord; view: Omit<ApprovalLinkView, 'datasets'> }> {
  // Review links have their own page (/review/{token}); here they name nothing.
  const { record, now } = await usableLinkToken(
    deps,
    token,
    'approval link',
    (found) => found.purpose !== 'review',
  );
  const request = await loadRequest(deps, record.requestId);
  if (
    record.purpose === 'extension' ? !isExtensionOpen(request, now) : request.status !== 'PENDING_APPROVAL'
  ) {
    throw new TokenGoneError(
      `request ${request.id} is already ${request.status}; there is nothing left to decide`,
    );
  }
  const approver = await deps.directory.getPrincipal(record.approverId);
  if (!approver) throw new NotFoundError('approver', record.approverId);
  const round = record.purpose === 'extension' ? request.extension : request;
  const refusal = deciderRefusal(approver, request, deps.policy, now, undefined, round);
  if (refusal) throw new ForbiddenError(refusal.code, refusal.message);
  const decisions = record.purpose === 'extension' ? (request.extension?.approvals ?? []) : request.approvals;
  if (decisions.some((decision) => decision.approverId === approver.id)) {
    throw new TokenGoneError('you have already decided this request');
  }
  const [requester, seats] = await Promise.all([
    deps.directory.getPrincipal(request.requester),
    deps.store.externalAdminSeats(),
  ]);
  return {
    record,
    view: { request, requester, approver, seats: { inUse: seats.total, cap: deps.policy.externalAdminCap } },
  };
}

/** GET: what the approver is asked to decide. Changes nothing (mail scanners prefetch links). */
export async function openApprovalLink(deps: Dependencies, token: string): Promise<ApprovalLinkView> {
  const [{ view }, datasets] = await Promise.all([resolveLink(deps, token), catalogueOf(deps)]);
  return { ...view, datasets };
}

/** POST: the approver's decision; the token is consumed in the same atomic write as the decision. */
export async function decideByApprovalLink(
  deps: Dependencies,
  token: string,
  decision: 'approve' | 'deny',
  comment: string | undefined,
): Promise<StoredRequest> {
  const { record, view } = await resolveLink(deps, token);
  return decideOnRequest(deps, {
    requestId: record.requestId,
    approver: view.approver,
    decision,
    comment,
    channel: 'email-link',
    tokenHash: record.tokenHash,
  });
}
