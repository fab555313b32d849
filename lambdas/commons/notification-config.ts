// The optional notification channels' settings (Slack, email replies), read from the environment like config.ts.
import { ENV } from './config.ts';

export interface NotificationConfig {
  readonly slack?: { readonly secretId: string; readonly apiUrl: string | undefined } | undefined;
  readonly replyDomain?: string | undefined;
  readonly inboundMail?: { readonly bucket: string; readonly prefix: string } | undefined;
}

export function readNotificationConfig(env: NodeJS.ProcessEnv = process.env): NotificationConfig {
  const secretId = env[ENV.slackSecretId];
  const bucket = env[ENV.inboundMailBucket];
  return {
    slack: secretId ? { secretId, apiUrl: env[ENV.slackApiUrl] || undefined } : undefined,
    replyDomain: env[ENV.replyDomain]?.trim().toLowerCase() || undefined,
    inboundMail: bucket ? { bucket, prefix: env[ENV.inboundMailPrefix] ?? '' } : undefined,
  };
}
