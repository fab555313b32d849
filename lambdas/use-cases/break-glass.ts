// Use cases of break-glass after the grant: the directors' reviews and the sweep closing a review window; a failed
// review suspends the holder's break-glass eligibility. The urgent notice and alarm when it starts are delivered by
// the notice outbox (./notices/break-glass-notice.ts).
import { auditStreamOfPrincipal } from '../adapters/dynamodb/schema.ts';
import { BREAK_GLASS_REVIEW_FAILED_METRIC, breakGlassMetricLine } from '../commons/metrics.ts';
import type { Actor } from '../core/audit.ts';
import { chainEvent } from '../core/audit.ts';
import {
  closeUnreviewedBreakGlass,
  reviewBreakGlass,
  suspendBreakGlass,
  suspensionFor,
} from '../core/break-glass.ts';
import type { Transition } from '../core/lifecycle.ts';
import type { BreakGlassReview, Principal } from '../core/model.ts';
import type { StoredRequest } from '../core/ports.ts';
import { commitTransition, type Dependencies, loadRequest, withOptimisticRetry } from './context.ts';
import { visibleRequest } from './view-requests.ts';

/** A review changes the request and the holder, and tells nobody: no mail, Slack or platform is wired for it. */
type ReviewDependencies = Omit<
  Dependencies,
  'mailer' | 'notifiers' | 'notificationLedger' | 'chatApprovals' | 'replyDomain' | 'providers'
>;

/** POST /requests/{id}/break-glass-reviews: one director's verdict, in the request's stream. */
export async function reviewBreakGlassAccess(
  deps: ReviewDependencies,
  reviewer: Principal,
  requestId: string,
  answer: { readonly verdict: BreakGlassReview['verdict']; readonly comment: string },
): Promise<StoredRequest> {
  await visibleRequest(deps, reviewer, requestId); // 404 for those who may not see it
  return settle(deps, requestId, { type: 'principal', id: reviewer.id }, (stored, now) =>
    reviewBreakGlass({ request: stored, reviewer, ...answer, policy: deps.policy, now }),
  );
}

/** The sweep: a review window closed without enough justified verdicts (a no-op when no longer due). */
export async function closeBreakGlassReview(
  deps: ReviewDependencies,
  requestId: string,
  actor: Actor,
): Promise<StoredRequest> {
  return settle(deps, requestId, actor, (stored, now) => closeUnreviewedBreakGlass(stored, actor, now));
}

/**
 * Decides from fresh state; a failed review suspends the holder first (idempotent, on their own stream) and then
 * commits the request's event, so a crash in between leaves the review due and the retry finishes it.
 */
async function settle(
  deps: ReviewDependencies,
  requestId: string,
  actor: Actor,
  decide: (stored: StoredRequest, now: string) => Transition | undefined,
): Promise<StoredRequest> {
  return withOptimisticRetry(async () => {
    const stored = await loadRequest(deps, requestId);
    const transition = decide(stored, deps.clock.now());
    if (!transition) return stored;
    const suspension = suspensionFor(transition.request);
    if (suspension) await suspendHolder(deps, stored.requester, suspension, actor);
    const committed = await commitTransition(deps, stored, transition);
    if (suspension)
      console.log(breakGlassMetricLine(suspension.at, BREAK_GLASS_REVIEW_FAILED_METRIC, requestId));
    return committed;
  });
}

async function suspendHolder(
  deps: ReviewDependencies,
  principalId: string,
  suspension: NonNullable<ReturnType<typeof suspensionFor>>,
  actor: Actor,
): Promise<void> {
  await withOptimisticRetry(async () => {
    const stored = await deps.directory.getPrincipalRecord(principalId);
    const change = stored && suspendBreakGlass(stored.principal, suspension, actor);
    if (!stored || !change) return;
    const event = chainEvent(auditStreamOfPrincipal(principalId), stored.audit, change.event);
    await deps.directory.updatePrincipal({ principal: change.principal, event, expectedHead: stored.audit });
  });
}
