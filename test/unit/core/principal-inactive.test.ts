// Unit tests for a leaver: a deactivated requester's pending requests end (CANCELLED, PRINCIPAL_INACTIVE, by whoever
// deactivated them), the preview says so, and a deactivated director decides nothing on any channel.
import { describe, expect, it } from 'vitest';
import {
  isEligibleApproverFor,
  mayDecideExtension,
  mayDecideRequest,
  mayDecideReview,
} from '../../../lambdas/core/authorization.ts';
import {
  cancelForInactiveRequester,
  directoryActor,
  planPrincipalChange,
} from '../../../lambdas/core/directory-changes.ts';
import { eligibleApprovers } from '../../../lambdas/core/eligibility.ts';
import { ForbiddenError } from '../../../lambdas/core/errors.ts';
import { decideExtension, requestExtension } from '../../../lambdas/core/extension.ts';
import { decideRequest } from '../../../lambdas/core/lifecycle.ts';
import type { AccessRequest, DecisionChannel, Principal } from '../../../lambdas/core/model.ts';
import {
  activeRequest,
  approvedBy,
  catalogue,
  directory,
  later,
  NOW,
  pendingRequest,
  people,
  policy,
  thrownBy,
} from '../../support/fixtures.ts';

const leaver: Principal = { ...people.externalScA, active: false };
const scimActor = directoryActor({ provisioner: 'entra' });

describe('cancelForInactiveRequester', () => {
  it('cancels a pending admin request of a deactivated requester, by the SCIM client, releasing the admin lock', () => {
    // Prepare
    const request = pendingRequest(people.externalScA);

    // Act
    const transition = cancelForInactiveRequester({ request, requester: leaver, actor: scimActor, now: NOW });

    // Assess
    expect(transition).toMatchObject({
      expectedStatus: 'PENDING_APPROVAL',
      request: {
        status: 'CANCELLED',
        reason: 'PRINCIPAL_INACTIVE',
        closedBy: 'scim:entra',
        closedAt: NOW,
      },
      event: {
        action: 'REQUEST_CANCELLED',
        actor: { type: 'system', id: 'scim:entra' },
        reason: 'PRINCIPAL_INACTIVE',
        outcome: 'success',
        subject: { requestId: 'req-1', principalId: 'xena.sc', scopes: ['admin'] },
        details: { detail: 'xena.sc is not active' },
      },
      adminLock: 'release',
    });
    expect(transition?.seat).toBeUndefined();
  });

  it('keeps the approvals already recorded, names an access-admin as the actor, and holds no lock for a dataset', () => {
    // Prepare
    const request = approvedBy(
      pendingRequest(people.externalScA, { scopes: ['dataset:hes-apc'] }),
      [],
      later('PT1H'),
    );

    // Act
    const transition = cancelForInactiveRequester({
      request,
      requester: leaver,
      actor: directoryActor(people.accessAdmin),
      now: NOW,
    });

    // Assess
    expect(transition?.request).toMatchObject({ status: 'CANCELLED', closedBy: 'ada.admin' });
    expect(transition?.event.actor).toEqual({ type: 'principal', id: 'ada.admin' });
    expect(transition?.adminLock).toBeUndefined();
  });

  it('cancels when the requester is gone from the directory altogether', () => {
    // Act
    const transition = cancelForInactiveRequester({
      request: pendingRequest(people.externalScA),
      requester: undefined,
      actor: scimActor,
      now: NOW,
    });

    // Assess
    expect(transition?.event.details).toEqual({ detail: 'xena.sc is no longer in the directory' });
  });

  it.each<[string, AccessRequest, Principal]>([
    ['an active requester', pendingRequest(people.externalScA), people.externalScA],
    ['an already cancelled request (a retried PATCH)', cancelled(), leaver],
    ['an ACTIVE grant (revoked by its own rule)', activeRequest(people.externalScA), leaver],
    [
      'an APPROVED request (refused at grant time)',
      approvedBy(pendingRequest(people.externalScA), [people.homeDirector, people.executiveDirector]),
      leaver,
    ],
  ])('writes nothing for %s', (_label, request, requester) => {
    // Act
    const transition = cancelForInactiveRequester({ request, requester, actor: scimActor, now: NOW });

    // Assess
    expect(transition).toBeUndefined();
  });
});

function cancelled(): AccessRequest {
  const transition = cancelForInactiveRequester({
    request: pendingRequest(people.externalScA),
    requester: leaver,
    actor: scimActor,
    now: NOW,
  });
  if (!transition) throw new Error('expected a cancellation');
  return transition.request;
}

describe('planPrincipalChange for a deactivation', () => {
  it('lists the pending request as ending at once, the grant as revoked, and an approved one as refused at grant', () => {
    // Prepare
    const pending = pendingRequest(people.externalScA, { scopes: ['dataset:hes-apc'] }, { id: 'req-p' });
    const grant = { ...activeRequest(people.externalScA), id: 'req-a' };
    const approved = {
      ...approvedBy(pendingRequest(people.externalScA, { scopes: ['dataset:mhsds'] }), [people.homeDirector]),
      id: 'req-b',
    };

    // Act
    const plan = planPrincipalChange({
      caller: { provisioner: 'entra' },
      principal: people.externalScA,
      patch: { active: false },
      requests: [pending, grant, approved],
      catalogue,
      policy,
      now: later('PT3H'),
    });

    // Assess
    expect(plan.revokes.map((effect) => effect.requestId)).toEqual(['req-a']);
    expect(plan.endsPending).toEqual([
      {
        requestId: 'req-p',
        scopes: ['dataset:hes-apc'],
        reason: 'PRINCIPAL_INACTIVE',
        detail: 'xena.sc is not active: cancelled at once',
      },
      {
        requestId: 'req-b',
        scopes: ['dataset:mhsds'],
        reason: 'PRINCIPAL_INACTIVE',
        detail: 'xena.sc is not active',
      },
    ]);
  });
});

describe('a deactivated director', () => {
  const director: Principal = { ...people.homeDirector, active: false };

  it.each<DecisionChannel>(['api', 'console', 'email-link', 'email-reply', 'slack'])(
    'cannot decide a request through %s (NOT_ELIGIBLE_APPROVER)',
    (channel) => {
      // Act
      const error = thrownBy(() =>
        decideRequest({
          request: pendingRequest(people.externalScA),
          approver: director,
          decision: 'approve',
          comment: 'fine',
          channel,
          policy,
          now: later('PT1H'),
        }),
      );

      // Assess
      expect(error).toBeInstanceOf(ForbiddenError);
      expect(error).toMatchObject({
        code: 'NOT_ELIGIBLE_APPROVER',
        message: 'dana.director is not active',
      });
    },
  );

  it.each<DecisionChannel>(['email-reply', 'slack'])('cannot decide an extension through %s', (channel) => {
    // Prepare
    const grant = activeRequest(people.externalScB, { scopes: ['dataset:hes-apc'], duration: 'P1D' });
    const extended = requestExtension({
      request: grant,
      holder: people.externalScB,
      input: { duration: 'P1D', justification: 'The investigation needs one more day of work' },
      catalogue,
      policy,
      now: later('PT3H'),
    }).request;

    // Act
    const error = thrownBy(() =>
      decideExtension({
        request: extended,
        approver: director,
        holder: people.externalScB,
        decision: 'approve',
        channel,
        catalogue,
        policy,
        now: later('PT4H'),
      }),
    );

    // Assess
    expect(error).toMatchObject({ code: 'NOT_ELIGIBLE_APPROVER' });
    expect(mayDecideExtension(director, extended, policy, later('PT4H'))).toBe(false);
  });

  it('is out of every approver list and may decide nothing', () => {
    // Prepare
    const request = pendingRequest(people.externalScA);
    const grant = activeRequest(people.externalScA);
    const others = directory.filter((principal) => principal.id !== director.id);

    // Act
    const approvers = eligibleApprovers([...others, director], request, policy, NOW).map((p) => p.id);

    // Assess
    expect(approvers).not.toContain('dana.director');
    expect(approvers).toContain('eve.exec');
    expect(isEligibleApproverFor(director, request, policy, NOW)).toBe(false);
    expect(mayDecideRequest(director, request, policy, NOW)).toBe(false);
    expect(mayDecideReview(director, grant, policy, NOW)).toBe(false);
  });
});
