// The whole composition root: what notifies (./notifying-dependencies.ts) plus the access providers and the drift
// ledger. No deployed
// function needs all of it (each imports the root its needs call for: test/unit/commons/wiring.test.ts); the local
// stack and the tests use it to act as any function would. Locally the same wiring runs against DynamoDB Local,
// the local Step Functions endpoint and the dev mailbox, reached through AWS_ENDPOINT_URL_* (see local/stack.ts).
import type { Dependencies } from '../use-cases/context.ts';
import { builtOnCore, extendWiring, resetCoreDependencies } from './core-dependencies.ts';
import { driftDependencies } from './drift-dependencies.ts';
import { notifyingDependencies } from './notifying-dependencies.ts';
import { accessProvidersFor, providerWiringFromEnv } from './provider-dependencies.ts';

export const dependencies: () => Dependencies = builtOnCore(({ config }) => {
  const deps = notifyingDependencies();
  return extendWiring(deps, {
    providers: accessProvidersFor(config.policy, providerWiringFromEnv(deps.directory)),
    ...driftDependencies(),
  });
});

/** For the local stack and tests that restart with a new configuration in the same process: every root rebuilds. */
export function resetDependencies(): void {
  resetCoreDependencies();
}
