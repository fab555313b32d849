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
