// The composition root of a function that provisions and sends mail of its own, but posts nothing to Slack
// (`providers:call` and `mail:send` without `slack:post`): the mailing root and the access providers. PATCH
// /principals/{id} and SCIM revoke a lapsed holder's grants on the platforms, and mail the directors inline when
// a principal becomes an approver (lambdas/use-cases/update-principal.ts); every other notice is queued.
import type { Dependencies } from '../use-cases/context.ts';
import { builtOnCore, extendWiring } from './core-dependencies.ts';
import { mailingDependencies } from './mailing-dependencies.ts';
import { accessProvidersFor, providerWiringFromEnv } from './provider-dependencies.ts';

export const mailProvisioningDependencies: () => Dependencies = builtOnCore(({ config }) => {
  const deps = mailingDependencies();
  return extendWiring(deps, {
    providers: accessProvidersFor(config.policy, providerWiringFromEnv(deps.directory)),
  });
});
