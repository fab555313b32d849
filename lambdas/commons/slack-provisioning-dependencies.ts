// The composition root of POST /slack/interactions (`slack:post` and `providers:call` without `mail:send`): the
// queueing root, the Slack connection (its signing secret authenticates the interaction; the clicked review prompt
// is redrawn, explanations sent and dialogs opened through it, not the ChatApprovals port: approval prompts are the
// notifier's) and the access providers (a review's Revoke ends access on the platform).
// The notices a decision owes go to the queue: no SES, no notifiers, no notification ledger.
import { type SlackConnection, SlackInteractionChat } from '../adapters/slack/slack-web-api.ts';
import type { Dependencies } from '../use-cases/context.ts';
import type { InteractionReplies } from '../use-cases/slack-interaction.ts';
import { builtOnCore, extendWiring } from './core-dependencies.ts';
import { accessProvidersFor, providerWiringFromEnv } from './provider-dependencies.ts';
import { queueingDependencies } from './queueing-dependencies.ts';
import { slackConnectionFromEnv } from './slack-connection.ts';

const wiring = builtOnCore(({ config }) => {
  const deps = queueingDependencies();
  const slack = slackConnectionFromEnv();
  const wired: Dependencies = extendWiring(deps, {
    providers: accessProvidersFor(config.policy, providerWiringFromEnv(deps.directory)),
  });
  return { slack, replies: slack ? new SlackInteractionChat(slack) : undefined, deps: wired };
});

export function slackProvisioningDependencies(): Dependencies {
  return wiring().deps;
}

/** The Slack connection of this cold start (its signing secret authenticates interactions), if Slack is on. */
export function slackConnection(): SlackConnection | undefined {
  return wiring().slack;
}

/** What answering a click says and redraws in Slack (ephemerals, the reason dialog, the review prompt), if Slack is on. */
export function slackInteractionReplies(): InteractionReplies | undefined {
  return wiring().replies;
}
