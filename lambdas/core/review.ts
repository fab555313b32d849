// Recertification: when a grant's review falls due, eligible directors are asked to keep or revoke it; a kept grant
// is reviewed again one interval on, and a round nobody answers within the grace period revokes the grant.
import type { Actor } from './audit.ts';
import { addDuration } from './duration.ts';
import { assertEligibleApprover } from './eligibility.ts';
import { ConflictError, ValidationError } from './errors.ts';
import { requestEvent, revokeGrant, type Transition } from './lifecycle.ts';
import type { AccessRequest, DecisionChannel, Principal, ReviewDecision, Scope } from './model.ts';
import type { Policy } from './policy.ts';

export const REVIEW_REASONS = {
  /** A director answered Revoke. */
  revoked: 'REVIEW_REVOKED',
  /** Nobody answered within the grace period. */
  overdue: 'REVIEW_OVERDUE',
} as const;

const SWEEP: Actor = { type: 'system', id: 'sweep' };

export function reviewIntervalFor(scopes: readonly Scope[], policy: Policy): string {
  return scopes.includes('admin') ? policy.review.admin : policy.review.dataset;
}

/** The grant's review has fallen due and nobody has been asked yet. */
export function isReviewDue(request: AccessRequest, now: string): boolean {
  return (
    request.status === 'ACTIVE' &&
    request.grant !== undefined &&
    request.review === undefined &&
    now >= request.grant.nextReviewAt
  );
}

/** Opens the round: `reviewers` are the directors about to be prompted; the grace period starts now. */
export function openReview(args: {
  readonly request: AccessRequest;
  readonly reviewers: readonly string[];
  readonly policy: Policy;
  readonly now: string;
}): Transition {
  const { request, reviewers, policy, now } = args;
  const grant = request.grant;
  if (!grant || !isReviewDue(request, now)) {
    throw new ConflictError('REVIEW_NOT_DUE', `request ${request.id} has no review due at ${now}`);
  }
  const deadline = addDuration(now, policy.review.grace);
  const next: AccessRequest = {
    ...request,
    review: { dueAt: grant.nextReviewAt, promptedAt: now, deadline, reviewers: [...reviewers] },
  };
  return {
    expectedStatus: 'ACTIVE',
    request: next,
    event: requestEvent(next, 'REVIEW_REQUESTED', SWEEP, now, {
      details: { dueAt: grant.nextReviewAt, deadline, reviewers: [...reviewers] },
    }),
  };
}

/** A round is answerable while the grant is ACTIVE and the grace period has not run out. */
export function assertReviewOpen(request: AccessRequest, now: string): void {
  if (request.status !== 'ACTIVE') {
    throw new ConflictError(
      'NOT_ACTIVE',
      `request ${request.id} is ${request.status}; there is nothing to review`,
    );
  }
  if (!request.review) {
    throw new ConflictError('NO_REVIEW_OPEN', `request ${request.id} has no review awaiting an answer`);
  }
  if (now >= request.review.deadline) {
    throw new ConflictError(
      'REVIEW_CLOSED',
      `the review of request ${request.id} closed at ${request.review.deadline}`,
    );
  }
}

/** One interval after the review that was answered; never in the past, even for a late answer. */
export function nextReviewAfterKeep(dueAt: string, interval: string, now: string): string {
  const next = addDuration(dueAt, interval);
  return next > now ? next : addDuration(now, interval);
}

/** A director's Keep or Revoke. Keep moves nextReviewAt one interval on; Revoke ends access now. */
export function answerReview(args: {
  readonly request: AccessRequest;
  readonly reviewer: Principal;
  readonly decision: ReviewDecision['decision'];
  readonly comment?: string | undefined;
  readonly channel: DecisionChannel;
  readonly policy: Policy;
  readonly now: string;
}): Transition {
  const { request, reviewer, decision, channel, policy, now } = args;
  assertReviewOpen(request, now);
  // The same rules as an approval, re-checked now: a prompt mailed days ago proves nothing about today.
  assertEligibleApprover(reviewer, request, policy, now);
  const comment = args.comment?.trim() || undefined;
  if (decision === 'revoke' && !comment) {
    throw new ValidationError('comment', 'a revoke needs a comment saying why');
  }
  const review = request.review;
  const grant = request.grant;
  if (!review || !grant)
    throw new ConflictError('NO_REVIEW_OPEN', `request ${request.id} has no open review`);
  const answered: AccessRequest = {
    ...request,
    review: undefined,
    reviews: [...(request.reviews ?? []), { reviewerId: reviewer.id, decision, comment, at: now, channel }],
  };
  const actor: Actor = { type: 'principal', id: reviewer.id };
  if (decision === 'revoke') {
    const revoked = revokeGrant({ request: answered, actor, reason: REVIEW_REASONS.revoked, policy, now });
    return {
      ...revoked,
      event: {
        ...revoked.event,
        details: { channel, review: 'revoke', ...(comment ? { comment } : {}) },
      },
    };
  }
  const nextReviewAt = nextReviewAfterKeep(review.dueAt, reviewIntervalFor(request.scopes, policy), now);
  const kept: AccessRequest = { ...answered, grant: { ...grant, nextReviewAt } };
  return {
    expectedStatus: 'ACTIVE',
    request: kept,
    event: requestEvent(kept, 'REVIEW_KEPT', actor, now, {
      reason: comment,
      details: { channel, nextReviewAt, dueAt: review.dueAt },
    }),
    grants: 'refresh',
  };
}

/** The grace period ran out unanswered: revoke. Undefined while the round can still be answered. */
export function revokeOverdueReview(
  request: AccessRequest,
  policy: Policy,
  now: string,
): Transition | undefined {
  const review = request.review;
  if (request.status !== 'ACTIVE' || !review || now < review.deadline) return undefined;
  const revoked = revokeGrant({ request, actor: SWEEP, reason: REVIEW_REASONS.overdue, policy, now });
  return {
    ...revoked,
    event: {
      ...revoked.event,
      details: { dueAt: review.dueAt, deadline: review.deadline, reviewers: [...review.reviewers] },
    },
  };
}
