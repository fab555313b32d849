// The Slack app's bot token, signing secret and (optional) workspace team id, read from Secrets Manager once per cold start.
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from '../../core/zod.ts';

export interface SlackSecrets {
  readonly botToken: string;
  readonly signingSecret: string;
  /** The workspace (team id, `T…`) the app is installed in: signed actions from any other team are refused. */
  readonly teamId?: string | undefined;
}

const secretShape = z.object({
  botToken: z.string().check(z.minLength(1)),
  signingSecret: z.string().check(z.minLength(1)),
  teamId: z.optional(z.string().check(z.regex(/^[TE][A-Z0-9]{2,30}$/))),
});

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
        throw new Error(
          `Secret ${secretId} must be JSON {"botToken": "xoxb-...", "signingSecret": "...", "teamId": "T..." (optional)}`,
        );
      }
      return parsed.data;
    })();
    loading.catch(() => {
      loading = undefined;
    });
    return loading;
  };
}
