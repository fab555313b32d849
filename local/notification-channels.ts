// The local stand-ins for Keyholder's notification channels beyond the dev mailbox: the fake Slack Web API, the
// Secrets Manager that holds the Slack app's secret, and the bucket + SES event of inbound replies.
import { randomBytes } from 'node:crypto';
import type { SESEvent } from 'aws-lambda';
import { ENV } from '../lambdas/commons/config.ts';
import { devMailInboundRoutes, type LocalMailBucket, startLocalMailBucket } from './dev-mail-inbound.ts';
import type { DevRoute } from './dev-routes.ts';
import { type LocalSecrets, startLocalSecrets } from './dev-secrets.ts';
import { devSlackRoutes, type SlackClicker, slackClicker } from './dev-slack.ts';
import { type FakeSlack, startFakeSlack } from './fake-slack.ts';

export interface LocalNotificationChannels {
  readonly slack: FakeSlack;
  /** The local Slack app's signing secret: what `/dev/slack/click` signs with (and tests, to forge or tamper). */
  readonly signingSecret: string;
  readonly replyDomain: string;
  readonly mailBucket: LocalMailBucket;
  /** The local Secrets Manager (AWS_ENDPOINT_URL_SECRETS_MANAGER): other local secrets go here too. */
  readonly secrets: LocalSecrets;
  /** The variables the handlers read, as the CDK stack sets them on AWS, plus the SDK endpoint overrides. */
  readonly environment: Readonly<Record<string, string>>;
  routes(options: {
    readonly gatewayUrl: () => string;
    readonly invokeInboundMail: (event: SESEvent) => Promise<unknown>;
  }): DevRoute[];
  clicker(gatewayUrl: () => string): SlackClicker;
  stop(): Promise<void>;
}

export const LOCAL_REPLY_DOMAIN = 'replies.nhse.example';

export async function startLocalNotificationChannels(): Promise<LocalNotificationChannels> {
  const stops: Array<() => Promise<void>> = [];
  try {
    const slack = await startFakeSlack();
    stops.push(slack.stop);
    const secrets = await startLocalSecrets();
    stops.push(secrets.stop);
    const mailBucket = await startLocalMailBucket();
    stops.push(mailBucket.stop);
    const signingSecret = randomBytes(16).toString('hex');
    const secretArn = secrets.put('keyholder/slack', {
      botToken: slack.botToken,
      signingSecret,
      teamId: slack.teamId,
    });
    const clicker = (gatewayUrl: () => string) =>
      slackClicker({ slack, signingSecret, interactionsUrl: () => `${gatewayUrl()}/slack/interactions` });
    return {
      slack,
      signingSecret,
      replyDomain: LOCAL_REPLY_DOMAIN,
      mailBucket,
      secrets,
      environment: {
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
        AWS_ENDPOINT_URL_S3: mailBucket.endpoint,
        [ENV.slackSecretId]: secretArn,
        [ENV.slackApiUrl]: slack.apiUrl,
        [ENV.replyDomain]: LOCAL_REPLY_DOMAIN,
        [ENV.inboundMailBucket]: mailBucket.bucket,
        [ENV.inboundMailPrefix]: mailBucket.prefix,
      },
      routes: ({ gatewayUrl, invokeInboundMail }) => [
        ...devSlackRoutes(slack, clicker(gatewayUrl)),
        ...devMailInboundRoutes({ bucket: mailBucket, invoke: invokeInboundMail }),
      ],
      clicker,
      stop: async () => {
        for (const stopOne of stops.reverse()) await stopOne().catch(() => undefined);
      },
    };
  } catch (error) {
    for (const stopOne of stops.reverse()) await stopOne().catch(() => undefined);
    throw error;
  }
}
