// The composition root of the function that tells people about outcomes (the notifier): the mailing root, the
// channels (email; Slack prompts and direct messages when its secret is configured) and the ledger of what was
// sent. No access providers: see ./dependencies.ts for the whole wiring.
import { DynamoDbNotificationLedger } from '../adapters/dynamodb/notification-ledger.ts';
import { EmailNotifier } from '../adapters/email-notifier.ts';
import { SlackChatApprovals, SlackNotifier } from '../adapters/slack/slack-web-api.ts';
import type { Dependencies } from '../use-cases/context.ts';
import { documentClient } from './clients.ts';
import { builtOnCore, extendWiring } from './core-dependencies.ts';
import { mailingDependencies } from './mailing-dependencies.ts';
import { slackConnectionFromEnv } from './slack-connection.ts';

/** Everything but the platforms: `providers` stays absent, so this is only for functions without `providers:call`. */
export type NotifyingDependencies = Omit<Dependencies, 'providers'>;

export const notifyingDependencies: () => NotifyingDependencies = builtOnCore(({ config }) => {
  const deps = mailingDependencies();
  const tables = { stateTable: config.stateTable, auditTable: config.auditTable };
  const slack = slackConnectionFromEnv();
  return extendWiring(deps, {
    notifiers: [new EmailNotifier(deps.mailer), ...(slack ? [new SlackNotifier(slack)] : [])],
    notificationLedger: new DynamoDbNotificationLedger(documentClient(), tables),
    chatApprovals: slack ? new SlackChatApprovals(slack) : undefined,
  });
});
