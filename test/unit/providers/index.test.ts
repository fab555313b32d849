// Which provider answers for a scope, built from the policy; each configured provider once for the sweep.
import { describe, expect, it } from 'vitest';
import {
  createAccessProviders,
  ProviderConfigurationError,
  providerNameForScope,
} from '../../../lambdas/adapters/providers/index.ts';
import { resolvePolicy } from '../../../lambdas/core/policy.ts';
import { startDevPlatform } from '../../../local/dev-platform.ts';
import { principal, target } from './contract.ts';

const directory = { listPrincipals: async () => [] };
const policy = resolvePolicy({
  providers: {
    'platform-admin-api': { type: 'webhook', url: 'https://platform.example/assignments' },
    'identity-center': {
      type: 'aws-identity-center',
      instanceArn: 'arn:aws:sso:::instance/ssoins-1',
      identityStoreId: 'd-1',
      accountId: '111122223333',
      permissionSets: { admin: 'arn:aws:sso:::permissionSet/ssoins-1/ps-admin' },
    },
  },
  scopeProviders: { admin: 'identity-center', 'dataset:*': 'platform-admin-api', 'dataset:public': 'ledger' },
});

describe('createAccessProviders', () => {
  const providers = createAccessProviders(policy, {
    webhookSecrets: { 'platform-admin-api': 'secret' },
    directory,
  });

  it('routes a scope by its own entry, then dataset:* for datasets, else the ledger', () => {
    // Act + Assess
    expect(providers.forScope('admin')).toMatchObject({
      name: 'identity-center',
      type: 'aws-identity-center',
    });
    expect(providers.forScope('dataset:hes-apc')).toMatchObject({
      name: 'platform-admin-api',
      type: 'webhook',
    });
    expect(providers.forScope('dataset:public')).toMatchObject({ name: 'ledger', type: 'ledger' });
    const noWildcard = resolvePolicy({});
    expect(providerNameForScope(noWildcard, 'dataset:hes-apc')).toBe('ledger');
    expect(providerNameForScope(noWildcard, 'admin')).toBe('ledger');
  });

  it('lists each configured provider once, the ledger included', () => {
    // Act
    const names = providers.all().map((p) => p.name);
    // Assess
    expect(names.sort()).toEqual(['identity-center', 'ledger', 'platform-admin-api']);
    expect(providers.forScope('dataset:a')).toBe(providers.forScope('dataset:b'));
  });

  it('the default policy has only the ledger', () => {
    // Act
    const defaults = createAccessProviders(resolvePolicy({}), { webhookSecrets: {}, directory });
    // Assess
    expect(defaults.all().map((p) => p.type)).toEqual(['ledger']);
    expect(defaults.forScope('admin').type).toBe('ledger');
  });

  it('refuses a webhook provider without a signing secret at start-up', () => {
    // Act + Assess
    expect(() => createAccessProviders(policy, { webhookSecrets: {}, directory })).toThrow(
      new ProviderConfigurationError('webhook provider "platform-admin-api" has no signing secret'),
    );
  });

  it("leaves out of a provider's list the scopes the policy routes elsewhere", async () => {
    // Prepare
    const platform = await startDevPlatform({ secret: 'secret' });
    try {
      const routed = createAccessProviders(
        resolvePolicy({
          providers: { platform: { type: 'webhook', url: platform.url } },
          scopeProviders: { 'dataset:*': 'platform', 'dataset:public': 'ledger' },
        }),
        { webhookSecrets: { platform: 'secret' }, directory, sleep: async () => {} },
      );
      platform.addOutOfBand('p-bob', 'admin');
      platform.addOutOfBand('p-bob', 'dataset:public');
      await routed
        .forScope('dataset:hes-apc')
        .grant(target(principal('p-ada', 'ada@x'), 'dataset:hes-apc', 'r-1'));
      // Act
      const listed = await routed.forScope('dataset:hes-apc').list();
      // Assess
      expect(listed).toEqual([{ principalId: 'p-ada', scope: 'dataset:hes-apc' }]);
      expect(platform.assignments()).toHaveLength(3);
    } finally {
      await platform.stop();
    }
  });
});
