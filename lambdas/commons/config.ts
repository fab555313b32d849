// Environment variable names shared by the CDK stack (which sets them) and the handlers (which read them).
import { type Policy, resolvePolicy } from '../core/policy.ts';

export const ENV = {
  stateTable: 'KEYHOLDER_STATE_TABLE',
  auditTable: 'KEYHOLDER_AUDIT_TABLE',
  stateMachineArn: 'KEYHOLDER_STATE_MACHINE_ARN',
  /** The effective policy as JSON (CDK context merged over defaults at synth time). */
  policyJson: 'KEYHOLDER_POLICY_JSON',
  mailFrom: 'KEYHOLDER_MAIL_FROM',
  sesConfigurationSet: 'KEYHOLDER_SES_CONFIGURATION_SET',
  /** Base URL of the HTTP API, used to build approval links. */
  publicBaseUrl: 'KEYHOLDER_PUBLIC_BASE_URL',
  /** Secrets Manager secret {"botToken","signingSecret"} of the Slack app; unset: Slack is off. */
  slackSecretId: 'KEYHOLDER_SLACK_SECRET_ID',
  /** Slack Web API base URL; unset on AWS (Slack's own), the fake Slack locally. */
  slackApiUrl: 'KEYHOLDER_SLACK_API_URL',
  /** Domain of the reply-to-decide addresses (`approvals+<token>@<domain>`); unset: no email replies. */
  replyDomain: 'KEYHOLDER_REPLY_DOMAIN',
  /** S3 bucket and key prefix where SES stores inbound replies. */
  inboundMailBucket: 'KEYHOLDER_INBOUND_MAIL_BUCKET',
  inboundMailPrefix: 'KEYHOLDER_INBOUND_MAIL_PREFIX',
  /** S3 bucket (Object Lock) holding the hourly audit anchors; unset locally: verify then skips anchors. */
  anchorBucket: 'KEYHOLDER_ANCHOR_BUCKET',
  /** S3 bucket holding the daily transparency snapshot; unset locally: the report is computed live. */
  transparencyBucket: 'KEYHOLDER_TRANSPARENCY_BUCKET',
  /** Secrets Manager secret {"<provider name>": "<HMAC secret>"} of the webhook access providers; unset: none. */
  providerSecretsId: 'KEYHOLDER_PROVIDER_SECRETS_ID',
} as const;

export interface KeyholderConfig {
  readonly stateTable: string;
  readonly auditTable: string;
  readonly stateMachineArn: string;
  readonly mailFrom: string;
  readonly sesConfigurationSet: string | undefined;
  readonly publicBaseUrl: string;
  readonly policy: Policy;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): KeyholderConfig {
  const policyJson = env[ENV.policyJson];
  return {
    stateTable: required(env, ENV.stateTable),
    auditTable: required(env, ENV.auditTable),
    stateMachineArn: env[ENV.stateMachineArn] ?? '',
    mailFrom: env[ENV.mailFrom] ?? 'keyholder@localhost',
    sesConfigurationSet: env[ENV.sesConfigurationSet] || undefined,
    publicBaseUrl: (env[ENV.publicBaseUrl] ?? '').replace(/\/$/, ''),
    policy: resolvePolicy(policyJson ? JSON.parse(policyJson) : {}, ENV.policyJson),
  };
}
