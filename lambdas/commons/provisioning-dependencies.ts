// The composition root of a function that grants, revokes or lists access on the platforms and sends nothing
// itself (`providers:call` without `mail:send` / `slack:post`): the queueing root and the access providers. What
// its changes owe people goes to the notice queue; no SES, no Slack.
import type { Dependencies } from '../use-cases/context.ts';
import { builtOnCore, extendWiring } from './core-dependencies.ts';
import { accessProvidersFor, providerWiringFromEnv } from './provider-dependencies.ts';
import { queueingDependencies } from './queueing-dependencies.ts';

export const provisioningDependencies: () => Dependencies = builtOnCore(({ config }) => {
  const deps = queueingDependencies();
  return extendWiring(deps, {
    providers: accessProvidersFor(config.policy, providerWiringFromEnv(deps.directory)),
  });
});
