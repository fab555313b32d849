// The bearer secrets of the SCIM provisioning clients: {"<client name>": "<secret>", ...} from Secrets Manager
// (read once per cold start) or KEYHOLDER_SCIM_TOKENS=name:secret[,name:secret] locally. A client may hold two
// secrets at once (name:old,name:new) so a rotation never stops provisioning. Compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export interface ScimToken {
  readonly client: string;
  readonly digest: Buffer;
}

const digest = (secret: string) => createHash('sha256').update(secret, 'utf8').digest();
const CLIENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function token(client: string, secret: string, source: string): ScimToken {
  if (!CLIENT_NAME.test(client))
    throw new Error(`${source}: client name ${JSON.stringify(client)} is not [A-Za-z0-9._-]`);
  if (secret.length < 32)
    throw new Error(`${source}: the secret of ${client} must be at least 32 characters`);
  return { client, digest: digest(secret) };
}

/** `name:secret[,name:secret]` (a name twice: both secrets valid, for rotation). */
export function parseScimTokens(text: string, source = 'KEYHOLDER_SCIM_TOKENS'): ScimToken[] {
  return text
    .split(',')
    .map((pair) => pair.trim())
    .filter(Boolean)
    .map((pair) => {
      const colon = pair.indexOf(':');
      if (colon <= 0) throw new Error(`${source} must be name:secret[,name:secret]`);
      return token(pair.slice(0, colon), pair.slice(colon + 1), source);
    });
}

/** The secret's JSON: {"entra": "s1", "okta": "s2"}; a list value holds two secrets during a rotation. */
export function scimTokensFromSecret(json: string, source: string): ScimToken[] {
  const parsed = JSON.parse(json) as unknown;
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`${source} must be JSON {"<client name>": "<secret>"}`);
  }
  return Object.entries(parsed).flatMap(([client, value]) => {
    const secrets = Array.isArray(value) ? value : [value];
    return secrets.map((secret) => {
      if (typeof secret !== 'string') throw new Error(`${source}: the secret of ${client} must be a string`);
      return token(client, secret, source);
    });
  });
}

/** The client a presented bearer secret belongs to, or undefined; every token is compared, in constant time. */
export function clientOf(tokens: readonly ScimToken[], presented: string | undefined): string | undefined {
  if (presented === undefined) return undefined;
  const candidate = digest(presented);
  let found: string | undefined;
  for (const known of tokens)
    if (timingSafeEqual(known.digest, candidate) && found === undefined) found = known.client;
  return found;
}

/** Loads once per cold start; a failed read is not cached. */
export function scimTokenLoader(options: {
  readonly env: NodeJS.ProcessEnv;
  readonly secretsManager: () => SecretsManagerClient;
}): () => Promise<ScimToken[]> {
  let loading: Promise<ScimToken[]> | undefined;
  return () => {
    loading ??= (async () => {
      const local = options.env.KEYHOLDER_SCIM_TOKENS;
      if (local) return parseScimTokens(local);
      const secretId = options.env.KEYHOLDER_SCIM_SECRET_ID;
      if (!secretId) return [];
      const { SecretString } = await options
        .secretsManager()
        .send(new GetSecretValueCommand({ SecretId: secretId }));
      return scimTokensFromSecret(SecretString ?? '{}', secretId);
    })();
    loading.catch(() => {
      loading = undefined;
    });
    return loading;
  };
}
