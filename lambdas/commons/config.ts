// The configuration handlers read from the environment (names in ./env.ts), validated once.
import { type Policy, resolvePolicy } from '../core/policy.ts';
import { type PrincipalClaim, parsePrincipalClaim } from '../core/principal-claim.ts';
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

export interface SignInConfig {
  readonly issuer: string;
  readonly audience: string;
  readonly clients: { readonly cli: string; readonly console: string };
  readonly scopes: readonly string[];
  readonly principalClaim: PrincipalClaim;
}

export const DEFAULT_SIGN_IN = {
  cliClientId: 'keyholder-cli',
  consoleClientId: 'keyholder-console',
  scopes: ['openid', 'profile', 'email', 'offline_access'],
} as const;

/** What GET /auth/config tells the console and the CLI; undefined when no issuer is configured. */
export function readSignInConfig(env: NodeJS.ProcessEnv = process.env): SignInConfig | undefined {
  const issuer = env[ENV.oidcIssuer];
  if (!issuer) return undefined;
  const scopes = env[ENV.signInScopes]?.split(/[\s,]+/).filter(Boolean);
  return {
    issuer,
    audience: env[ENV.oidcAudience] ?? '',
    clients: {
      cli: env[ENV.cliClientId] || DEFAULT_SIGN_IN.cliClientId,
      console: env[ENV.consoleClientId] || DEFAULT_SIGN_IN.consoleClientId,
    },
    scopes: scopes && scopes.length > 0 ? scopes : [...DEFAULT_SIGN_IN.scopes],
    principalClaim: parsePrincipalClaim(env[ENV.principalClaim], ENV.principalClaim),
  };
}
