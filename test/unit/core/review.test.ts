// Unit tests for recertification: when a review falls due, Keep moves it one interval on, Revoke ends access,
// and an unanswered round past its grace period revokes with REVIEW_OVERDUE.
import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, ValidationError } from '../../../lambdas/core/errors.ts';
import type { AccessRequest } from '../../../lambdas/core/model.ts';
import {
  answerReview,
  isReviewDue,
  nextReviewAfterKeep,
  openReview,
  REVIEW_REASONS,
  reviewIntervalFor,
  revokeOverdueReview,
} from '../../../lambdas/core/review.ts';
import { activeRequest, datasets, later, people, policy, scopeOf, thrownBy } from '../../support/fixtures.ts';

const GRANTED_AT = later('PT2H');

function activeDatasetGrant(): AccessRequest {
  return activeRequest(
    people.externalScA,
    { scopes: [scopeOf(datasets.hesIdentifiable)], duration: 'P60D' },
    GRANTED_AT,
  );
}

function openRound(request: AccessRequest, at: string): AccessRequest {
  return openReview({ request, reviewers: ['dana.director', 'eve.exec'], policy, now: at }).request;
}

describe('review schedule', () => {
  it('reviews admin every P7D and datasets every P30D by default', () => {
    // Assess
    expect(reviewIntervalFor(['admin'], policy)).toBe('P7D');
    expect(reviewIntervalFor([scopeOf(datasets.hesIdentifiable)], policy)).toBe('P30D');
  });

  it('is due from nextReviewAt, not before, and not while a round is open', () => {
    // Prepare
    const request = activeDatasetGrant();
    const dueAt = request.grant?.nextReviewAt ?? '';

    // Assess
    expect(dueAt).toBe(later('P30D', GRANTED_AT));
    expect(isReviewDue(request, later('P29D', GRANTED_AT))).toBe(false);
    expect(isReviewDue(request, dueAt)).toBe(true);
    expect(isReviewDue(openRound(request, dueAt), later('PT1H', dueAt))).toBe(false);
  });
});

describe('openReview', () => {
  it('records the round with its reviewers and a deadline one grace period on, as the sweep', () => {
    // Prepare
    const request = activeDatasetGrant();
    const dueAt = request.grant?.nextReviewAt ?? '';
    const promptedAt = later('PT5M', dueAt);

    // Act
    const transition = openReview({ request, reviewers: ['dana.director'], policy, now: promptedAt });

    // Assess
    expect(transition.expectedStatus).toBe('ACTIVE');
    expect(transition.request.review).toEqual({
      dueAt,
      promptedAt,
      deadline: later('P2D', promptedAt),
      reviewers: ['dana.director'],
    });
    expect(transition.event).toMatchObject({
      action: 'REVIEW_REQUESTED',
      actor: { type: 'system', id: 'sweep' },
      details: { reviewers: ['dana.director'], deadline: later('P2D', promptedAt) },
    });
  });

  it('refuses before the review is due with REVIEW_NOT_DUE', () => {
    // Prepare
    const request = activeDatasetGrant();

    // Act
    const error = thrownBy(() =>
      openReview({ request, reviewers: [], policy, now: later('P1D', GRANTED_AT) }),
    );

    // Assess
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'REVIEW_NOT_DUE' });
  });
});

describe('answerReview', () => {
  const dueAt = later('P30D', GRANTED_AT);
  const answeredAt = later('PT3H', dueAt);

  it('Keep closes the round, moves nextReviewAt one interval on and refreshes the grant rows', () => {
    // Prepare
    const request = openRound(activeDatasetGrant(), dueAt);

    // Act
    const transition = answerReview({
      request,
      reviewer: people.homeDirector,
      decision: 'keep',
      comment: 'Still needed for the audit',
      channel: 'email-link',
      policy,
      now: answeredAt,
    });

    // Assess
    expect(transition.request.status).toBe('ACTIVE');
    expect(transition.request.review).toBeUndefined();
    expect(transition.request.grant?.nextReviewAt).toBe(later('P30D', dueAt));
    expect(transition.request.reviews).toEqual([
      {
        reviewerId: 'dana.director',
        decision: 'keep',
        comment: 'Still needed for the audit',
        at: answeredAt,
        channel: 'email-link',
      },
    ]);
    expect(transition.grants).toBe('refresh');
    expect(transition.event).toMatchObject({ action: 'REVIEW_KEPT', actor: { id: 'dana.director' } });
  });

  it('Revoke ends access with REVIEW_REVOKED, the comment in the event, and releases what the grant held', () => {
    // Prepare
    const request = openRound(
      activeRequest(people.externalScA, { scopes: ['admin'] }, GRANTED_AT),
      later('P7D', GRANTED_AT),
    );

    // Act
    const transition = answerReview({
      request,
      reviewer: people.executiveDirector,
      decision: 'revoke',
      comment: 'The migration is finished',
      channel: 'slack',
      policy,
      now: later('P7DT1H', GRANTED_AT),
    });

    // Assess
    expect(transition.request).toMatchObject({
      status: 'REVOKED',
      reason: REVIEW_REASONS.revoked,
      closedBy: 'eve.exec',
      review: undefined,
    });
    expect(transition.event).toMatchObject({
      action: 'GRANT_REVOKED',
      reason: 'REVIEW_REVOKED',
      details: { channel: 'slack', review: 'revoke', comment: 'The migration is finished' },
    });
    expect(transition.seat).toMatchObject({ op: 'release' });
    expect(transition.grants).toBe('close');
  });

  it('asks a reason for Revoke', () => {
    // Prepare
    const request = openRound(activeDatasetGrant(), dueAt);

    // Act
    const error = thrownBy(() =>
      answerReview({
        request,
        reviewer: people.homeDirector,
        decision: 'revoke',
        channel: 'api',
        policy,
        now: answeredAt,
      }),
    );

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: 'comment' });
  });

  it.each([
    ['the holder', people.externalScA, 'SELF_APPROVAL'],
    ['a manager', people.manager, 'NOT_ELIGIBLE_APPROVER'],
    ['a director outside the home organisation', people.externalDirector, 'NOT_ELIGIBLE_APPROVER'],
  ])('refuses %s under the approver rules', (_who, reviewer, code) => {
    // Prepare
    const request = openRound(activeDatasetGrant(), dueAt);

    // Act
    const error = thrownBy(() =>
      answerReview({ request, reviewer, decision: 'keep', channel: 'api', policy, now: answeredAt }),
    );

    // Assess
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({ code });
  });

  it('refuses an answer without an open round, or after its deadline', () => {
    // Prepare
    const request = activeDatasetGrant();
    const open = openRound(request, dueAt);
    const answer = (target: AccessRequest, now: string) =>
      thrownBy(() =>
        answerReview({
          request: target,
          reviewer: people.homeDirector,
          decision: 'keep',
          channel: 'api',
          policy,
          now,
        }),
      );

    // Assess
    expect(answer(request, answeredAt)).toMatchObject({ code: 'NO_REVIEW_OPEN' });
    expect(answer(open, later('P2D', dueAt))).toMatchObject({ code: 'REVIEW_CLOSED' });
  });

  it('never schedules the next review in the past, even after a late answer', () => {
    // Assess
    expect(nextReviewAfterKeep('2026-01-01T00:00:00.000Z', 'P7D', '2026-01-03T00:00:00.000Z')).toBe(
      '2026-01-08T00:00:00.000Z',
    );
    expect(nextReviewAfterKeep('2026-01-01T00:00:00.000Z', 'P7D', '2026-01-09T00:00:00.000Z')).toBe(
      '2026-01-16T00:00:00.000Z',
    );
  });
});

describe('revokeOverdueReview', () => {
  it('revokes with REVIEW_OVERDUE once the grace period has run out, and not before', () => {
    // Prepare
    const dueAt = later('P30D', GRANTED_AT);
    const request = openRound(activeDatasetGrant(), dueAt);

    // Act
    const early = revokeOverdueReview(request, policy, later('P1DT23H', dueAt));
    const overdue = revokeOverdueReview(request, policy, later('P2D', dueAt));

    // Assess
    expect(early).toBeUndefined();
    expect(overdue?.request).toMatchObject({
      status: 'REVOKED',
      reason: 'REVIEW_OVERDUE',
      closedBy: 'sweep',
    });
    expect(overdue?.event).toMatchObject({
      action: 'GRANT_REVOKED',
      actor: { type: 'system', id: 'sweep' },
      details: { reviewers: ['dana.director', 'eve.exec'] },
    });
  });

  it('does nothing to a grant that already ended', () => {
    // Prepare
    const request: AccessRequest = {
      ...openRound(activeDatasetGrant(), later('P30D', GRANTED_AT)),
      status: 'REVOKED',
    };

    // Assess
    expect(revokeOverdueReview(request, policy, later('P40D', GRANTED_AT))).toBeUndefined();
  });
});
