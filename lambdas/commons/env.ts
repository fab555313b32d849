// Environment variable names shared by the CDK stack (which sets them) and the handlers (which read them). No
// imports: a handler that only needs a name (the HTTP request helpers) does not carry the policy schema with it.
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
  /** Which claim of the verified token is the principal id (lambdas/core/principal-claim.ts); default `sub`. */
  principalClaim: 'KEYHOLDER_PRINCIPAL_CLAIM',
  /** Sign-in, as GET /auth/config tells the console and the CLI: the issuer API Gateway's authorizer trusts, ... */
  oidcIssuer: 'KEYHOLDER_OIDC_ISSUER',
  /** ... the audience its access tokens carry, the public clients of the console and the CLI, the scopes to ask. */
  oidcAudience: 'KEYHOLDER_OIDC_AUDIENCE',
  cliClientId: 'KEYHOLDER_CLI_CLIENT_ID',
  consoleClientId: 'KEYHOLDER_CONSOLE_CLIENT_ID',
  signInScopes: 'KEYHOLDER_SIGN_IN_SCOPES',
  /** Which SCIM attribute is the principal id: userName (default) or externalId (Entra ID's object id). */
  scimPrincipalId: 'KEYHOLDER_SCIM_PRINCIPAL_ID',
  /** JSON {"<SCIM group display name>": "<role>"}; default Keyholder Access Admins / Keyholder Auditors. */
  scimGroupRoles: 'KEYHOLDER_SCIM_GROUP_ROLES',
  /** Secrets Manager secret {"<SCIM client name>": "<bearer secret>"}; locally KEYHOLDER_SCIM_TOKENS instead. */
  scimSecretId: 'KEYHOLDER_SCIM_SECRET_ID',
  scimTokens: 'KEYHOLDER_SCIM_TOKENS',
  /** SQS queue the notifier reads due notices from (lambdas/use-cases/notice-outbox.ts); unset: they stay due. */
  noticeQueueUrl: 'KEYHOLDER_NOTICE_QUEUE_URL',
} as const;
