// Break-glass: emergency access granted at once, without approval, to principals the policy names, within the cap
// and the clearance rules, reviewed afterwards by distinct directors; a grant not justified in time costs the holder
// their eligibility until an access-admin restores it.
import type { Actor, AuditEventDraft } from './audit.ts';
import { addDuration, parseDuration } from './duration.ts';
import { assertEligibleApprover } from './eligibility.ts';
import { ConflictError, ForbiddenError, ValidationError } from './errors.ts';
import { requestEvent, type SubmissionInput, submitRequest, type Transition } from './lifecycle.ts';
import type {
  AccessRequest,
  BreakGlassRecord,
  BreakGlassReview,
  BreakGlassSuspension,
  Principal,
  Scope,
} from './model.ts';
import type { Policy } from './policy.ts';

export type BreakGlassPolicy = NonNullable<Policy['breakGlass']>;

/** Whether the policy names the principal: by id, `role:<role>`, `grade:<grade>` or `organisation:<name>`. */
export function isNamedForBreakGlass(principal: Principal, config: BreakGlassPolicy): boolean {
  return config.eligible.some(
    (entry) =>
      entry === principal.id ||
      entry === `grade:${principal.grade}` ||
      entry === `organisation:${principal.organisation}` ||
      principal.roles.some((role) => entry === `role:${role}`),
  );
}

function scopeAllowed(scope: Scope, config: BreakGlassPolicy): boolean {
  return (
    config.scopes.includes(scope) || (scope.startsWith('dataset:') && config.scopes.includes('dataset:*'))
  );
}

/** The break-glass rules on top of the ordinary submission rules; throws the 4xx that says which one failed. */
export function assertBreakGlassAllowed(
  requester: Principal,
  input: Pick<SubmissionInput, 'scopes' | 'duration'>,
  policy: Policy,
): BreakGlassPolicy {
  const config = policy.breakGlass;
  if (!config) throw new ForbiddenError('BREAK_GLASS_OFF', 'break-glass is not configured in the policy');
  if (!isNamedForBreakGlass(requester, config)) {
    throw new ForbiddenError('BREAK_GLASS_NOT_ELIGIBLE', `${requester.id} is not eligible for break-glass`);
  }
  const suspended = requester.breakGlassSuspended;
  if (suspended) {
    throw new ForbiddenError(
      'BREAK_GLASS_SUSPENDED',
      `${requester.id} lost break-glass eligibility at ${suspended.at}: request ${suspended.requestId} was ${
        suspended.reason === 'NOT_JUSTIFIED' ? 'found not justified' : 'not reviewed in time'
      }; an access-admin can restore it`,
    );
  }
  const refused = input.scopes.filter((scope) => !scopeAllowed(scope as Scope, config));
  if (refused.length > 0) {
    throw new ValidationError(
      'scopes',
      `scopes ${refused.join(', ')} cannot be taken by break-glass; allowed: ${config.scopes.join(', ')}`,
    );
  }
  if (parseDuration(input.duration, 'duration') > parseDuration(config.maxDuration)) {
    throw new ValidationError('duration', `duration for break-glass is at most ${config.maxDuration}`);
  }
  return config;
}

/**
 * A break-glass submission: the ordinary checks (scopes, duration, justification, clearance), then it is APPROVED
 * at once with no approver. The workflow's grant step takes the seat against the cap like any other grant.
 */
export function submitBreakGlass(args: Parameters<typeof submitRequest>[0]): Transition {
  const config = assertBreakGlassAllowed(args.requester, args.input, args.policy);
  const submitted = submitRequest(args);
  const breakGlass: BreakGlassRecord = {
    reviewDeadline: addDuration(args.now, config.reviewWithin),
    reviewersRequired: config.reviewersRequired,
    reviews: [],
    outcome: 'OPEN',
  };
  const request: AccessRequest = {
    ...submitted.request,
    status: 'APPROVED',
    approvalsRequired: 0,
    breakGlass,
  };
  return {
    ...submitted,
    request,
    event: {
      ...submitted.event,
      details: {
        ...submitted.event.details,
        approvalsRequired: 0,
        breakGlass: true,
        reviewDeadline: breakGlass.reviewDeadline,
      },
    },
  };
}

/** Break-glass access is never extended: ask again (and be reviewed again), or ask through approval. */
export function assertNotBreakGlass(request: AccessRequest): void {
  if (request.breakGlass) {
    throw new ConflictError(
      'BREAK_GLASS_NOT_EXTENSIBLE',
      `request ${request.id} is break-glass access, which cannot be extended; submit a new request for more time`,
    );
  }
}

/** One director's verdict. Enough distinct `justified` verdicts settle it JUSTIFIED; one `not-justified` settles it. */
export function reviewBreakGlass(args: {
  readonly request: AccessRequest;
  readonly reviewer: Principal;
  readonly verdict: BreakGlassReview['verdict'];
  readonly comment: string;
  readonly policy: Policy;
  readonly now: string;
}): Transition {
  const { request, reviewer, verdict, policy, now } = args;
  // Who may never review is told so (403) before whether there is anything to review (409).
  if (reviewer.id === request.requester) {
    throw new ForbiddenError('SELF_REVIEW', 'a holder cannot review their own break-glass access');
  }
  assertEligibleApprover(reviewer, request, policy, now);
  const record = request.breakGlass;
  if (!record || !request.grant) {
    throw new ConflictError('NOT_BREAK_GLASS', `request ${request.id} was not granted by break-glass`);
  }
  if (record.outcome !== 'OPEN' || now >= record.reviewDeadline) {
    throw new ConflictError(
      'BREAK_GLASS_REVIEW_CLOSED',
      `the break-glass review of request ${request.id} is closed (${record.outcome === 'OPEN' ? `its window ended at ${record.reviewDeadline}` : record.outcome})`,
    );
  }
  if (record.reviews.some((review) => review.reviewerId === reviewer.id)) {
    throw new ConflictError('ALREADY_DECIDED', `${reviewer.id} has already reviewed request ${request.id}`);
  }
  const comment = args.comment.trim();
  if (!comment) throw new ValidationError('comment', 'a break-glass review needs a comment saying why');
  const reviews = [...record.reviews, { reviewerId: reviewer.id, verdict, comment, at: now }];
  const justified = reviews.filter((review) => review.verdict === 'justified').length;
  const outcome =
    verdict === 'not-justified'
      ? 'NOT_JUSTIFIED'
      : justified >= record.reviewersRequired
        ? 'JUSTIFIED'
        : 'OPEN';
  const next: AccessRequest = {
    ...request,
    breakGlass: { ...record, reviews, outcome, settledAt: outcome === 'OPEN' ? undefined : now },
  };
  const action =
    outcome === 'OPEN'
      ? 'BREAK_GLASS_REVIEW_RECORDED'
      : outcome === 'JUSTIFIED'
        ? 'BREAK_GLASS_JUSTIFIED'
        : 'BREAK_GLASS_NOT_JUSTIFIED';
  return {
    expectedStatus: request.status,
    request: next,
    event: requestEvent(next, action, { type: 'principal', id: reviewer.id }, now, {
      reason: outcome === 'NOT_JUSTIFIED' ? 'NOT_JUSTIFIED' : undefined,
      outcome: outcome === 'NOT_JUSTIFIED' ? 'refused' : 'success',
      details: { verdict, comment, justified, reviewersRequired: record.reviewersRequired },
    }),
  };
}

/** When the sweep must close the review: its deadline, while open on a grant that was made. */
export function breakGlassReviewDueAt(request: AccessRequest): string | undefined {
  return request.breakGlass?.outcome === 'OPEN' && request.grant
    ? request.breakGlass.reviewDeadline
    : undefined;
}

/** The window closed without enough justified verdicts: UNREVIEWED, by the sweep. Undefined when not due. */
export function closeUnreviewedBreakGlass(
  request: AccessRequest,
  actor: Actor,
  now: string,
): Transition | undefined {
  const dueAt = breakGlassReviewDueAt(request);
  const record = request.breakGlass;
  if (!dueAt || !record || now < dueAt) return undefined;
  const next: AccessRequest = {
    ...request,
    breakGlass: { ...record, outcome: 'UNREVIEWED', settledAt: now },
  };
  return {
    expectedStatus: request.status,
    request: next,
    event: requestEvent(next, 'BREAK_GLASS_UNREVIEWED', actor, now, {
      reason: 'UNREVIEWED',
      outcome: 'refused',
      details: {
        justified: record.reviews.filter((review) => review.verdict === 'justified').length,
        reviewersRequired: record.reviewersRequired,
        reviewDeadline: record.reviewDeadline,
      },
    }),
  };
}

/** What a settled, failed review costs the holder; undefined while open or when justified. */
export function suspensionFor(request: AccessRequest): BreakGlassSuspension | undefined {
  const record = request.breakGlass;
  if (record?.outcome !== 'NOT_JUSTIFIED' && record?.outcome !== 'UNREVIEWED') return undefined;
  return { at: record.settledAt ?? request.createdAt, requestId: request.id, reason: record.outcome };
}

/** The holder's directory change and its event; undefined when they are already suspended (a retry). */
export function suspendBreakGlass(
  principal: Principal,
  suspension: BreakGlassSuspension,
  actor: Actor,
): { readonly principal: Principal; readonly event: AuditEventDraft } | undefined {
  if (principal.breakGlassSuspended) return undefined;
  return {
    principal: { ...principal, breakGlassSuspended: suspension },
    event: {
      action: 'PRINCIPAL_UPDATED',
      actor,
      at: suspension.at,
      subject: { requestId: suspension.requestId, principalId: principal.id, scopes: [] },
      outcome: 'success',
      reason: suspension.reason,
      details: { changed: ['breakGlassSuspended'], breakGlassSuspended: suspension.reason },
    },
  };
}
