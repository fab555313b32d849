// Use cases of break-glass after the grant: the urgent notice and alarm when it starts, the directors' reviews, and
// the sweep closing a review window; a failed review suspends the holder's break-glass eligibility.
import { auditStreamOfPrincipal } from '../adapters/dynamodb/schema.ts';
import {
  BREAK_GLASS_INVOKED_METRIC,
  BREAK_GLASS_REVIEW_FAILED_METRIC,
  breakGlassMetricLine,
} from '../commons/metrics.ts';
import type { Actor } from '../core/audit.ts';
import { chainEvent } from '../core/audit.ts';
import {
  closeUnreviewedBreakGlass,
  reviewBreakGlass,
  suspendBreakGlass,
  suspensionFor,
} from '../core/break-glass.ts';
import { eligibleApprovers } from '../core/eligibility.ts';
import type { Transition } from '../core/lifecycle.ts';
import type { BreakGlassReview, Principal } from '../core/model.ts';
import type { StoredRequest } from '../core/ports.ts';
import { breakGlassNotice } from '../presentation/notification-messages.ts';
import {
  catalogueOf,
  commitTransition,
  type Dependencies,
  loadRequest,
  withOptimisticRetry,
} from './context.ts';
import { type Delivery, recordDeliveries } from './notify-delivery.ts';
import { claimOnce, sendToAll } from './notify-outcome.ts';
import { visibleRequest } from './view-requests.ts';

const WORKFLOW: Actor = { type: 'system', id: 'workflow' };

/** A review changes the request and the holder, and tells nobody: no mail, Slack or platform is wired for it. */
type ReviewDependencies = Omit<
  Dependencies,
  'mailer' | 'notifiers' | 'notificationLedger' | 'chatApprovals' | 'replyDomain' | 'providers'
>;

/**
 * The `break-glass` notice a break-glass grant owes (lambdas/core/notices.ts), delivered by the notice outbox:
 * every eligible director, marked urgent, and the alarm. Once per grant: only that notice's own redelivery claims
 * it again, and then sends only what an earlier attempt did not (`delivered`). Returns every delivery.
 */
export async function announceBreakGlass(
  deps: Dependencies,
  requestId: string,
  options: { readonly claimOwner?: string; readonly delivered?: ReadonlySet<string> } = {},
): Promise<Delivery[]> {
  const request = await deps.store.getRequest(requestId);
  if (!request?.breakGlass || request.status !== 'ACTIVE') return [];
  if (!(await claimOnce(deps, requestId, 'break-glass-announced', options.claimOwner))) return [];
  if (!options.delivered?.size) {
    console.log(breakGlassMetricLine(deps.clock.now(), BREAK_GLASS_INVOKED_METRIC, requestId));
  }
  const [principals, datasets] = await Promise.all([deps.directory.listPrincipals(), catalogueOf(deps)]);
  const names = Object.fromEntries(principals.map((principal) => [principal.id, principal.name]));
  const notice = breakGlassNotice(request, names, datasets);
  const directors = eligibleApprovers(principals, request, deps.policy, deps.clock.now());
  const deliveries = await Promise.all(
    directors.flatMap((director) => sendToAll(deps, { recipient: director, notice }, options.delivered)),
  );
  await recordDeliveries(deps, requestId, deliveries, WORKFLOW);
  return deliveries;
}

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
