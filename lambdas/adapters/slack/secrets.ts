// The Slack app's bot token and signing secret, read from Secrets Manager once per cold start.
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';

export interface SlackSecrets {
  readonly botToken: string;
  readonly signingSecret: string;
}

const secretShape = z.object({ botToken: z.string().min(1), signingSecret: z.string().min(1) });

/**
 * Returns a loader that fetches the secret on first use and then serves it from memory; a failed read is not
 * cached, so the next invocation tries again instead of staying broken for the container's lifetime.
 */
export function slackSecretsLoader(
  client: () => SecretsManagerClient,
  secretId: string,
): () => Promise<SlackSecrets> {
  let loading: Promise<SlackSecrets> | undefined;
  return () => {
    loading ??= (async () => {
      const { SecretString } = await client().send(new GetSecretValueCommand({ SecretId: secretId }));
      const parsed = secretShape.safeParse(JSON.parse(SecretString ?? '{}'));
      if (!parsed.success) {
        throw new Error(`Secret ${secretId} must be JSON {"botToken": "xoxb-...", "signingSecret": "..."}`);
      }
      return parsed.data;
    })();
    loading.catch(() => {
      loading = undefined;
    });
    return loading;
  };
}
