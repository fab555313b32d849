// Sign-in with the API's OpenID provider through openid-client (loaded only by login, logout and a token refresh):
// discovery from the issuer GET /auth/config names, the OAuth 2.0 device authorization grant (RFC 8628) for
// `keyholder login`, the refresh token grant when the access token has expired, revocation (RFC 7009) at logout.
// The CLI is a public client (no secret). Plain http is allowed for an issuer on this machine only (the local stack).
import * as client from 'openid-client';
import type { SignInConfig } from './api.ts';
import type { StoredLogin } from './config-store.ts';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export async function discover(issuer: string, clientId: string): Promise<client.Configuration> {
  const url = new URL(issuer);
  const insecure = url.protocol === 'http:' && LOOPBACK.has(url.hostname);
  return client.discovery(
    url,
    clientId,
    undefined,
    client.None(),
    insecure ? { execute: [client.allowInsecureRequests] } : undefined,
  );
}

export interface DevicePrompt {
  readonly verificationUri: string;
  readonly verificationUriComplete: string | undefined;
  readonly userCode: string;
  readonly expiresInSeconds: number;
}

/** Runs the device authorization grant to the end: `prompt` shows the person where to go; resolves with the login. */
export async function deviceLogin(
  signIn: SignInConfig,
  options: { prompt: (prompt: DevicePrompt) => void; now: () => number; signal?: AbortSignal },
): Promise<StoredLogin> {
  const config = await discover(signIn.issuer, signIn.clients.cli);
  if (!config.serverMetadata().device_authorization_endpoint) {
    throw new Error(`the OpenID provider ${signIn.issuer} does not offer the device authorization grant`);
  }
  // The API's own scope is among the scopes (GET /auth/config: Entra ID, Okta and Cognito all work that way).
  const device = await client.initiateDeviceAuthorization(config, { scope: signIn.scopes.join(' ') });
  options.prompt({
    verificationUri: device.verification_uri,
    verificationUriComplete: device.verification_uri_complete,
    userCode: device.user_code,
    expiresInSeconds: device.expires_in,
  });
  const tokens = await client.pollDeviceAuthorizationGrant(
    config,
    device,
    undefined,
    options.signal ? { signal: options.signal } : undefined,
  );
  return loginFrom(signIn.issuer, signIn.clients.cli, tokens, undefined, options.now());
}

export async function refreshLogin(login: StoredLogin, now: number): Promise<StoredLogin> {
  if (!login.refreshToken) throw new Error('no refresh token');
  const config = await discover(login.issuer, login.clientId);
  const tokens = await client.refreshTokenGrant(config, login.refreshToken);
  return loginFrom(login.issuer, login.clientId, tokens, login, now);
}

/** Revokes the refresh token when the provider offers revocation; false when it does not. */
export async function revokeLogin(login: StoredLogin): Promise<boolean> {
  if (!login.refreshToken) return false;
  const config = await discover(login.issuer, login.clientId);
  if (!config.serverMetadata().revocation_endpoint) return false;
  await client.tokenRevocation(config, login.refreshToken, { token_type_hint: 'refresh_token' });
  return true;
}

function loginFrom(
  issuer: string,
  clientId: string,
  tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers,
  previous: StoredLogin | undefined,
  now: number,
): StoredLogin {
  const expiresIn = tokens.expiresIn();
  return {
    issuer,
    clientId,
    accessToken: tokens.access_token,
    // A provider may keep the refresh token it gave before (no rotation): keep it then.
    refreshToken: tokens.refresh_token ?? previous?.refreshToken,
    idToken: tokens.id_token ?? previous?.idToken,
    expiresAt: expiresIn === undefined ? undefined : new Date(now + expiresIn * 1000).toISOString(),
    scope: tokens.scope ?? previous?.scope,
    principal: previous?.principal,
    savedAt: new Date(now).toISOString(),
  };
}
