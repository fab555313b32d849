// The composition root of a function that tells people about outcomes: the core, the mailer, and Slack (prompts
// and direct messages) when its secret is configured. No access providers: see ./dependencies.ts for those.
import { DynamoDbNotificationLedger } from '../adapters/dynamodb/notification-ledger.ts';
import { EmailNotifier } from '../adapters/email-notifier.ts';
import { SesMailer } from '../adapters/ses-mailer.ts';
import { slackSecretsLoader } from '../adapters/slack/secrets.ts';
import { SlackChatApprovals, SlackConnection, SlackNotifier } from '../adapters/slack/slack-web-api.ts';
import { SqsNoticeQueue } from '../adapters/sqs-notice-queue.ts';
import type { Dependencies } from '../use-cases/context.ts';
import { documentClient } from './clients.ts';
import { coreWiring, extendWiring } from './core-dependencies.ts';
import { ENV } from './env.ts';
import { readNotificationConfig } from './notification-config.ts';
import { secretsManagerClient } from './secrets-manager-client.ts';
import { sesClient } from './ses-client.ts';

/** Everything but the platforms: `providers` stays absent, so this is only for functions without `providers:call`. */
export type NotifyingDependencies = Omit<Dependencies, 'providers'>;

let cached: NotifyingDependencies | undefined;
let slack: SlackConnection | undefined;

export function notifyingDependencies(): NotifyingDependencies {
  if (cached) return cached;
  const { deps, config } = coreWiring();
  const tables = { stateTable: config.stateTable, auditTable: config.auditTable };
  const mailer = new SesMailer(sesClient(), config.mailFrom, config.sesConfigurationSet);
  const settings = readNotificationConfig();
  slack = settings.slack
    ? new SlackConnection({
        secrets: slackSecretsLoader(secretsManagerClient, settings.slack.secretId),
        slackApiUrl: settings.slack.apiUrl,
      })
    : undefined;
  cached = extendWiring(deps, {
    mailer,
    notifiers: [new EmailNotifier(mailer), ...(slack ? [new SlackNotifier(slack)] : [])],
    notificationLedger: new DynamoDbNotificationLedger(documentClient(), tables),
    chatApprovals: slack ? new SlackChatApprovals(slack) : undefined,
    replyDomain: settings.replyDomain,
    // Decisions hand their notices to this queue (a notifier sends them) where it is configured; inline otherwise.
    noticeQueue: process.env[ENV.noticeQueueUrl]
      ? new SqsNoticeQueue(process.env[ENV.noticeQueueUrl] ?? '')
      : undefined,
  });
  return cached;
}

/** The Slack connection of this cold start (its signing secret authenticates interactions), if Slack is on. */
export function slackConnection(): SlackConnection | undefined {
  notifyingDependencies();
  return slack;
}

export function resetNotifyingDependencies(): void {
  cached = undefined;
  slack = undefined;
}
