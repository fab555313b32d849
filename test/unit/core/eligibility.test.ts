// Unit tests for the requester and approver rules: clearance, activity, organisation, grade, self-approval.
import { describe, expect, it } from 'vitest';
import {
  approvalsRequiredFor,
  approverRefusal,
  assertEligibleApprover,
  assertRequesterEligible,
  eligibleApprovers,
  isExternal,
  requiredClearance,
} from '../../../lambdas/core/eligibility.ts';
import { ForbiddenError } from '../../../lambdas/core/errors.ts';
import type { Principal, Scope } from '../../../lambdas/core/model.ts';
import {
  CLEARANCE_LAPSED_AT,
  catalogue,
  clearance,
  datasets,
  directory,
  later,
  NOW,
  people,
  policy,
  policyWith,
  principal,
  scopeOf,
  thrownBy,
} from '../../support/fixtures.ts';

const GRANT_END = later('PT8H');
const identifiable = scopeOf(datasets.hesIdentifiable);
const pseudonymised = scopeOf(datasets.gpPseudonymised);
const aggregate = scopeOf(datasets.covidAggregate);

function requesterRefusal(
  requester: Principal,
  scopes: readonly Scope[],
  grantEndsAt = GRANT_END,
  rules = policy,
) {
  const error = thrownBy(() =>
    assertRequesterEligible(requester, scopes, catalogue, grantEndsAt, rules, NOW),
  );
  expect(error).toBeInstanceOf(ForbiddenError);
  expect(error).toMatchObject({ kind: 'forbidden', field: undefined });
  return error as ForbiddenError;
}

describe('isExternal', () => {
  it('calls anyone outside the home organisation external', () => {
    // Assess
    expect(isExternal(people.homeDirector, policy)).toBe(false);
    expect(isExternal(people.externalScA, policy)).toBe(true);
    expect(isExternal(people.externalScA, policyWith({ homeOrganisation: 'Acme Analytics' }))).toBe(false);
  });
});

describe('requiredClearance', () => {
  it('asks SC for admin and identifiable datasets, nothing for the others, by default', () => {
    // Assess
    expect(requiredClearance(['admin'], catalogue, policy)).toBe('SC');
    expect(requiredClearance([identifiable], catalogue, policy)).toBe('SC');
    expect(requiredClearance([pseudonymised, aggregate], catalogue, policy)).toBeNull();
  });

  it('asks the highest level any of the scopes needs', () => {
    // Prepare
    const rules = policyWith({ minClearance: { dataset: 'DV', nonIdentifiableDataset: 'BPSS' } });

    // Act
    const mixed = requiredClearance([pseudonymised, identifiable, aggregate], catalogue, rules);
    const lowOnly = requiredClearance([pseudonymised], catalogue, rules);

    // Assess
    expect(mixed).toBe('DV');
    expect(lowOnly).toBe('BPSS');
  });
});

describe('assertRequesterEligible', () => {
  it('lets an SC-cleared external hold admin and identifiable datasets', () => {
    // Act
    const admin = () =>
      assertRequesterEligible(people.externalScA, ['admin'], catalogue, GRANT_END, policy, NOW);
    const data = () =>
      assertRequesterEligible(people.externalScB, [identifiable], catalogue, GRANT_END, policy, NOW);

    // Assess
    expect(admin).not.toThrow();
    expect(data).not.toThrow();
  });

  it('lets DV stand in for SC', () => {
    // Act
    const act = () =>
      assertRequesterEligible(people.externalDvB, ['admin'], catalogue, GRANT_END, policy, NOW);

    // Assess
    expect(act).not.toThrow();
  });

  it('refuses an inactive requester, even for data that needs no clearance', () => {
    // Prepare
    const departed = { ...people.externalScA, active: false };

    // Act
    const error = requesterRefusal(departed, [pseudonymised]);

    // Assess
    expect(error.code).toBe('PRINCIPAL_INACTIVE');
    expect(error.message).toBe('xena.sc is not active');
  });

  it('refuses a requester without clearance', () => {
    // Act
    const error = requesterRefusal(people.externalUncleared, [identifiable]);

    // Assess
    expect(error.code).toBe('CLEARANCE_MISSING');
    expect(error.message).toBe('dataset:hes-apc requires SC clearance');
  });

  it('refuses a requester whose clearance has lapsed', () => {
    // Act
    const error = requesterRefusal(people.externalLapsed, ['admin']);

    // Assess
    expect(error.code).toBe('CLEARANCE_EXPIRED');
    expect(error.message).toBe(`clearance SC expired at ${CLEARANCE_LAPSED_AT}`);
  });

  it('counts a clearance that expires exactly now as lapsed', () => {
    // Prepare
    const expiringNow = { ...people.externalScA, clearance: clearance('SC', NOW) };

    // Act
    const error = requesterRefusal(expiringNow, ['admin']);

    // Assess
    expect(error.code).toBe('CLEARANCE_EXPIRED');
  });

  it('refuses BPSS for admin', () => {
    // Act
    const error = requesterRefusal(people.externalBpssB, ['admin']);

    // Assess
    expect(error.code).toBe('CLEARANCE_INSUFFICIENT');
    expect(error.message).toBe('admin requires SC clearance; yusuf.bpss holds BPSS');
  });

  it('refuses SC where the policy asks DV', () => {
    // Act
    const error = requesterRefusal(
      people.externalScA,
      [identifiable],
      GRANT_END,
      policyWith({ minClearance: { dataset: 'DV' } }),
    );

    // Assess
    expect(error.code).toBe('CLEARANCE_INSUFFICIENT');
  });

  it('refuses a clearance that lapses before the grant would end', () => {
    // Prepare
    const lapsesSoon = { ...people.externalScA, clearance: clearance('SC', later('PT4H')) };

    // Act
    const error = requesterRefusal(lapsesSoon, ['admin'], GRANT_END);

    // Assess
    expect(error.code).toBe('CLEARANCE_EXPIRES_BEFORE_GRANT_END');
    expect(error.message).toBe(
      `clearance expires at ${later('PT4H')}, before the grant would end at ${GRANT_END}`,
    );
  });

  it('accepts a clearance that lapses exactly when the grant ends', () => {
    // Prepare
    const lapsesAtEnd = { ...people.externalScA, clearance: clearance('SC', GRANT_END) };

    // Act
    const act = () => assertRequesterEligible(lapsesAtEnd, ['admin'], catalogue, GRANT_END, policy, NOW);

    // Assess
    expect(act).not.toThrow();
  });

  it('needs no clearance for pseudonymised or aggregate datasets by default', () => {
    // Act
    const uncleared = () =>
      assertRequesterEligible(
        people.externalUncleared,
        [pseudonymised, aggregate],
        catalogue,
        GRANT_END,
        policy,
        NOW,
      );
    const lapsed = () =>
      assertRequesterEligible(people.externalLapsed, [pseudonymised], catalogue, GRANT_END, policy, NOW);

    // Assess
    expect(uncleared).not.toThrow();
    expect(lapsed).not.toThrow();
  });

  it('asks a clearance for non-identifiable datasets when the policy says so', () => {
    // Prepare
    const rules = policyWith({ minClearance: { nonIdentifiableDataset: 'BPSS' } });

    // Act
    const error = requesterRefusal(people.externalUncleared, [pseudonymised], GRANT_END, rules);

    // Assess
    expect(error.code).toBe('CLEARANCE_MISSING');
    expect(error.message).toBe('dataset:gpes-pseudo requires BPSS clearance');
  });

  it('refuses a dataset mix on its identifiable member', () => {
    // Act
    const error = requesterRefusal(people.externalUncleared, [pseudonymised, identifiable]);

    // Assess
    expect(error.code).toBe('CLEARANCE_MISSING');
  });
});

describe('approvalsRequiredFor', () => {
  it('asks two approvals for external admin, one for home admin and one for external datasets', () => {
    // Assess
    expect(approvalsRequiredFor(['admin'], true, policy)).toBe(2);
    expect(approvalsRequiredFor(['admin'], false, policy)).toBe(1);
    expect(approvalsRequiredFor([identifiable, pseudonymised], true, policy)).toBe(1);
    expect(approvalsRequiredFor([identifiable], false, policy)).toBe(1);
  });

  it('follows the policy numbers', () => {
    // Prepare
    const rules = policyWith({ approvalsRequired: { externalAdmin: 3, default: 2 } });

    // Assess
    expect(approvalsRequiredFor(['admin'], true, rules)).toBe(3);
    expect(approvalsRequiredFor([identifiable], true, rules)).toBe(2);
  });
});

describe('approverRefusal / assertEligibleApprover', () => {
  const request = { requester: people.externalScA.id };

  it('accepts an active, cleared home director or executive director', () => {
    // Assess
    expect(approverRefusal(people.homeDirector, request, policy, NOW)).toBeUndefined();
    expect(approverRefusal(people.executiveDirector, request, policy, NOW)).toBeUndefined();
    expect(() => assertEligibleApprover(people.homeDirector, request, policy, NOW)).not.toThrow();
  });

  it('accepts a director with any valid clearance level', () => {
    // Prepare
    const bpssDirector = { ...people.homeDirector, clearance: clearance('BPSS') };

    // Assess
    expect(approverRefusal(bpssDirector, request, policy, NOW)).toBeUndefined();
  });

  it('refuses the requester approving their own request', () => {
    // Act
    const refusal = approverRefusal(people.homeDirector, { requester: people.homeDirector.id }, policy, NOW);
    const error = thrownBy(() =>
      assertEligibleApprover(people.homeDirector, { requester: people.homeDirector.id }, policy, NOW),
    );

    // Assess
    expect(refusal).toEqual({
      code: 'SELF_APPROVAL',
      message: 'a requester cannot approve their own request',
    });
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({ code: 'SELF_APPROVAL', kind: 'forbidden' });
  });

  it.each<[string, Principal, string]>([
    ['inactive', { ...people.homeDirector, active: false }, 'dana.director is not active'],
    ['external', people.externalDirector, 'vic.vendor is not in NHSE'],
    ['a manager', people.manager, 'mo.manager grade manager is not one of director, executive-director'],
    ['uncleared', { ...people.homeDirector, clearance: undefined }, 'dana.director holds no clearance'],
    [
      'with lapsed clearance',
      { ...people.homeDirector, clearance: clearance('SC', CLEARANCE_LAPSED_AT) },
      'dana.director clearance has expired',
    ],
    [
      'with clearance lapsing now',
      { ...people.homeDirector, clearance: clearance('SC', NOW) },
      'dana.director clearance has expired',
    ],
  ])('refuses an approver who is %s', (_label, approver, message) => {
    // Act
    const refusal = approverRefusal(approver, request, policy, NOW);
    const error = thrownBy(() => assertEligibleApprover(approver, request, policy, NOW));

    // Assess
    expect(refusal).toEqual({ code: 'NOT_ELIGIBLE_APPROVER', message });
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({ code: 'NOT_ELIGIBLE_APPROVER', kind: 'forbidden', message });
  });

  it('names every reason at once', () => {
    // Prepare
    const approver = principal({
      id: 'x',
      organisation: 'Acme Analytics',
      grade: 'staff',
      active: false,
      clearance: undefined,
    });

    // Act
    const refusal = approverRefusal(approver, request, policy, NOW);

    // Assess
    expect(refusal).toEqual({
      code: 'NOT_ELIGIBLE_APPROVER',
      message:
        'x is not active; is not in NHSE; grade staff is not one of director, executive-director; holds no clearance',
    });
  });

  it('takes the approver grades from the policy', () => {
    // Prepare
    const rules = policyWith({ approverGrades: ['executive-director'] });

    // Assess
    expect(approverRefusal(people.homeDirector, request, rules, NOW)?.code).toBe('NOT_ELIGIBLE_APPROVER');
    expect(approverRefusal(people.executiveDirector, request, rules, NOW)).toBeUndefined();
  });
});

describe('eligibleApprovers', () => {
  it('lists the home directors with valid clearance, never the requester', () => {
    // Act
    const forExternal = eligibleApprovers(directory, { requester: people.externalScA.id }, policy, NOW);
    const forDirector = eligibleApprovers(directory, { requester: people.homeDirector.id }, policy, NOW);

    // Assess
    expect(forExternal.map((approver) => approver.id)).toStrictEqual([
      people.homeDirector.id,
      people.executiveDirector.id,
    ]);
    expect(forDirector.map((approver) => approver.id)).toStrictEqual([people.executiveDirector.id]);
  });

  it('drops an approver whose clearance lapsed by the time of asking', () => {
    // Act
    const approvers = eligibleApprovers(
      directory,
      { requester: people.externalScA.id },
      policy,
      '2030-01-01T00:00:00.000Z',
    );

    // Assess
    expect(approvers).toStrictEqual([]);
  });
});
