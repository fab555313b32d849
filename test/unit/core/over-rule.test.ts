// Unit tests for the grants a tightened policy flags: those beyond the external-admin cap (and an organisation's
// sub-cap) in grant order, and those longer than the new maximum duration; nothing else, nothing expired.
import { describe, expect, it } from 'vitest';
import { grantsOverRules } from '../../../lambdas/core/over-rule.ts';
import type { ActiveGrant } from '../../../lambdas/core/ports.ts';
import { overRuleInWords } from '../../../lambdas/presentation/over-rule-words.ts';
import { later, NOW, policyWith } from '../../support/fixtures.ts';

function grant(requestId: string, overrides: Partial<ActiveGrant> = {}): ActiveGrant {
  return {
    requestId,
    principalId: `p-${requestId}`,
    organisation: 'AcmeSoft',
    scope: 'admin',
    grantedAt: NOW,
    expiresAt: later('PT8H'),
    approvedBy: ['dir-ada', 'dir-ben'],
    nextReviewAt: later('P7D'),
    ...overrides,
  };
}

describe('grantsOverRules', () => {
  it('flags the external admins beyond the cap in grant order, and no home-organisation admin', () => {
    // Prepare: three external admins granted one hour apart (listed out of order), one home admin
    const grants = [
      grant('req-c', { grantedAt: later('PT2H'), expiresAt: later('PT9H') }),
      grant('req-a'),
      grant('req-b', { grantedAt: later('PT1H'), organisation: 'Northwind' }),
      grant('req-home', { organisation: 'NHSE', grantedAt: later('PT3H'), expiresAt: later('PT9H') }),
    ];

    // Act
    const flags = grantsOverRules(grants, policyWith({ externalAdminCap: 1 }), later('PT4H'));

    // Assess
    expect(flags).toEqual([
      {
        rule: 'externalAdminCap',
        requestId: 'req-b',
        position: 2,
        holders: 3,
        cap: 1,
        organisation: undefined,
      },
      {
        rule: 'externalAdminCap',
        requestId: 'req-c',
        position: 3,
        holders: 3,
        cap: 1,
        organisation: undefined,
      },
    ]);
    expect(overRuleInWords(flags[0] as never)).toBe(
      'granted 2nd of 3 external admins, over the cap of 1 now in force: it keeps running, and no new one is granted until they are under the cap',
    );
  });

  it("flags an organisation's admins beyond its sub-cap", () => {
    const grants = [
      grant('req-a'),
      grant('req-b', { grantedAt: later('PT1M') }),
      grant('req-n', { organisation: 'Northwind' }),
    ];
    const flags = grantsOverRules(grants, policyWith({ organisationAdminCaps: { AcmeSoft: 1 } }), NOW);
    expect(flags).toEqual([
      {
        rule: 'organisationAdminCaps',
        requestId: 'req-b',
        position: 2,
        holders: 2,
        cap: 1,
        organisation: 'AcmeSoft',
      },
    ]);
    expect(overRuleInWords(flags[0] as never)).toContain(
      "2nd of 2 AcmeSoft's external admins, over the cap of 1",
    );
  });

  it('flags grants longer than the maximum duration now in force, per kind of scope, in words', () => {
    // Prepare
    const grants = [
      grant('req-admin', { organisation: 'NHSE', expiresAt: later('P7D') }),
      grant('req-dataset', { scope: 'dataset:hes-apc', expiresAt: later('P30D') }),
      grant('req-short', { scope: 'dataset:gp-records', expiresAt: later('P1D') }),
    ];

    // Act
    const flags = grantsOverRules(grants, policyWith({ maxDuration: { admin: 'P3D', dataset: 'P7D' } }), NOW);

    // Assess
    expect(flags.map((flag) => flag.requestId)).toEqual(['req-admin', 'req-dataset']);
    expect(overRuleInWords(flags[0] as never)).toBe(
      'granted for 7 days, longer than the 3 days the rules now allow for admin access: it keeps running until it ends',
    );
    expect(overRuleInWords(flags[1] as never)).toContain('granted for 30 days, longer than the 7 days');
  });

  it('flags nothing within the rules, and ignores grants already past their expiry', () => {
    const grants = [grant('req-a'), grant('req-b', { expiresAt: NOW })];
    expect(grantsOverRules(grants, policyWith({ externalAdminCap: 1 }), NOW)).toEqual([]);
    expect(grantsOverRules(grants, policyWith({}), later('PT1H'))).toEqual([]);
  });
});
