// The Secrets Manager (Slack, providers, SCIM secrets) client, once per process (see ./clients.ts).
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { perProcess } from './clients.ts';

export const secretsManagerClient: () => SecretsManagerClient = perProcess(
  'SECRETS_MANAGER',
  () => new SecretsManagerClient({}),
);
