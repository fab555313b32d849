// What GET /auth/config tells the console and the CLI about signing in, read from the environment (names in
// ./env.ts). Apart from ./config.ts so the public sign-in route carries no policy schema.
import { type PrincipalClaim, parsePrincipalClaim } from '../core/principal-claim.ts';
import { ENV } from './env.ts';

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
