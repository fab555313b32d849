// Unit tests for extensions: only the holder asks, the same approvers and counts decide, approval moves expiresAt
// within maxTotalDuration, and a deny or a missed deadline leaves the original expiry standing.
import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, ValidationError } from '../../../lambdas/core/errors.ts';
import {
  decideExtension,
  isExtensionOpen,
  requestExtension,
  timeOutExtension,
} from '../../../lambdas/core/extension.ts';
import { expireGrant, revokeGrant } from '../../../lambdas/core/lifecycle.ts';
import type { AccessRequest, Principal } from '../../../lambdas/core/model.ts';
import {
  activeRequest,
  catalogue,
  clearance,
  datasets,
  later,
  people,
  policy,
  policyWith,
  scopeOf,
  thrownBy,
} from '../../support/fixtures.ts';

const GRANTED_AT = later('PT2H');
const ASKED_AT = later('PT4H', GRANTED_AT);
const JUSTIFICATION = 'The data quality investigation needs another working day';

function adminGrant(): AccessRequest {
  return activeRequest(people.externalScA, { scopes: ['admin'], duration: 'PT8H' }, GRANTED_AT);
}

function asked(
  request: AccessRequest,
  duration = 'PT8H',
  holder: Principal = people.externalScA,
): AccessRequest {
  return requestExtension({
    request,
    holder,
    input: { duration, justification: JUSTIFICATION },
    catalogue,
    policy,
    now: ASKED_AT,
  }).request;
}

function decide(
  request: AccessRequest,
  approver: Principal,
  decision: 'approve' | 'deny',
  now = later('PT1H', ASKED_AT),
) {
  return decideExtension({
    request,
    approver,
    holder: people.externalScA,
    decision,
    comment: decision === 'deny' ? 'Finish it within the current window' : undefined,
    channel: 'api',
    catalogue,
    policy,
    now,
  });
}

describe('requestExtension', () => {
  it('opens a round under the same approval count, due by the earlier of the timeout and the expiry', () => {
    // Prepare
    const request = adminGrant();

    // Act
    const transition = requestExtension({
      request,
      holder: people.externalScA,
      input: { duration: 'PT8H', justification: ` ${JUSTIFICATION} ` },
      catalogue,
      policy,
      now: ASKED_AT,
    });

    // Assess
    expect(transition.expectedStatus).toBe('ACTIVE');
    expect(transition.request.grant?.expiresAt).toBe(later('PT8H', GRANTED_AT));
    expect(transition.request.extension).toEqual({
      duration: 'PT8H',
      justification: JUSTIFICATION,
      requestedAt: ASKED_AT,
      expiresAt: later('PT16H', GRANTED_AT),
      approvalsRequired: 2,
      approvals: [],
      status: 'PENDING',
      // PT72H from now is later than the grant's own end: nothing can be extended after it.
      deadline: later('PT8H', GRANTED_AT),
    });
    expect(transition.event).toMatchObject({ action: 'EXTENSION_REQUESTED', actor: { id: 'xena.sc' } });
    expect(transition.seat).toBeUndefined();
    expect(transition.grants).toBeUndefined();
  });

  it('lets only the holder ask', () => {
    // Act
    const error = thrownBy(() => asked(adminGrant(), 'PT8H', people.externalScB));

    // Assess
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({ code: 'NOT_HOLDER' });
  });

  it('refuses a second round while one is open', () => {
    // Act
    const error = thrownBy(() => asked(asked(adminGrant())));

    // Assess
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'EXTENSION_OPEN' });
  });

  it('keeps the whole grant within maxTotalDuration', () => {
    // Prepare
    const strict = policyWith({ maxTotalDuration: { admin: 'PT12H' } });
    const request = adminGrant();
    const ask = (duration: string) =>
      thrownBy(() =>
        requestExtension({
          request,
          holder: people.externalScA,
          input: { duration, justification: JUSTIFICATION },
          catalogue,
          policy: strict,
          now: ASKED_AT,
        }),
      );

    // Act
    const error = ask('PT5H');
    const fits = requestExtension({
      request,
      holder: people.externalScA,
      input: { duration: 'PT4H', justification: JUSTIFICATION },
      catalogue,
      policy: strict,
      now: ASKED_AT,
    });

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: 'duration', message: expect.stringContaining('PT12H in total') });
    expect(fits.request.extension?.expiresAt).toBe(later('PT12H', GRANTED_AT));
  });

  it('needs a clearance covering the extended end, as a new request would', () => {
    // Prepare
    const holder = { ...people.externalScA, clearance: clearance('SC', later('PT10H', GRANTED_AT)) };

    // Act
    const error = thrownBy(() => asked(adminGrant(), 'PT8H', holder));

    // Assess
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({ code: 'CLEARANCE_EXPIRES_BEFORE_GRANT_END' });
  });

  it('refuses on a grant that is no longer active', () => {
    // Prepare
    const revoked = revokeGrant({
      request: adminGrant(),
      actor: { type: 'principal', id: 'xena.sc' },
      reason: 'done',
      policy,
      now: ASKED_AT,
    }).request;

    // Assess
    expect(thrownBy(() => asked(revoked))).toMatchObject({ code: 'NOT_ACTIVE' });
  });
});

describe('decideExtension', () => {
  it('records the first of two approvals, then the second moves expiresAt and refreshes the grant rows', () => {
    // Prepare
    const pending = asked(adminGrant());

    // Act
    const first = decide(pending, people.homeDirector, 'approve');
    const second = decide(first.request, people.executiveDirector, 'approve');

    // Assess
    expect(first.event.action).toBe('EXTENSION_APPROVAL_RECORDED');
    expect(first.request.grant?.expiresAt).toBe(later('PT8H', GRANTED_AT));
    expect(second.event).toMatchObject({
      action: 'EXTENSION_APPROVED',
      details: { expiresAt: later('PT16H', GRANTED_AT), previousExpiresAt: later('PT8H', GRANTED_AT) },
    });
    expect(second.request.grant?.expiresAt).toBe(later('PT16H', GRANTED_AT));
    expect(second.request.extension).toMatchObject({ status: 'APPROVED', closedAt: later('PT1H', ASKED_AT) });
    expect(second.request.status).toBe('ACTIVE');
    expect(second.grants).toBe('refresh');
  });

  it('lets one deny close the round; the original expiry stands', () => {
    // Act
    const denied = decide(asked(adminGrant()), people.homeDirector, 'deny');

    // Assess
    expect(denied.event).toMatchObject({
      action: 'EXTENSION_DENIED',
      reason: 'Finish it within the current window',
    });
    expect(denied.request.extension?.status).toBe('DENIED');
    expect(denied.request.grant?.expiresAt).toBe(later('PT8H', GRANTED_AT));
    expect(denied.grants).toBeUndefined();
  });

  it('refuses the same approver twice, an ineligible approver, and any decision after the deadline', () => {
    // Prepare
    const pending = asked(adminGrant());
    const once = decide(pending, people.homeDirector, 'approve').request;

    // Assess
    expect(thrownBy(() => decide(once, people.homeDirector, 'approve'))).toMatchObject({
      code: 'ALREADY_DECIDED',
    });
    expect(thrownBy(() => decide(pending, people.manager, 'approve'))).toMatchObject({
      code: 'NOT_ELIGIBLE_APPROVER',
    });
    expect(
      thrownBy(() => decide(pending, people.homeDirector, 'approve', later('PT8H', GRANTED_AT))),
    ).toMatchObject({
      code: 'NOT_PENDING',
    });
  });

  it('has nothing to decide without an open round, and says the request or its round was already decided', () => {
    // Prepare
    const closed = decide(asked(adminGrant()), people.homeDirector, 'deny').request;

    // Assess
    expect(thrownBy(() => decide(adminGrant(), people.homeDirector, 'approve'))).toMatchObject({
      code: 'NOT_PENDING',
      message: 'request req-1 was already decided: it is now ACTIVE; nothing is awaiting a decision',
    });
    expect(thrownBy(() => decide(closed, people.manager, 'approve'))).toMatchObject({
      code: 'NOT_PENDING',
      message:
        'the extension of request req-1 was already decided: it is DENIED; nothing is awaiting a decision',
    });
  });
});

describe('a round nobody decides', () => {
  it('times out at its deadline, as the sweep', () => {
    // Prepare
    const request = activeRequest(
      people.externalScA,
      { scopes: [scopeOf(datasets.hesIdentifiable)], duration: 'P30D' },
      GRANTED_AT,
    );
    const pending = asked(request, 'P5D');
    const deadline = pending.extension?.deadline ?? '';

    // Act
    const open = timeOutExtension(pending, later('PT71H', ASKED_AT));
    const closed = timeOutExtension(pending, deadline);

    // Assess
    expect(deadline).toBe(later('PT72H', ASKED_AT));
    expect(isExtensionOpen(pending, later('PT71H', ASKED_AT))).toBe(true);
    expect(open).toBeUndefined();
    expect(closed?.request.extension?.status).toBe('TIMED_OUT');
    expect(closed?.event).toMatchObject({
      action: 'EXTENSION_TIMED_OUT',
      actor: { type: 'system', id: 'sweep' },
    });
    expect(closed?.request.grant?.expiresAt).toBe(later('P30D', GRANTED_AT));
  });

  it('is closed as TIMED_OUT when the grant expires first', () => {
    // Prepare
    const pending = asked(adminGrant());

    // Act
    const expired = expireGrant(pending, policy, later('PT8H', GRANTED_AT));

    // Assess
    expect(expired?.request).toMatchObject({ status: 'EXPIRED', extension: { status: 'TIMED_OUT' } });
    expect(expired?.event.details).toEqual({ extension: 'TIMED_OUT' });
  });
});
