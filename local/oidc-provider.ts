// The local stack's OpenID provider: `oidc-provider` (a certified OpenID Connect implementation) on 127.0.0.1, whose
// accounts are the directory's principals. It speaks what Entra ID, Okta and Cognito speak, so the console and the CLI
// sign in locally exactly as in production: authorization code with PKCE (console), the device authorization grant
// (RFC 8628, CLI), refresh tokens, and JWT access tokens for the API's audience (RFC 8707 resource indicator).
// Local sign-in has no passwords: the login page lets a developer pick or type a seeded person.
import { createHmac, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { type CryptoKey, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';
import type { Principal } from '../lambdas/core/model.ts';
import type { PrincipalClaim } from '../lambdas/core/principal-claim.ts';
import { closeServer, listen, readBody } from './http-util.ts';

export const CONSOLE_CLIENT_ID = 'keyholder-console';
export const CLI_CLIENT_ID = 'keyholder-cli';
/** The API as a resource (what Entra ID calls the Application ID URI): the `aud` of every access token. */
export const API_AUDIENCE = 'api://keyholder';
/** The API's own scope: asked for with openid (like `api://<app>/Access` in Entra ID). */
export const API_SCOPE = 'keyholder';
export const SIGN_IN_SCOPES = ['openid', 'profile', 'email', 'offline_access', API_SCOPE] as const;

/** Lifetimes in seconds. */
export const LIFETIMES = {
  accessToken: 15 * 60,
  idToken: 15 * 60,
  deviceCode: 10 * 60,
  /** Refresh tokens: rotated on every use; each lasts 12 h unused, and the chain at most 7 days (the grant). */
  refreshToken: 12 * 3600,
  grant: 7 * 24 * 3600,
  session: 12 * 3600,
  interaction: 10 * 60,
  /** `POST /dev/token`: scripts and tests cache these across long runs (dev only, never issued to a client). */
  devToken: 12 * 3600,
} as const;

export interface LocalOidcProviderOptions {
  /** 0 = a free port. */
  readonly port: number;
  /** Principals by id, read when someone signs in and for every token (inactive ones cannot sign in). */
  readonly principals: { get(id: string): Promise<Principal | undefined>; list(): Promise<Principal[]> };
  /** The claim that carries the principal id (KEYHOLDER_PRINCIPAL_CLAIM). */
  readonly principalClaim: PrincipalClaim;
  /** Console redirect base (its origin + `/callback`, `/silent-renew.html`, `/`), when a console runs. */
  readonly consoleUrl?: string | undefined;
  /** Keep the signing key here (with `--persist`), so tokens survive a restart. */
  readonly keyFile?: string | undefined;
}

export interface LocalOidcProvider {
  readonly issuer: string;
  readonly audience: string;
  readonly clients: { readonly console: string; readonly cli: string };
  readonly scopes: readonly string[];
  /** The provider's signing key (tests forge tokens with it: same key, other claims). */
  readonly signingKey: { readonly kid: string; readonly privateKey: CryptoKey };
  /** A dev-only access token for `principalId` from the same key set and claim rules as the provider's own. */
  mintAccessToken(principalId: string): Promise<string>;
  stop(): Promise<void>;
}

const PAIRWISE_SECRET = 'keyholder-local-oidc-subject';

/** An opaque, stable, per-provider subject (Entra's `sub` is one per application): base64url HMAC of the id. */
export function opaqueSubject(principalId: string): string {
  return createHmac('sha256', PAIRWISE_SECRET).update(principalId).digest('base64url').slice(0, 43);
}

/** A deterministic UUID for a principal (what Entra's `oid` looks like) when `oid` is not the principal claim. */
export function objectIdOf(principalId: string): string {
  const hex = createHmac('sha256', `${PAIRWISE_SECRET}:oid`).update(principalId).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The identity claims of a principal's tokens, with the principal id in `claim` (and only there). */
export function identityClaims(principal: Principal, claim: PrincipalClaim): Record<string, string> {
  const claims: Record<string, string> = {
    sub: opaqueSubject(principal.id),
    oid: objectIdOf(principal.id),
    email: principal.email,
    preferred_username: principal.email,
    upn: principal.email,
    name: principal.name,
  };
  claims[claim] = principal.id;
  return claims;
}

async function signingJwk(keyFile: string | undefined): Promise<JWK> {
  if (keyFile) {
    try {
      return JSON.parse(await readFile(keyFile, 'utf8')) as JWK;
    } catch {
      // First start on this directory: make one below.
    }
  }
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk: JWK = {
    ...(await exportJWK(privateKey)),
    kid: randomBytes(8).toString('hex'),
    alg: 'RS256',
    use: 'sig',
  };
  if (keyFile) await writeFile(keyFile, JSON.stringify(jwk), { mode: 0o600 });
  return jwk;
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const STYLE = `body{font-family:Arial,sans-serif;margin:0;color:#212b32;background:#f0f4f5}header{background:#005eb8;color:#fff;padding:16px 24px}main{max-width:640px;margin:24px auto;padding:0 16px}fieldset{border:0;padding:0}button,input[type=submit]{font-size:1.1rem;padding:8px 16px;margin:4px 0;background:#007f3b;color:#fff;border:0;border-radius:4px;cursor:pointer}button.person{display:block;width:100%;text-align:left;background:#fff;color:#005eb8;border:1px solid #aeb7bd}label{display:block;font-weight:bold;margin:12px 0 4px}input[type=text]{font-size:1.1rem;padding:6px;width:100%;max-width:320px;border:2px solid #4c6272}.note{background:#fff;border-left:8px solid #005eb8;padding:12px 16px}.error{border-left:8px solid #d5281b;padding:8px 16px;background:#fff}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} - Keyholder sign-in (local)</title><style>${STYLE}</style></head><body><header><p><strong>Keyholder</strong> local sign-in</p></header><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

function loginPage(uid: string, people: readonly Principal[], client: string, error?: string): string {
  const buttons = people
    .map(
      (p) =>
        `<button class="person" type="submit" name="principal" value="${escapeHtml(p.id)}">${escapeHtml(p.name)} <span>(${escapeHtml(p.id)}, ${escapeHtml(p.organisation)}, ${escapeHtml(p.grade)})</span></button>`,
    )
    .join('');
  return page(
    'Sign in',
    `<p class="note">This is the local development sign-in of Keyholder: there are <strong>no passwords</strong>. Pick a person from the directory or type a principal id. In production people sign in with your organisation's identity provider (Microsoft Entra ID, Okta or Amazon Cognito).</p>
${error ? `<div class="error" role="alert"><p>${escapeHtml(error)}</p></div>` : ''}
<p>Signing in to <strong>${escapeHtml(client)}</strong>.</p>
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label for="principal-id">Principal id</label><input type="text" id="principal-id" name="typed" autocomplete="username" spellcheck="false">
<input type="submit" value="Sign in as this person">
<fieldset><legend><h2>Or pick a person</h2></legend>${buttons}</fieldset>
</form>`,
  );
}

function formFields(body: Buffer): URLSearchParams {
  return new URLSearchParams(body.toString('utf8'));
}

type StoredPayload = Record<string, unknown> & { grantId?: string; userCode?: string; uid?: string };

/**
 * oidc-provider's storage (sessions, grants, device codes, refresh tokens) in this process's memory, one store per
 * provider: the local stack's sign-ins last as long as `npm start` does. Written out (a dozen lines of the
 * interface oidc-provider documents) rather than its quick-start adapter, which warns on every start.
 */
function memoryAdapter() {
  const rows = new Map<string, { payload: StoredPayload; expiresAt: number | undefined }>();
  const live = (key: string) => {
    const row = rows.get(key);
    if (row?.expiresAt !== undefined && row.expiresAt <= Date.now()) {
      rows.delete(key);
      return undefined;
    }
    return row?.payload;
  };
  return class MemoryAdapter {
    readonly #model: string;
    constructor(model: string) {
      this.#model = model;
    }
    #key(id: string) {
      return `${this.#model}:${id}`;
    }
    async upsert(id: string, payload: StoredPayload, expiresIn?: number) {
      rows.set(this.#key(id), {
        payload,
        expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined,
      });
    }
    async find(id: string) {
      return live(this.#key(id));
    }
    async findByUserCode(userCode: string) {
      for (const [key, row] of rows)
        if (key.startsWith(`${this.#model}:`) && row.payload.userCode === userCode) return live(key);
      return undefined;
    }
    async findByUid(uid: string) {
      for (const [key, row] of rows)
        if (key.startsWith(`${this.#model}:`) && row.payload.uid === uid) return live(key);
      return undefined;
    }
    async consume(id: string) {
      const payload = live(this.#key(id));
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      rows.delete(this.#key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const [key, row] of rows) if (row.payload.grantId === grantId) rows.delete(key);
    }
  };
}

export async function startLocalOidcProvider(options: LocalOidcProviderOptions): Promise<LocalOidcProvider> {
  const jwk = await signingJwk(options.keyFile);
  const privateKey = (await importJWK(jwk, 'RS256')) as CryptoKey;
  const kid = jwk.kid as string;
  // The issuer needs the port, the provider needs the issuer: listen first, attach the provider once built.
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(503).end();
  };
  const server = createServer((req, res) => handle(req, res));
  const { url: issuer } = await listen(server, options.port);

  const consoleOrigin = options.consoleUrl ? new URL(options.consoleUrl).origin : undefined;
  const byAccount = async (accountId: string): Promise<Principal | undefined> => {
    if (options.principalClaim === 'sub') return await options.principals.get(accountId);
    // `sub` is opaque: the account id is the opaque subject, mapped back through the directory.
    return (await options.principals.list()).find((p) => opaqueSubject(p.id) === accountId);
  };
  const accountIdOf = (principal: Principal) =>
    options.principalClaim === 'sub' ? principal.id : opaqueSubject(principal.id);
  const tokenClaims = async (accountId: string) => {
    const principal = await byAccount(accountId);
    if (!principal?.active) return undefined;
    const { sub: _sub, ...claims } = identityClaims(principal, options.principalClaim);
    return claims;
  };

  const resourceServer = {
    scope: API_SCOPE,
    audience: API_AUDIENCE,
    accessTokenTTL: LIFETIMES.accessToken,
    accessTokenFormat: 'jwt' as const,
    jwt: { sign: { alg: 'RS256' as const } },
  };
  const pageShell = (title: string, body: string) => page(title, body);

  const configuration: Configuration = {
    clients: [
      {
        client_id: CONSOLE_CLIENT_ID,
        client_name: 'Keyholder console',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: options.consoleUrl
          ? [`${options.consoleUrl}/callback`, `${options.consoleUrl}/silent-renew.html`]
          : ['http://127.0.0.1/callback'],
        post_logout_redirect_uris: options.consoleUrl ? [`${options.consoleUrl}/`] : [],
      },
      {
        client_id: CLI_CLIENT_ID,
        client_name: 'Keyholder command line',
        token_endpoint_auth_method: 'none',
        grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
        response_types: [],
        redirect_uris: [],
      },
    ],
    adapter: memoryAdapter() as never,
    jwks: { keys: [jwk as never] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    scopes: [...SIGN_IN_SCOPES],
    claims: {
      openid: ['sub'],
      email: ['email'],
      profile: ['name', 'preferred_username', 'oid', 'upn'],
    },
    findAccount: async (_ctx, accountId) => {
      const principal = await byAccount(accountId);
      if (!principal?.active) return undefined;
      return {
        accountId,
        claims: async () => ({ ...identityClaims(principal, options.principalClaim), sub: accountId }),
      };
    },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        // Signing out of the console signs out of the provider too, at once (the page submits itself; the button
        // is there without JavaScript).
        logoutSource: async (ctx, logoutForm) => {
          ctx.body = page(
            'Signing out',
            `${logoutForm}<input type="hidden" form="op.logoutForm" name="logout" value="yes"><button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button><script>document.forms[0].submit()</script>`,
          );
        },
      },
      deviceFlow: {
        enabled: true,
        userCodeInputSource: async (ctx, form, _out, err) => {
          ctx.body = pageShell(
            'Connect the Keyholder command line',
            `${err ? '<div class="error" role="alert"><p>That code is not valid or has expired: check it and try again.</p></div>' : ''}<p>Enter the code the command line shows (<code>keyholder login</code>).</p>${form.replace('<input type="text" name="user_code"', '<label for="user_code">Code</label><input type="text" id="user_code" name="user_code"').replace('<form ', '<form aria-label="Device code" ')}<input type="submit" form="op.deviceInputForm" value="Continue">`,
          );
        },
        userCodeConfirmSource: async (ctx, form, client, _device, userCode) => {
          ctx.body = pageShell(
            'Is this your command line?',
            `<p>The command line (<strong>${escapeHtml(client.clientName ?? client.clientId)}</strong>) shows the code <strong>${escapeHtml(userCode)}</strong>. Continue only if it does.</p>${form}<input type="submit" form="op.deviceConfirmForm" value="Continue"> <button type="submit" form="op.deviceConfirmForm" name="abort" value="yes">Cancel</button>`,
          );
        },
        successSource: async (ctx) => {
          ctx.body = pageShell(
            'Signed in',
            '<p>The command line is signed in. You can close this window.</p>',
          );
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => API_AUDIENCE,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resourceIndicator) => {
          if (resourceIndicator !== API_AUDIENCE) throw new Error(`unknown resource ${resourceIndicator}`);
          return resourceServer;
        },
      },
    },
    extraTokenClaims: async (_ctx, token) => {
      const accountId = (token as { accountId?: string }).accountId;
      return accountId ? await tokenClaims(accountId) : undefined;
    },
    // Every client may refresh (the console and the CLI both ask for offline_access).
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    clientBasedCORS: (_ctx, origin, client) =>
      client.clientId === CONSOLE_CLIENT_ID && origin === consoleOrigin,
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    ttl: {
      AccessToken: LIFETIMES.accessToken,
      IdToken: LIFETIMES.idToken,
      DeviceCode: LIFETIMES.deviceCode,
      RefreshToken: LIFETIMES.refreshToken,
      Grant: LIFETIMES.grant,
      Session: LIFETIMES.session,
      Interaction: LIFETIMES.interaction,
      AuthorizationCode: 60,
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page(
        'Sign-in failed',
        `<div class="error" role="alert"><p>${escapeHtml(String(out.error))}: ${escapeHtml(String(out.error_description ?? ''))}</p></div>`,
      );
    },
  };
  const provider = new Provider(issuer, configuration);
  provider.proxy = false;
  const callback = provider.callback();

  const interaction = async (req: IncomingMessage, res: ServerResponse, uid: string, action: string) => {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error('interaction mismatch');
    const clientId = String(details.params.client_id ?? '');
    const people = (await options.principals.list()).filter((p) => p.active);
    const send = (status: number, html: string) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(html);
    };
    if (action === 'login' && req.method === 'POST') {
      const fields = formFields(await readBody(req, 64 * 1024));
      const chosen = (fields.get('principal') || fields.get('typed') || '').trim();
      const principal = chosen ? await options.principals.get(chosen) : undefined;
      if (!principal?.active) {
        const why = !chosen
          ? 'Pick a person or type a principal id.'
          : principal
            ? `${chosen} is not active in the directory and cannot sign in.`
            : `${chosen} is not in the directory.`;
        return send(400, loginPage(uid, people, clientId, why));
      }
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: accountIdOf(principal) } },
        {
          mergeWithLastSubmission: false,
        },
      );
      return;
    }
    if (details.prompt.name === 'login') return send(200, loginPage(uid, people, clientId));
    // Consent for a first-party client: granted as the sign-in, exactly what the prompt says is missing.
    const missing = details.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    const existing = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
    const grant = existing ?? new provider.Grant({ clientId, accountId: details.session?.accountId ?? '' });
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    await provider.interactionFinished(
      req,
      res,
      { consent: { grantId: await grant.save() } },
      {
        mergeWithLastSubmission: true,
      },
    );
  };

  handle = (req, res) => {
    const match = /^\/interaction\/([\w-]+)(?:\/(login))?$/.exec((req.url ?? '').split('?')[0] ?? '');
    if (!match) {
      callback(req, res);
      return;
    }
    interaction(req, res, match[1] as string, match[2] ?? '').catch((error: unknown) => {
      console.error('[oidc] interaction failed:', error);
      if (res.headersSent) return res.end();
      res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        page(
          'Sign-in failed',
          `<div class="error" role="alert"><p>${escapeHtml((error as Error).message)}. Start signing in again.</p></div>`,
        ),
      );
    });
  };

  return {
    issuer,
    audience: API_AUDIENCE,
    clients: { console: CONSOLE_CLIENT_ID, cli: CLI_CLIENT_ID },
    scopes: SIGN_IN_SCOPES,
    signingKey: { kid, privateKey },
    mintAccessToken: async (principalId) => {
      const principal = await options.principals.get(principalId);
      // The dev route mints for anyone, as a broken or foreign token would arrive: the API decides (403).
      const claims = principal
        ? identityClaims(principal, options.principalClaim)
        : {
            [options.principalClaim]: principalId,
            sub: options.principalClaim === 'sub' ? principalId : opaqueSubject(principalId),
          };
      const now = Math.floor(Date.now() / 1000);
      return await new SignJWT({ ...claims, scope: API_SCOPE, client_id: CLI_CLIENT_ID })
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' })
        .setIssuer(issuer)
        .setAudience(API_AUDIENCE)
        .setSubject(claims.sub as string)
        .setIssuedAt(now)
        .setExpirationTime(now + LIFETIMES.devToken)
        .setJti(randomBytes(16).toString('base64url'))
        .sign(privateKey);
    },
    stop: () => closeServer(server),
  };
}

/** Where a persisted stack keeps the provider's signing key. */
export const oidcKeyFile = (persistDir: string) => path.join(persistDir, 'oidc-signing-key.json');
