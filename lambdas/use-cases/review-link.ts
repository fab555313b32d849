// Use cases behind the emailed review link: show the grant (never deciding on GET), then Keep or Revoke on POST.
// The same rules as approval links: an unguessable single-use token stored only as its hash, bound to one request
// and one director, and the director re-checked against the approver rules at decision time.
import { approverRefusal } from '../core/eligibility.ts';
import { ForbiddenError, NotFoundError, TokenGoneError } from '../core/errors.ts';
import type { Dataset, Principal } from '../core/model.ts';
import type { ApprovalTokenRecord, StoredRequest } from '../core/ports.ts';
import { catalogueOf, type Dependencies, loadRequest } from './context.ts';
import { usableLinkToken } from './link-token.ts';
import { decideReview } from './review-decision.ts';

export interface ReviewLinkView {
  readonly request: StoredRequest;
  readonly holder: Principal | undefined;
  readonly reviewer: Principal;
  /** The catalogue, so the page names datasets by title and sensitivity (GET only). */
  readonly datasets: ReadonlyMap<string, Dataset>;
}

async function resolveLink(
  deps: Dependencies,
  token: string,
): Promise<{ record: ApprovalTokenRecord; view: Omit<ReviewLinkView, 'datasets'> }> {
  // An approval or extension link is not a review link: it names nothing here.
  const { record, now } = await usableLinkToken(
    deps,
    token,
    'review link',
    (found) => found.purpose === 'review',
  );
  const request = await loadRequest(deps, record.requestId);
  if (request.status !== 'ACTIVE' || !request.review || now >= request.review.deadline) {
    throw new TokenGoneError(`request ${request.id} has no review awaiting an answer any more`);
  }
  const reviewer = await deps.directory.getPrincipal(record.approverId);
  if (!reviewer) throw new NotFoundError('reviewer', record.approverId);
  const refusal = approverRefusal(reviewer, request, deps.policy, now);
  if (refusal) throw new ForbiddenError(refusal.code, refusal.message);
  return {
    record,
    view: { request, holder: await deps.directory.getPrincipal(request.requester), reviewer },
  };
}

/** GET: what the director is asked to review. Changes nothing (mail scanners prefetch links). */
export async function openReviewLink(deps: Dependencies, token: string): Promise<ReviewLinkView> {
  const [{ view }, datasets] = await Promise.all([resolveLink(deps, token), catalogueOf(deps)]);
  return { ...view, datasets };
}

/** POST: Keep or Revoke; the token is consumed in the same atomic write as the answer. */
export async function decideByReviewLink(
  deps: Dependencies,
  token: string,
  decision: 'keep' | 'revoke',
  comment: string | undefined,
): Promise<StoredRequest> {
  const { record, view } = await resolveLink(deps, token);
  return decideReview(deps, {
    requestId: record.requestId,
    reviewer: view.reviewer,
    decision,
    comment,
    channel: 'email-link',
    tokenHash: record.tokenHash,
  });
}
