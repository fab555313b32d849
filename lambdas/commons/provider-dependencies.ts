// The access providers of this cold start, built from the policy on first use: webhook signing secrets are read
// from Secrets Manager once, and only by a function that actually grants, revokes or lists (needs `providers:call`).
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createAccessProviders, providerNameForScope } from '../adapters/providers/index.ts';
import type { AccessProvider, AccessProviders } from '../core/access-provider.ts';
import type { Policy } from '../core/policy.ts';
import type { Directory } from '../core/ports.ts';
import * as z from '../core/zod.ts';
import { ENV } from './env.ts';
import { secretsManagerClient } from './secrets-manager-client.ts';

export interface ProviderWiring {
  /** Secrets Manager secret JSON `{"<provider name>": "<HMAC secret>"}`; needed when a webhook provider is set. */
  readonly secretId: string | undefined;
  readonly secretsManager: () => SecretsManagerClient;
  readonly directory: Pick<Directory, 'listPrincipals'>;
}

/** As a deployed function reads it: the webhook secrets' id from its environment (lib/keyholder-function.ts). */
export function providerWiringFromEnv(
  directory: ProviderWiring['directory'],
  env: NodeJS.ProcessEnv = process.env,
): ProviderWiring {
  return {
    secretId: env[ENV.providerSecretsId] || undefined,
    secretsManager: secretsManagerClient,
    directory,
  };
}

const secretShape = z.record(z.string(), z.string().check(z.minLength(1)));

/** Whether any scope can reach a provider other than the ledger; if not, there is nothing to wire. */
export function usesPlatformProviders(policy: Policy): boolean {
  return Object.values(policy.providers).some((config) => config.type !== 'ledger');
}

/**
 * Undefined when the policy configures only the ledger: use cases then behave exactly as without providers.
 * Otherwise each provider is known by name and type at once (the use cases decide on those), and is built with
 * its secrets on the first call; a failed build is not cached, so the next call tries again.
 */
export function accessProvidersFor(policy: Policy, wiring: ProviderWiring): AccessProviders | undefined {
  if (!usesPlatformProviders(policy)) return undefined;
  let building: Promise<AccessProviders> | undefined;
  const built = () => {
    building ??= (async () =>
      createAccessProviders(policy, {
        webhookSecrets: await webhookSecrets(policy, wiring),
        directory: wiring.directory,
      }))();
    building.catch(() => {
      building = undefined;
    });
    return building;
  };
  const byName = new Map<string, AccessProvider>();
  for (const [name, config] of Object.entries(policy.providers)) {
    const real = async () => {
      const provider = (await built()).all().find((candidate) => candidate.name === name);
      if (!provider) throw new Error(`access provider "${name}" was not built`);
      return provider;
    };
    byName.set(name, {
      name,
      type: config.type,
      grant: async (target) => (await real()).grant(target),
      revoke: async (target) => (await real()).revoke(target),
      list: async () => (await real()).list(),
    });
  }
  const all = [...byName.values()];
  return {
    forScope(scope) {
      const name = providerNameForScope(policy, scope);
      const provider = byName.get(name);
      if (!provider) throw new Error(`scope ${scope} names unknown provider "${name}"`);
      return provider;
    },
    all: () => all,
  };
}

async function webhookSecrets(policy: Policy, wiring: ProviderWiring): Promise<Record<string, string>> {
  const webhooks = Object.entries(policy.providers).filter(([, config]) => config.type === 'webhook');
  if (webhooks.length === 0) return {};
  if (!wiring.secretId) {
    throw new Error(
      `webhook providers (${webhooks.map(([name]) => name).join(', ')}) need their signing secrets: no secret is configured`,
    );
  }
  const { SecretString } = await wiring
    .secretsManager()
    .send(new GetSecretValueCommand({ SecretId: wiring.secretId }));
  const parsed = secretShape.safeParse(JSON.parse(SecretString ?? '{}'));
  if (!parsed.success) {
    throw new Error(`Secret ${wiring.secretId} must be JSON {"<provider name>": "<signing secret>", ...}`);
  }
  return parsed.data;
}
