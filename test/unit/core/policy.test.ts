// Unit tests for the policy: DOMAIN.md's defaults, deep merging of partial overrides, and refusals naming the key.
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, PolicyError, resolvePolicy } from '../../../lambdas/core/policy.ts';
import { thrownBy } from '../../support/fixtures.ts';

describe('DEFAULT_POLICY', () => {
  it("holds DOMAIN.md's defaults", () => {
    // Assess
    expect(DEFAULT_POLICY).toEqual({
      homeOrganisation: 'NHSE',
      externalAdminCap: 5,
      organisationAdminCaps: {},
      approvalTimeout: 'PT72H',
      minDuration: 'PT15M',
      maxDuration: { admin: 'P7D', dataset: 'P90D' },
      approvalsRequired: { externalAdmin: 2, default: 1 },
      approvals: { dataset: 'director' },
      approverGrades: ['director', 'executive-director'],
      minClearance: { admin: 'SC', dataset: 'SC', nonIdentifiableDataset: null },
      justificationMinLength: 20,
      requireTicket: false,
      review: { admin: 'P7D', dataset: 'P30D', grace: 'P2D' },
      maxTotalDuration: { admin: 'P28D', dataset: 'P180D' },
      maxScopesPerRequest: 20,
      expiryReminderLead: 'PT1H',
      providers: { ledger: { type: 'ledger' } },
      scopeProviders: {},
      removeOutOfBand: false,
      approverPromotionDelay: 'PT24H',
      breakGlass: null,
    });
  });

  it('is frozen so no caller can change the defaults for everyone', () => {
    // Assess
    expect(Object.isFrozen(DEFAULT_POLICY)).toBe(true);
  });
});

describe('resolvePolicy', () => {
  it('returns the defaults when there is no override', () => {
    // Act
    const withoutArgument = resolvePolicy();
    const withEmptyObject = resolvePolicy({});

    // Assess
    expect(withoutArgument).toEqual(DEFAULT_POLICY);
    expect(withEmptyObject).toEqual(DEFAULT_POLICY);
  });

  it('merges a nested override deeply: only maxDuration.admin changes', () => {
    // Act
    const policy = resolvePolicy({ maxDuration: { admin: 'P1D' } });

    // Assess
    expect(policy).toEqual({ ...DEFAULT_POLICY, maxDuration: { admin: 'P1D', dataset: 'P90D' } });
    expect(DEFAULT_POLICY.maxDuration).toEqual({ admin: 'P7D', dataset: 'P90D' });
  });

  it('merges several levels at once and keeps every sibling default', () => {
    // Act
    const policy = resolvePolicy({
      externalAdminCap: 2,
      review: { grace: 'P1D' },
      minClearance: { nonIdentifiableDataset: 'BPSS' },
      approvalsRequired: { default: 2 },
      requireTicket: true,
    });

    // Assess
    expect(policy).toEqual({
      ...DEFAULT_POLICY,
      externalAdminCap: 2,
      review: { admin: 'P7D', dataset: 'P30D', grace: 'P1D' },
      minClearance: { admin: 'SC', dataset: 'SC', nonIdentifiableDataset: 'BPSS' },
      approvalsRequired: { externalAdmin: 2, default: 2 },
      requireTicket: true,
    });
  });

  it('replaces organisationAdminCaps whole instead of merging it', () => {
    // Act
    const policy = resolvePolicy({ organisationAdminCaps: { 'Acme Analytics': 3, Globex: 1 } });

    // Assess
    expect(policy.organisationAdminCaps).toStrictEqual({ 'Acme Analytics': 3, Globex: 1 });
  });

  it('replaces arrays instead of merging them by index', () => {
    // Act
    const policy = resolvePolicy({ approverGrades: ['executive-director'] });

    // Assess
    expect(policy.approverGrades).toStrictEqual(['executive-director']);
  });

  it('accepts a minimum equal to both maxima', () => {
    // Act
    const policy = resolvePolicy({ minDuration: 'P7D', maxDuration: { admin: 'P7D', dataset: 'P7D' } });

    // Assess
    expect(policy.minDuration).toBe('P7D');
  });

  it('refuses an unknown top-level key, naming it', () => {
    // Act
    const error = thrownBy(() => resolvePolicy({ externalAdminCapp: 5 }));

    // Assess
    expect(error).toBeInstanceOf(PolicyError);
    expect(error).toMatchObject({
      name: 'PolicyError',
      message: 'Invalid policy: unknown key "externalAdminCapp"',
    });
  });

  it('refuses an unknown nested key, naming its full path', () => {
    // Act
    const error = thrownBy(() => resolvePolicy({ review: { graceDays: 'P2D' } }));

    // Assess
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).message).toBe('Invalid policy: unknown key "review.graceDays"');
  });

  it('names every unknown key, at every level, and the source it came from', () => {
    // Act
    const error = thrownBy(() =>
      resolvePolicy({ colour: 'red', maxDuration: { admin: 'P1D', audit: 'P1D' } }, 'policy.json'),
    );

    // Assess
    expect(error).toBeInstanceOf(PolicyError);
    const message = (error as PolicyError).message;
    expect(message).toMatch(/^Invalid policy\.json: /);
    expect(message).toContain('unknown key "colour"');
    expect(message).toContain('unknown key "maxDuration.audit"');
  });

  it.each([
    [{ externalAdminCap: -1 }, '"externalAdminCap"'],
    [{ externalAdminCap: 2.5 }, '"externalAdminCap"'],
    [{ externalAdminCap: '5' }, '"externalAdminCap"'],
    [{ homeOrganisation: '' }, '"homeOrganisation"'],
    [{ approvalTimeout: 'P1M' }, '"approvalTimeout" must be an ISO-8601 duration such as PT8H or P7D'],
    [{ review: { admin: '7 days' } }, '"review.admin" must be an ISO-8601 duration such as PT8H or P7D'],
    [{ approvalsRequired: { externalAdmin: 0 } }, '"approvalsRequired.externalAdmin"'],
    [{ approverGrades: [] }, '"approverGrades"'],
    [{ minClearance: { admin: 'TOP-SECRET' } }, '"minClearance.admin"'],
    [{ justificationMinLength: -1 }, '"justificationMinLength"'],
    [{ requireTicket: 'yes' }, '"requireTicket"'],
    [{ maxScopesPerRequest: 0 }, '"maxScopesPerRequest"'],
    [{ organisationAdminCaps: { Acme: -1 } }, '"organisationAdminCaps.Acme"'],
    [{ maxDuration: 'P7D' }, '"maxDuration"'],
  ])('refuses the invalid value %j, naming the key', (override, expected) => {
    // Act
    const error = thrownBy(() => resolvePolicy(override));

    // Assess
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).message).toContain(expected);
  });

  it('refuses a minimum duration longer than the admin maximum', () => {
    // Act
    const error = thrownBy(() => resolvePolicy({ minDuration: 'P8D' }));

    // Assess
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).message).toBe(
      'Invalid policy: "minDuration" is longer than maxDuration.admin',
    );
  });

  it('refuses a minimum duration longer than the dataset maximum', () => {
    // Act
    const error = thrownBy(() => resolvePolicy({ maxDuration: { dataset: 'PT10M' } }));

    // Assess
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).message).toBe(
      'Invalid policy: "minDuration" is longer than maxDuration.dataset',
    );
  });

  it.each([null, [], 'NHSE', 42])('refuses %j as a policy that is not an object', (override) => {
    // Act
    const error = thrownBy(() => resolvePolicy(override, 'KEYHOLDER_POLICY'));

    // Assess
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).message).toBe('KEYHOLDER_POLICY must be a JSON object');
  });
});

describe('access providers in the policy', () => {
  it('keeps the built-in ledger when providers are added and maps scopes to them', () => {
    // Act
    const policy = resolvePolicy({
      providers: { 'platform-admin': { type: 'webhook', url: 'https://platform.example/keyholder' } },
      scopeProviders: { admin: 'platform-admin' },
    });
    // Assess
    expect(Object.keys(policy.providers).sort()).toEqual(['ledger', 'platform-admin']);
    expect(policy.providers['platform-admin']).toEqual({
      type: 'webhook',
      url: 'https://platform.example/keyholder',
      timeout: 'PT5S',
      maxAttempts: 3,
    });
  });

  it('refuses a scope mapped to a provider that is not configured, naming the scope', () => {
    // Act / Assess
    expect(() => resolvePolicy({ scopeProviders: { admin: 'nope' } })).toThrow(
      /"scopeProviders.admin" names unknown provider "nope"/,
    );
  });

  it('refuses an identity-center provider without a 12-digit account, naming the field', () => {
    // Act / Assess
    expect(() =>
      resolvePolicy({
        providers: {
          idc: {
            type: 'aws-identity-center',
            instanceArn: 'arn:aws:sso:::instance/ssoins-1',
            identityStoreId: 'd-1',
            accountId: '42',
            permissionSets: {},
          },
        },
      }),
    ).toThrow(/"providers.idc.accountId" must be a 12-digit AWS account id/);
  });
});
