// Builds the configured access providers from the policy and answers which one is responsible for a scope.
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import type { AccessProvider, AccessProviders } from '../../core/access-provider.ts';
import type { Scope } from '../../core/model.ts';
import type { Policy } from '../../core/policy.ts';
import type { Directory } from '../../core/ports.ts';
import { createIdentityCenterProvider } from './aws-identity-center.ts';
import { createLedgerProvider } from './ledger.ts';
import { createWebhookProvider } from './webhook.ts';

export interface ProviderSettings {
  /** HMAC secret per webhook provider name (from Secrets Manager); a webhook provider without one is an error. */
  readonly webhookSecrets: Readonly<Record<string, string>>;
  readonly fetch?: typeof fetch;
  readonly ssoAdmin?: SSOAdminClient;
  readonly identityStore?: IdentitystoreClient;
  readonly directory: Pick<Directory, 'listPrincipals'>;
  /** Injected by tests so retries and polling do not really wait. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export class ProviderConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProviderConfigurationError';
  }
}

const LEDGER = 'ledger';

/** The provider name responsible for a scope: its own entry, then `dataset:*` for datasets, else `ledger`. */
export function providerNameForScope(policy: Pick<Policy, 'scopeProviders'>, scope: Scope): string {
  const exact = policy.scopeProviders[scope];
  if (exact) return exact;
  const datasets = scope.startsWith('dataset:') ? policy.scopeProviders['dataset:*'] : undefined;
  return datasets ?? LEDGER;
}

export function createAccessProviders(policy: Policy, settings: ProviderSettings): AccessProviders {
  let ssoAdmin = settings.ssoAdmin;
  let identityStore = settings.identityStore;
  const byName = new Map<string, AccessProvider>();
  for (const [name, config] of Object.entries(policy.providers)) {
    let provider: AccessProvider;
    switch (config.type) {
      case 'ledger':
        provider = createLedgerProvider(name);
        break;
      case 'webhook': {
        const secret = settings.webhookSecrets[name];
        if (!secret) throw new ProviderConfigurationError(`webhook provider "${name}" has no signing secret`);
        provider = createWebhookProvider({
          name,
          config,
          secret,
          fetch: settings.fetch,
          sleep: settings.sleep,
        });
        break;
      }
      case 'aws-identity-center':
        ssoAdmin ??= new SSOAdminClient({});
        identityStore ??= new IdentitystoreClient({});
        provider = createIdentityCenterProvider({
          name,
          config,
          ssoAdmin,
          identityStore,
          directory: settings.directory,
          sleep: settings.sleep,
        });
        break;
    }
    byName.set(name, onlyResponsibleScopes(provider, policy));
  }
  // The policy schema always keeps the built-in ledger; this guards hand-built policies in tests.
  if (!byName.has(LEDGER)) byName.set(LEDGER, createLedgerProvider(LEDGER));

  const all = [...byName.values()];
  return {
    forScope(scope) {
      const name = providerNameForScope(policy, scope);
      const provider = byName.get(name);
      if (!provider) throw new ProviderConfigurationError(`scope ${scope} names unknown provider "${name}"`);
      return provider;
    },
    all: () => all,
  };
}

/**
 * A platform may hold access to scopes that Keyholder routes to another provider; those are not this
 * provider's to reconcile (drift there could never be repaired through it), so its list leaves them out.
 */
function onlyResponsibleScopes(provider: AccessProvider, policy: Policy): AccessProvider {
  if (provider.type === 'ledger') return provider;
  return {
    name: provider.name,
    type: provider.type,
    grant: (target) => provider.grant(target),
    revoke: (target) => provider.revoke(target),
    list: async () =>
      (await provider.list()).filter(
        (assignment) => providerNameForScope(policy, assignment.scope) === provider.name,
      ),
  };
}
