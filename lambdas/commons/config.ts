// The configuration handlers read from the environment (names in ./env.ts), validated once.
import { type Policy, resolvePolicy } from '../core/policy.ts';
import { ENV } from './env.ts';

export { ENV };

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
