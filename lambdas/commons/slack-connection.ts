// The Slack app's connection for a cold start: its secret's id is set only on a function granted `slack:post`
// (lib/keyholder-function.ts), so elsewhere there is none. The bot token and signing secret are read on first use.
import { slackSecretsLoader } from '../adapters/slack/secrets.ts';
import { SlackConnection } from '../adapters/slack/slack-web-api.ts';
import { readNotificationConfig } from './notification-config.ts';
import { secretsManagerClient } from './secrets-manager-client.ts';

/** Undefined when Slack is off for this function (no secret configured). */
export function slackConnectionFromEnv(env: NodeJS.ProcessEnv = process.env): SlackConnection | undefined {
  const slack = readNotificationConfig(env).slack;
  return slack
    ? new SlackConnection({
        secrets: slackSecretsLoader(secretsManagerClient, slack.secretId),
        slackApiUrl: slack.apiUrl,
      })
    : undefined;
}
