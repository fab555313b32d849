// Sign-in as in production, on the local stack: the OpenID provider (oidc-provider) with discovery and JWKS, the
// device authorization grant (the CLI) and the authorization code flow with PKCE (the console), driven over plain
// HTTP as a person's browser would; its JWT access tokens accepted by the gateway as API Gateway's JWT authorizer
// would, the principal taken from the configured claim, and tokens of any other issuer refused.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeJwt, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SEED_FILE } from '../../local/stack.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';

/** A JSON body, untyped: these tests read the provider's own documents. */
const json = async (response: Promise<Response>): Promise<any> => (await response).json();

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields),
});

/** A person's browser: cookies by name, redirects followed by hand so every hop is seen. */
function browser(base: string) {
  const cookies = new Map<string, string>();
  const go = async (url: string, init: RequestInit = {}): Promise<Response> => {
    const response = await fetch(new URL(url, base), {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string>),
        cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return response;
  };
  /** Follows redirects until a page (or a redirect to `stopAt`) is reached. */
  const follow = async (response: Response, stopAt?: string): Promise<Response> => {
    let current = response;
    for (let hops = 0; hops < 20; hops += 1) {
      const location = current.headers.get('location');
      if (!location || (stopAt && location.startsWith(stopAt))) return current;
      current = await go(location);
    }
    throw new Error('too many redirects');
  };
  return { go, follow };
}

/** Signs in as `principal` on the provider's login page (after the flow has led there). */
async function pickPerson(
  b: ReturnType<typeof browser>,
  page: Response,
  principal: string,
): Promise<Response> {
  const html = await page.text();
  const action = /action="(\/interaction\/[^"]+\/login)"/.exec(html)?.[1];
  if (!action) throw new Error(`no login form in:\n${html.slice(0, 500)}`);
  expect(html).toContain('no passwords');
  return await b.go(action, form({ principal }));
}

async function deviceLogin(stack: TestStack, principal: string) {
  const discovery = await json(fetch(`${stack.oidc.issuer}/.well-known/openid-configuration`));
  const started = await json(
    fetch(
      discovery.device_authorization_endpoint,
      form({ client_id: stack.oidc.clients.cli, scope: stack.oidc.scopes.join(' ') }),
    ),
  );
  const b = browser(stack.oidc.issuer);
  const entry = await (await b.go(started.verification_uri)).text();
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(entry)?.[1] as string;
  const afterCode = await b.follow(await b.go('/device', form({ xsrf, user_code: started.user_code })));
  const confirm = await afterCode.text();
  const confirmXsrf = /name="xsrf" value="([^"]+)"/.exec(confirm)?.[1];
  const login = confirmXsrf
    ? await b.follow(
        await b.go('/device', form({ xsrf: confirmXsrf, confirm: 'yes', user_code: started.user_code })),
      )
    : new Response(confirm);
  const done = await b.follow(await pickPerson(b, login, principal));
  expect(await done.text()).toContain('signed in');
  const tokens = await json(
    fetch(
      discovery.token_endpoint,
      form({
        client_id: stack.oidc.clients.cli,
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        device_code: started.device_code,
      }),
    ),
  );
  return { discovery, tokens };
}

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

describe('the local OpenID provider (principal in sub)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('publishes discovery and a JWKS, and GET /auth/config points the clients at it', async () => {
    const discovery = await json(fetch(`${stack.oidc.issuer}/.well-known/openid-configuration`));
    expect(discovery.issuer).toBe(stack.oidc.issuer);
    expect(discovery.grant_types_supported).toEqual(
      expect.arrayContaining([
        'authorization_code',
        'refresh_token',
        'urn:ietf:params:oauth:grant-type:device_code',
      ]),
    );
    expect(discovery.code_challenge_methods_supported).toEqual(['S256']);
    const jwks = await json(fetch(discovery.jwks_uri));
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', use: 'sig' });
    expect(jwks.keys[0].d).toBeUndefined();
    const config = await stack.call('GET', '/auth/config');
    expect(config.status).toBe(200);
    expect(config.body).toEqual({
      issuer: stack.oidc.issuer,
      audience: 'api://keyholder',
      clients: { cli: 'keyholder-cli', console: 'keyholder-console' },
      scopes: ['openid', 'profile', 'email', 'offline_access', 'keyholder'],
      principalClaim: 'sub',
    });
  });

  it('signs the CLI in by the device authorization grant: a 15-minute JWT the API accepts, and a refresh', async () => {
    const { discovery, tokens } = await deviceLogin(stack, 'ext-kim');
    expect(tokens.expires_in).toBe(900);
    expect(decodeJwt(tokens.access_token)).toMatchObject({
      sub: 'ext-kim',
      aud: 'api://keyholder',
      iss: stack.oidc.issuer,
    });
    const datasets = await fetch(`${stack.url}/datasets`, bearer(tokens.access_token));
    expect(datasets.status).toBe(200);
    const refreshed = await json(
      fetch(
        discovery.token_endpoint,
        form({
          client_id: stack.oidc.clients.cli,
          grant_type: 'refresh_token',
          refresh_token: tokens.refresh_token,
        }),
      ),
    );
    expect(refreshed.access_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token); // rotated
    expect((await fetch(`${stack.url}/datasets`, bearer(refreshed.access_token))).status).toBe(200);
  });

  it('signs the console in by authorization code with PKCE, and refuses a code request without PKCE', async () => {
    const discovery = await json(fetch(`${stack.oidc.issuer}/.well-known/openid-configuration`));
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const redirectUri = `${stack.consoleUrl}/callback`;
    const authorize = (extra: Record<string, string>) =>
      `${discovery.authorization_endpoint}?${new URLSearchParams({
        client_id: stack.oidc.clients.console,
        response_type: 'code',
        redirect_uri: redirectUri,
        scope: stack.oidc.scopes.join(' '),
        state: 'st',
        ...extra,
      })}`;
    const b = browser(stack.oidc.issuer);
    const withoutPkce = await b.follow(await b.go(authorize({})), redirectUri);
    expect(withoutPkce.headers.get('location') ?? (await withoutPkce.text())).toMatch(/code_challenge|PKCE/i);

    const login = await b.follow(
      await b.go(authorize({ code_challenge: challenge, code_challenge_method: 'S256' })),
    );
    const back = await b.follow(await pickPerson(b, login, 'dir-ada'), redirectUri);
    const code = new URL(back.headers.get('location') as string).searchParams.get('code') as string;
    expect(code).toBeTruthy();
    const tokens = await json(
      fetch(
        discovery.token_endpoint,
        form({
          client_id: stack.oidc.clients.console,
          grant_type: 'authorization_code',
          code,
          redirect_uri: redirectUri,
          code_verifier: verifier,
        }),
      ),
    );
    expect(decodeJwt(tokens.access_token)).toMatchObject({ sub: 'dir-ada', aud: 'api://keyholder' });
    expect(tokens.refresh_token).toBeTruthy();
    expect((await fetch(`${stack.url}/access`, bearer(tokens.access_token))).status).toBe(200);
  });

  it('refuses an inactive principal at sign-in', async () => {
    expect(
      (await stack.call('PATCH', '/principals/ext-lee', { as: 'adm-eve', body: { active: false } })).status,
    ).toBe(200);
    const discovery = await json(fetch(`${stack.oidc.issuer}/.well-known/openid-configuration`));
    const b = browser(stack.oidc.issuer);
    const started = await json(
      fetch(
        discovery.device_authorization_endpoint,
        form({ client_id: stack.oidc.clients.cli, scope: 'openid' }),
      ),
    );
    const entry = await (await b.go(started.verification_uri)).text();
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(entry)?.[1] as string;
    const confirm = await (
      await b.follow(await b.go('/device', form({ xsrf, user_code: started.user_code })))
    ).text();
    const confirmXsrf = /name="xsrf" value="([^"]+)"/.exec(confirm)?.[1] as string;
    const login = await b.follow(
      await b.go('/device', form({ xsrf: confirmXsrf, confirm: 'yes', user_code: started.user_code })),
    );
    const refused = await pickPerson(b, login, 'ext-lee');
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('not active');
  });

  it('refuses a token of another issuer on this machine, signed by its own published key', async () => {
    const other = await startTestStack();
    try {
      const foreign = await other.tokenFor('ext-kim');
      expect((await fetch(`${stack.url}/datasets`, bearer(foreign))).status).toBe(401);
      // ... and one carrying this issuer's name but signed with the other provider's key.
      const forged = await new SignJWT({ sub: 'ext-kim' })
        .setProtectedHeader({ alg: 'RS256', kid: 'other' })
        .setIssuer(stack.oidc.issuer)
        .setAudience('api://keyholder')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(other.jwt.privateKey);
      expect((await fetch(`${stack.url}/datasets`, bearer(forged))).status).toBe(401);
    } finally {
      await other.stop();
    }
  });
});

describe.each([
  ['email', 'email'],
  ['oid', 'oid'],
] as const)('principal ids in the %s claim', (claim, _same) => {
  let stack: TestStack;
  let dir: string;
  beforeAll(async () => {
    // A directory whose ids are the values that claim carries (as SCIM would provision them).
    dir = await mkdtemp(path.join(tmpdir(), 'keyholder-claim-'));
    const seed = JSON.parse(await readFile(DEFAULT_SEED_FILE, 'utf8'));
    for (const principal of seed.principals) {
      if (claim === 'email') principal.id = principal.email;
      else
        principal.id = `00000000-0000-4000-8000-${createHash('sha256').update(principal.id).digest('hex').slice(0, 12)}`;
    }
    await writeFile(path.join(dir, 'seed.json'), JSON.stringify(seed));
    stack = await startTestStack({ principalClaim: claim, seedFile: path.join(dir, 'seed.json') });
  });
  afterAll(async () => {
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('signs in by device flow with the principal in that claim and an opaque sub, and the API knows the person', async () => {
    const someone = stack.seed.principals.find((p) => p.name === 'Kim Consultant')?.id as string;
    const { tokens } = await deviceLogin(stack, someone);
    const claims = decodeJwt(tokens.access_token);
    expect(claims[claim]).toBe(someone);
    expect(claims.sub).not.toBe(someone);
    expect((await fetch(`${stack.url}/datasets`, bearer(tokens.access_token))).status).toBe(200);
    expect((await stack.call('GET', '/auth/config')).body.principalClaim).toBe(claim);
  });

  it('answers 403 UNKNOWN_PRINCIPAL for a valid token whose claim names nobody, and when the claim is missing', async () => {
    const nobody = await stack.call('GET', '/datasets', { as: 'nobody@nowhere.example' });
    expect(nobody).toMatchObject({ status: 403, body: { error: { code: 'UNKNOWN_PRINCIPAL' } } });
    const without = await new SignJWT({ sub: 'someone' })
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(stack.oidc.issuer)
      .setAudience('api://keyholder')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(stack.jwt.privateKey);
    const missing = await fetch(`${stack.url}/datasets`, bearer(without));
    expect(missing.status).toBe(403);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('UNKNOWN_PRINCIPAL');
  });
});
