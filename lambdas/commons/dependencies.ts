// The whole composition root: what notifies (./notifying-dependencies.ts) plus the access providers, for the
// functions that grant, revoke or list access on a platform (`providers:call`), the local stack and the tests.
// Locally the same wiring runs against DynamoDB Local, the local Step Functions endpoint and the dev mailbox,
// reached through AWS_ENDPOINT_URL_* (see local/stack.ts).
import type { Dependencies } from '../use-cases/context.ts';
import { ENV } from './config.ts';
import { coreWiring, extendWiring, resetCoreDependencies } from './core-dependencies.ts';
import { notifyingDependencies, resetNotifyingDependencies } from './notifying-dependencies.ts';
import { accessProvidersFor } from './provider-dependencies.ts';
import { resetQueueingDependencies } from './queueing-dependencies.ts';
import { secretsManagerClient } from './secrets-manager-client.ts';

export { slackConnection } from './notifying-dependencies.ts';

let cached: Dependencies | undefined;

export function dependencies(): Dependencies {
  if (cached) return cached;
  const deps = notifyingDependencies();
  cached = extendWiring(deps, {
    providers: accessProvidersFor(coreWiring().config.policy, {
      secretId: process.env[ENV.providerSecretsId] || undefined,
      secretsManager: secretsManagerClient,
      directory: deps.directory,
    }),
  });
  return cached;
}

/** For the local stack and tests that restart with a new configuration in the same process. */
export function resetDependencies(): void {
  cached = undefined;
  resetNotifyingDependencies();
  resetQueueingDependencies();
  resetCoreDependencies();
}
