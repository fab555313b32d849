// The composition root of POST /slack/interactions (`slack:post` and `providers:call` without `mail:send`): the
// queueing root, the Slack connection (its signing secret authenticates the interaction; the clicked message is
// redrawn and dialogs opened through it) and the access providers (a review's Revoke ends access on the platform).
// The notices a decision owes go to the queue: no SES, no notifiers, no notification ledger.
import { SlackChatApprovals, type SlackConnection } from '../adapters/slack/slack-web-api.ts';
import type { Dependencies } from '../use-cases/context.ts';
import { builtOnCore, extendWiring } from './core-dependencies.ts';
import { accessProvidersFor, providerWiringFromEnv } from './provider-dependencies.ts';
import { queueingDependencies } from './queueing-dependencies.ts';
import { slackConnectionFromEnv } from './slack-connection.ts';

const wiring = builtOnCore(({ config }) => {
  const deps = queueingDependencies();
  const slack = slackConnectionFromEnv();
  const wired: Dependencies = extendWiring(deps, {
    chatApprovals: slack ? new SlackChatApprovals(slack) : undefined,
    providers: accessProvidersFor(config.policy, providerWiringFromEnv(deps.directory)),
  });
  return { slack, deps: wired };
});

export function slackProvisioningDependencies(): Dependencies {
  return wiring().deps;
}

/** The Slack connection of this cold start (its signing secret authenticates interactions), if Slack is on. */
export function slackConnection(): SlackConnection | undefined {
  return wiring().slack;
}
