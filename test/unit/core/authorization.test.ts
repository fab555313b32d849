// Unit tests for visibility: who may see a request, the access list, the audit trail and the directory.
import { describe, expect, it } from 'vitest';
import {
  isEligibleApproverFor,
  mayViewAccess,
  mayViewAudit,
  mayViewDirectory,
  mayViewRequest,
} from '../../../lambdas/core/authorization.ts';
import type { Principal } from '../../../lambdas/core/model.ts';
import {
  CLEARANCE_LAPSED_AT,
  clearance,
  NOW,
  pendingRequest,
  people,
  policy,
} from '../../support/fixtures.ts';

const lapsedDirector: Principal = { ...people.homeDirector, clearance: clearance('SC', CLEARANCE_LAPSED_AT) };
const inactiveAccessAdmin: Principal = { ...people.accessAdmin, active: false };
const inactiveAuditor: Principal = { ...people.auditor, active: false };

describe('mayViewAccess', () => {
  it.each<[string, Principal, boolean]>([
    ['an access-admin', people.accessAdmin, true],
    ['an auditor', people.auditor, true],
    ['a home director', people.homeDirector, true],
    ['an executive director', people.executiveDirector, true],
    ['a manager', people.manager, false],
    ['an external director', people.externalDirector, false],
    ['an external contractor', people.externalScA, false],
    ['an inactive access-admin', inactiveAccessAdmin, false],
    ['an inactive auditor', inactiveAuditor, false],
    ['an inactive director', { ...people.homeDirector, active: false }, false],
    ['a director with lapsed clearance', lapsedDirector, false],
  ])('answers for %s', (_label, viewer, expected) => {
    // Act
    const allowed = mayViewAccess(viewer, policy, NOW);

    // Assess
    expect(allowed).toBe(expected);
  });
});

describe('mayViewRequest', () => {
  const request = pendingRequest(people.externalScA);

  it.each<[string, Principal, boolean]>([
    ['the requester', people.externalScA, true],
    ['an eligible approver', people.homeDirector, true],
    ['an access-admin', people.accessAdmin, true],
    ['an auditor', people.auditor, true],
    ['a manager', people.manager, false],
    ['another external from the same organisation', people.externalDvA, false],
    ['an external director', people.externalDirector, false],
    ['a director with lapsed clearance', lapsedDirector, false],
    ['an inactive access-admin', inactiveAccessAdmin, false],
    ['an inactive auditor', inactiveAuditor, false],
  ])('answers for %s', (_label, viewer, expected) => {
    // Act
    const allowed = mayViewRequest(viewer, request, policy, NOW);

    // Assess
    expect(allowed).toBe(expected);
  });

  it('lets a director see their own request although they cannot approve it', () => {
    // Prepare
    const own = pendingRequest(people.homeDirector);

    // Act
    const allowed = mayViewRequest(people.homeDirector, own, policy, NOW);

    // Assess
    expect(allowed).toBe(true);
    expect(isEligibleApproverFor(people.homeDirector, own, policy, NOW)).toBe(false);
  });
});

describe('isEligibleApproverFor', () => {
  it('follows the approver rules', () => {
    // Prepare
    const request = pendingRequest(people.externalScA);

    // Assess
    expect(isEligibleApproverFor(people.executiveDirector, request, policy, NOW)).toBe(true);
    expect(isEligibleApproverFor(people.manager, request, policy, NOW)).toBe(false);
    expect(isEligibleApproverFor(people.externalScA, request, policy, NOW)).toBe(false);
  });
});

describe('mayViewAudit and mayViewDirectory', () => {
  it.each<[string, Principal, boolean]>([
    ['an access-admin', people.accessAdmin, true],
    ['an auditor', people.auditor, true],
    ['a home director', people.homeDirector, false],
    ['an external contractor', people.externalScA, false],
    ['an inactive access-admin', inactiveAccessAdmin, false],
    ['an inactive auditor', inactiveAuditor, false],
  ])('answers for %s', (_label, viewer, expected) => {
    // Act
    const audit = mayViewAudit(viewer);
    const directory = mayViewDirectory(viewer);

    // Assess
    expect(audit).toBe(expected);
    expect(directory).toBe(expected);
  });
});
