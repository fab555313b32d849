// The local gateway trusts an issuer as API Gateway's JWT authorizer does: through its discovery document and JWKS,
// keys looked up by `kid`. When the issuer rotates its signing key, tokens signed with the new key are accepted
// without restarting the gateway; a `kid` the issuer never published stays refused.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteSpec } from '../../lambdas/routes.ts';
import { type Gateway, startGateway } from '../../local/gateway.ts';

const AUDIENCE = 'api://keyholder';
const ROUTES: readonly RouteSpec[] = [
  { method: 'GET', path: '/me', name: 'me', entry: 'me', auth: 'jwt', needs: [] },
];

async function signingKey(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } as JWK };
}

describe('local gateway: the issuer rotates its signing key', () => {
  let issuerServer: Server;
  let issuer: string;
  let published: JWK[] = [];
  let jwksFetches = 0;
  let gateway: Gateway;

  beforeAll(async () => {
    issuerServer = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/.well-known/openid-configuration') {
        res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
      } else if (req.url === '/jwks') {
        jwksFetches += 1;
        res.end(JSON.stringify({ keys: published }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await new Promise<void>((resolve) => issuerServer.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(issuerServer.address() as AddressInfo).port}`;
    gateway = await startGateway({
      port: 0,
      routes: ROUTES,
      jwt: { issuer, audience: AUDIENCE },
      loadHandler: async () => async (event) => ({ sub: event.requestContext.authorizer.jwt.claims.sub }),
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await new Promise((resolve) => issuerServer?.close(resolve));
  });

  const token = (key: Awaited<ReturnType<typeof signingKey>>, sub: string) =>
    new SignJWT({ client_id: 'keyholder-cli' })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid })
      .setSubject(sub)
      .setIssuer(issuer)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key.privateKey);

  const me = (jwt: string) => fetch(`${gateway.url}/me`, { headers: { authorization: `Bearer ${jwt}` } });

  it('accepts the new key once the issuer publishes it, and never a kid it did not publish', async () => {
    // Prepare: key A in use
    const a = await signingKey('key-a');
    const b = await signingKey('key-b');
    const rogue = await signingKey('key-rogue');
    published = [a.jwk];
    const first = await me(await token(a, 'ext-kim'));
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ sub: 'ext-kim' });
    const fetchesBefore = jwksFetches;

    // Act: the issuer rotates to key B (A kept for tokens still in flight), after the gateway cached A's set
    published = [b.jwk, a.jwk];
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const rotated = await me(await token(b, 'dir-ada'));
    const stillA = await me(await token(a, 'ext-kim'));
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const forged = await me(await token(rogue, 'adm-eve'));

    // Assess: B picked up by one refetch, no restart; the unpublished kid refused as the authorizer would
    expect(rotated.status).toBe(200);
    expect(await rotated.json()).toEqual({ sub: 'dir-ada' });
    expect(stillA.status).toBe(200);
    expect(jwksFetches).toBeGreaterThan(fetchesBefore);
    expect(forged.status).toBe(401);
    expect(await forged.json()).toEqual({ message: 'Unauthorized' });
  });
});
