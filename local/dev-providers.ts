// The access providers of the local stack: the webhook providers' signing secrets in the local Secrets Manager (as
// the CDK stack keeps them on AWS), and optionally a local platform (local/dev-platform.ts) that `admin` maps to.
import { randomBytes } from 'node:crypto';
import { ENV } from '../lambdas/commons/config.ts';
import { type Policy, resolvePolicy } from '../lambdas/core/policy.ts';
import { type DevPlatform, startDevPlatform } from './dev-platform.ts';
import type { LocalSecrets } from './dev-secrets.ts';

/** The provider name `npm start` gives the local platform (KEYHOLDER_DEV_PLATFORM=1). */
export const DEV_PLATFORM_PROVIDER = 'dev-platform';

export interface DevProviders {
  /** The policy, with the local platform's provider added when one was started. */
  readonly policy: Policy;
  readonly platform: DevPlatform | undefined;
  /** For the handlers: where the signing secrets are (empty when no webhook provider needs one). */
  readonly environment: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

export async function startDevProviders(options: {
  readonly policy: Policy;
  readonly devPlatform?: boolean | undefined;
  readonly providerSecrets?: Readonly<Record<string, string>> | undefined;
  readonly secrets: LocalSecrets;
}): Promise<DevProviders> {
  let policy = options.policy;
  const signingSecrets: Record<string, string> = { ...options.providerSecrets };
  let platform: DevPlatform | undefined;
  if (options.devPlatform) {
    const secret = randomBytes(24).toString('hex');
    platform = await startDevPlatform({ secret });
    signingSecrets[DEV_PLATFORM_PROVIDER] = secret;
    policy = resolvePolicy(
      {
        ...policy,
        providers: { ...policy.providers, [DEV_PLATFORM_PROVIDER]: { type: 'webhook', url: platform.url } },
        scopeProviders: { admin: DEV_PLATFORM_PROVIDER, ...policy.scopeProviders },
      },
      'KEYHOLDER_DEV_PLATFORM',
    );
  }
  const environment: Record<string, string> = {};
  if (Object.keys(signingSecrets).length > 0) {
    environment[ENV.providerSecretsId] = options.secrets.put('keyholder/providers', signingSecrets);
  }
  return { policy, platform, environment, stop: async () => platform?.stop() };
}
