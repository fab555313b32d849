// Serving the console locally: the gateway's CORS (as the HTTP API's corsPreflight does it) and the console server
// (the built app, a generated /config.json, the security headers CloudFront sends, client routes as the app).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_CORS } from '../../lambdas/http/cors.ts';
import type { RouteSpec } from '../../lambdas/routes.ts';
import { type ConsoleServer, startConsoleServer } from '../../local/console-server.ts';
import { createLocalSigningKey, type Gateway, startGateway } from '../../local/gateway.ts';

const CONSOLE_ORIGIN = 'http://127.0.0.1:3200';
const ROUTES: readonly RouteSpec[] = [
  { method: 'GET', path: '/me', name: 'me', entry: 'me', auth: 'jwt', needs: [] },
  { method: 'GET', path: '/health', name: 'health', entry: 'health', auth: 'none', needs: [] },
];

describe('the gateway answers CORS for the console origin only', () => {
  let gateway: Gateway;
  let handlerCalls = 0;
  beforeAll(async () => {
    const key = await createLocalSigningKey();
    gateway = await startGateway({
      port: 0,
      routes: ROUTES,
      jwt: { issuer: 'https://issuer.local', audience: 'keyholder', publicKey: key.publicJwk },
      cors: { allowOrigins: [CONSOLE_ORIGIN] },
      loadHandler: async () => async () => {
        handlerCalls += 1;
        return { statusCode: 200, body: '{"status":"ok"}' };
      },
    });
  });
  afterAll(() => gateway?.stop());

  it('answers a preflight itself, with the policy of lambdas/http/cors.ts, without calling a handler', async () => {
    const before = handlerCalls;
    const answer = await fetch(`${gateway.url}/me`, {
      method: 'OPTIONS',
      headers: {
        origin: CONSOLE_ORIGIN,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe(CONSOLE_ORIGIN);
    expect(answer.headers.get('access-control-allow-methods')).toBe(API_CORS.allowMethods.join(','));
    expect(answer.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
    expect(answer.headers.get('access-control-max-age')).toBe('600');
    expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
    expect(handlerCalls).toBe(before);
  });

  it('allows the console origin on answers, errors included, and nobody else', async () => {
    const ok = await fetch(`${gateway.url}/health`, { headers: { origin: CONSOLE_ORIGIN } });
    expect(ok.headers.get('access-control-allow-origin')).toBe(CONSOLE_ORIGIN);
    expect(ok.headers.get('access-control-expose-headers')).toBe('retry-after');
    const unauthorised = await fetch(`${gateway.url}/me`, { headers: { origin: CONSOLE_ORIGIN } });
    expect(unauthorised.status).toBe(401);
    expect(unauthorised.headers.get('access-control-allow-origin')).toBe(CONSOLE_ORIGIN);

    const stranger = await fetch(`${gateway.url}/health`, { headers: { origin: 'https://evil.example' } });
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    const strangerPreflight = await fetch(`${gateway.url}/me`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(strangerPreflight.headers.get('access-control-allow-origin')).toBeNull();
    const deleting = await fetch(`${gateway.url}/me`, {
      method: 'OPTIONS',
      headers: { origin: CONSOLE_ORIGIN, 'access-control-request-method': 'DELETE' },
    });
    expect(deleting.headers.get('access-control-allow-methods')).toBeNull();
  });
});

describe('the console server', () => {
  let server: ConsoleServer;
  const config = {
    issuer: 'http://127.0.0.1:4000/oidc',
    clientId: 'keyholder-console',
    apiUrl: 'http://127.0.0.1:3000',
    audience: 'keyholder',
  };
  beforeAll(async () => {
    server = await startConsoleServer({ port: 0, config: () => config });
  }, 120_000);
  afterAll(() => server?.stop());

  it('serves the app with a strict CSP and the other security headers, on every client route', async () => {
    for (const path of ['/', '/inbox', '/callback', '/requests/req-1']) {
      const page = await fetch(`${server.url}${path}`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('<div id="root">');
      // No inline script: every script is a file of the console's own origin.
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toMatch(/connect-src 'self' http:\/\/127\.0\.0\.1:3000 http:\/\/127\.0\.0\.1:4000(;|$)/);
      expect(page.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
      expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(await (await fetch(server.url)).text())?.[1];
    const asset = await fetch(`${server.url}${script}`);
    expect(asset.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(asset.headers.get('cache-control')).toContain('immutable');
  });

  it('lets only the silent-renewal page be framed, by the console itself', async () => {
    const silent = await fetch(`${server.url}/silent-renew.html`);
    expect(silent.status).toBe(200);
    expect(silent.headers.get('content-security-policy')).toContain("frame-ancestors 'self'");
  });

  it('answers /config.json from the stack, never cached, and nothing outside the build', async () => {
    const answer = await fetch(`${server.url}/config.json`);
    expect(await answer.json()).toEqual(config);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect((await fetch(`${server.url}/assets/..%2f..%2fpackage.json`)).status).toBe(404);
    expect((await fetch(`${server.url}/nothing.js`)).status).toBe(404);
    expect((await fetch(`${server.url}/`, { method: 'POST' })).status).toBe(405);
  });
});
