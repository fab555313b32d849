// Unit tests for directory changes: who may change a principal, what the change records, the due time of the
// sweep's principal index, and whether a holder still stands for their grant.
import { describe, expect, it } from 'vitest';
import {
  changePrincipal,
  DUE_AT_ONCE,
  holderStanding,
  planPrincipalChange,
  principalDueAt,
} from '../../../lambdas/core/directory-changes.ts';
import { approverRefusal } from '../../../lambdas/core/eligibility.ts';
import { ForbiddenError, ValidationError } from '../../../lambdas/core/errors.ts';
import {
  catalogue,
  clearance,
  datasets,
  later,
  NOW,
  people,
  policy,
  scopeOf,
  thrownBy,
} from '../../support/fixtures.ts';

describe('changePrincipal', () => {
  it('applies the patch and records each changed field, by the access-admin, on the principal', () => {
    // Act
    const change = changePrincipal({
      caller: people.accessAdmin,
      principal: people.externalScA,
      patch: {
        active: false,
        clearance: { level: 'DV', expiresAt: '2030-01-01T00:00:00+01:00' },
        grade: 'contractor',
      },
      now: NOW,
    });

    // Assess
    expect(change.principal).toMatchObject({
      active: false,
      clearance: { level: 'DV', expiresAt: '2029-12-31T23:00:00.000Z' },
    });
    expect(change.changed).toEqual(['active', 'clearance']);
    expect(change.event).toMatchObject({
      action: 'PRINCIPAL_UPDATED',
      actor: { type: 'principal', id: 'ada.admin' },
      subject: { principalId: 'xena.sc' },
      details: {
        changed: ['active', 'clearance'],
        active: false,
        clearance: 'DV until 2029-12-31T23:00:00.000Z',
      },
    });
  });

  it('removes optional values given as null', () => {
    // Act
    const change = changePrincipal({
      caller: people.accessAdmin,
      principal: { ...people.externalScA, slackUserId: 'U1' },
      patch: { clearance: null, slackUserId: null },
      now: NOW,
    });

    // Assess
    expect(change.principal.clearance).toBeUndefined();
    expect(change.principal.slackUserId).toBeUndefined();
    expect(change.event?.details).toMatchObject({ clearance: 'none', slackUserId: 'none' });
  });

  it('records nothing when nothing changes (a retried PATCH)', () => {
    // Act
    const change = changePrincipal({
      caller: people.accessAdmin,
      principal: people.externalScA,
      patch: { active: true },
      now: NOW,
    });

    // Assess
    expect(change.changed).toEqual([]);
    expect(change.event).toBeUndefined();
  });

  it('lets only an access-admin change the directory, and never their own entry', () => {
    // Assess
    expect(
      thrownBy(() =>
        changePrincipal({ caller: people.homeDirector, principal: people.externalScA, patch: {}, now: NOW }),
      ),
    ).toMatchObject({ code: 'NOT_ALLOWED' });
    const self = thrownBy(() =>
      changePrincipal({
        caller: people.accessAdmin,
        principal: people.accessAdmin,
        patch: { active: false },
        now: NOW,
      }),
    );
    expect(self).toBeInstanceOf(ForbiddenError);
    expect(self).toMatchObject({ code: 'SELF_CHANGE' });
  });

  it('refuses an unreadable clearance expiry', () => {
    // Act
    const error = thrownBy(() =>
      changePrincipal({
        caller: people.accessAdmin,
        principal: people.externalScA,
        patch: { clearance: { level: 'SC', expiresAt: 'next year' } },
        now: NOW,
      }),
    );

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: 'clearance.expiresAt' });
  });
});

describe('principalDueAt', () => {
  it('is due at once when inactive, when the clearance lapses otherwise, and never without one', () => {
    // Assess
    expect(principalDueAt({ ...people.externalScA, active: false })).toBe(DUE_AT_ONCE);
    expect(principalDueAt(people.externalLapsed)).toBe('2026-10-31T23:59:59.000Z');
    expect(principalDueAt(people.externalUncleared)).toBeUndefined();
  });
});

describe('holderStanding', () => {
  const identifiable = { scopes: [scopeOf(datasets.hesIdentifiable)] };
  const aggregate = { scopes: [scopeOf(datasets.covidAggregate)] };

  it('stands while active and cleared for the scopes', () => {
    // Assess
    expect(holderStanding(people.externalScA, identifiable, catalogue, policy, NOW)).toBeUndefined();
    expect(holderStanding(people.externalUncleared, aggregate, catalogue, policy, NOW)).toBeUndefined();
  });

  it('is PRINCIPAL_INACTIVE when deactivated or gone from the directory', () => {
    // Assess
    expect(
      holderStanding({ ...people.externalScA, active: false }, aggregate, catalogue, policy, NOW),
    ).toMatchObject({
      reason: 'PRINCIPAL_INACTIVE',
    });
    expect(holderStanding(undefined, aggregate, catalogue, policy, NOW)).toMatchObject({
      reason: 'PRINCIPAL_INACTIVE',
    });
  });

  it('is CLEARANCE_LAPSED when the clearance expired, was removed, or is too low for the scopes', () => {
    // Assess
    expect(holderStanding(people.externalLapsed, identifiable, catalogue, policy, NOW)).toMatchObject({
      reason: 'CLEARANCE_LAPSED',
      detail: expect.stringContaining('expired'),
    });
    expect(holderStanding(people.externalUncleared, identifiable, catalogue, policy, NOW)).toMatchObject({
      reason: 'CLEARANCE_LAPSED',
    });
    expect(
      holderStanding(
        { ...people.externalScA, clearance: clearance('BPSS') },
        { scopes: ['admin'] },
        catalogue,
        policy,
        NOW,
      ),
    ).toMatchObject({ reason: 'CLEARANCE_LAPSED', detail: 'holds BPSS; SC is required' });
  });
});

describe('an approver made by one access-admin', () => {
  const plan = (caller: Parameters<typeof planPrincipalChange>[0]['caller'], patch: object) =>
    planPrincipalChange({
      caller,
      principal: people.manager,
      patch,
      requests: [],
      catalogue,
      policy,
      now: NOW,
    });

  it("waits approverPromotionDelay, decides nothing until then (not the promoter's request), and is audited", () => {
    // Act
    const change = plan(people.accessAdmin, { grade: 'director' });
    const promoted = change.principal;
    const at = later(policy.approverPromotionDelay);

    // Assess
    expect(change.approverHold).toEqual({ at, madeBy: 'ada.admin' });
    expect(change.changed).toEqual(['grade', 'approverFrom']);
    expect(change.event?.details).toMatchObject({ changed: ['grade', 'approverFrom'], approverFrom: at });
    expect(change.approverEligibility).toEqual({ before: false, after: false });
    expect(approverRefusal(promoted, { requester: 'ada.admin' }, policy, NOW)?.message).toBe(
      `mo.manager was made an approver by ada.admin, the requester, and may decide nothing before ${at}`,
    );
    expect(approverRefusal(promoted, { requester: 'xena.sc' }, policy, later('PT1H'))).toMatchObject({
      code: 'NOT_ELIGIBLE_APPROVER',
    });
    expect(approverRefusal(promoted, { requester: 'ada.admin' }, policy, at)).toBeUndefined();
  });

  it('holds nothing back for a change that makes no new approver, or that the identity provider sent (SCIM)', () => {
    // Act
    const renamed = plan(people.accessAdmin, { name: 'Mo Manager-Smith' });
    const bySCIM = plan({ provisioner: 'entra' }, { grade: 'director' });

    // Assess
    expect(renamed.approverHold).toBeUndefined();
    expect(bySCIM.approverHold).toBeUndefined();
    expect(bySCIM.approverEligibility).toEqual({ before: false, after: true });
  });
});
