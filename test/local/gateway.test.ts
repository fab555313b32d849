// The local HTTP API gateway: payload 2.0 events, the JWT authorizer's refusals, API Gateway's answers.
import { request as httpRequest } from 'node:http';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RouteSpec } from '../../lambdas/routes.ts';
import {
  createLocalSigningKey,
  type Gateway,
  type GatewayHandler,
  type LocalSigningKey,
  signLocalToken,
  startGateway,
} from '../../local/gateway.ts';

const ISSUER = 'https://keyholder.local';
const AUDIENCE = 'keyholder-api';

const route = (method: 'GET' | 'POST', path: string, name: string, auth: 'jwt' | 'none'): RouteSpec => ({
  method,
  path,
  name,
  entry: name,
  auth,
  needs: [],
});

const ROUTES: readonly RouteSpec[] = [
  route('POST', '/requests/{id}/decisions', 'decide', 'jwt'),
  route('GET', '/requests', 'list', 'jwt'),
  route('POST', '/approve/{token}', 'approve', 'none'),
  route('GET', '/health', 'health', 'none'),
  route('GET', '/boom', 'boom', 'none'),
];

describe('local gateway', () => {
  let gateway: Gateway;
  let key: LocalSigningKey;
  let events: APIGatewayProxyEventV2WithJWTAuthorizer[];
  const handlers: Record<string, GatewayHandler> = {
    decide: async () => ({
      statusCode: 201,
      headers: { 'Content-Type': 'application/json', 'X-Request': 'seen' },
      cookies: ['session=1; HttpOnly'],
      body: '{"ok":true}',
    }),
    list: async () => ({ statusCode: 200, body: '[]' }),
    approve: async () => ({
      statusCode: 200,
      headers: { 'content-type': 'image/png' },
      body: Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString('base64'),
      isBase64Encoded: true,
    }),
    health: async () => ({ status: 'ok' }),
    boom: async () => {
      throw new Error('handler exploded');
    },
  };

  beforeAll(async () => {
    key = await createLocalSigningKey();
    gateway = await startGateway({
      port: 0,
      routes: ROUTES,
      jwt: { issuer: ISSUER, audience: AUDIENCE, publicKey: key.publicJwk },
      loadHandler: async (entry) => {
        const handler = handlers[entry] as GatewayHandler;
        return async (event, context) => {
          events.push(event);
          return handler(event, context);
        };
      },
      devRoutes: async (_req, res, url) => {
        if (url.pathname !== '/dev/ping') return false;
        res.end('pong');
        return true;
      },
    });
  });

  afterAll(async () => {
    await gateway.stop();
  });

  beforeEach(() => {
    events = [];
  });

  const validToken = () =>
    signLocalToken({ sub: 'p-dana', key, issuer: ISSUER, audience: AUDIENCE, ttlSeconds: 300 });

  it('builds the payload 2.0 event API Gateway sends for a route with path parameters and a query', async () => {
    // Prepare
    const token = await validToken();

    // Act
    const response = await rawRequest(`${gateway.url}/requests/req%201/decisions?x=1&x=2&y=a%20b`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
        'User-Agent': 'keyholder-test',
        'X-Custom': ['a', 'b'],
        Cookie: 'theme=dark; lang=en',
      },
      body: '{"decision":"approve"}',
    });

    // Assess
    expect(response.status).toBe(201);
    expect(response.headers['x-request']).toBe('seen');
    expect(response.headers['set-cookie']).toEqual(['session=1; HttpOnly']);
    expect(response.headers['apigw-requestid']).toEqual(expect.any(String));
    expect(response.body.toString()).toBe('{"ok":true}');
    const event = events[0] as APIGatewayProxyEventV2WithJWTAuthorizer;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /requests/{id}/decisions',
      rawPath: '/requests/req%201/decisions',
      rawQueryString: 'x=1&x=2&y=a%20b',
      cookies: ['theme=dark', 'lang=en'],
      queryStringParameters: { x: '1,2', y: 'a b' },
      pathParameters: { id: 'req 1' },
      body: '{"decision":"approve"}',
      isBase64Encoded: false,
      requestContext: {
        accountId: expect.stringMatching(/^\d{12}$/),
        apiId: expect.any(String),
        domainName: new URL(gateway.url).host,
        http: {
          method: 'POST',
          path: '/requests/req%201/decisions',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'keyholder-test',
        },
        requestId: response.headers['apigw-requestid'],
        routeKey: 'POST /requests/{id}/decisions',
        stage: '$default',
        time: expect.stringMatching(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/),
        timeEpoch: expect.any(Number),
        authorizer: {
          jwt: {
            claims: { sub: 'p-dana', iss: ISSUER, aud: AUDIENCE, exp: expect.stringMatching(/^\d+$/) },
            scopes: null,
          },
        },
      },
    });
    expect(event.headers).toMatchObject({
      'content-type': 'application/json',
      'x-custom': 'a,b',
      authorization: `Bearer ${token}`,
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'http',
    });
    expect(event.headers.cookie).toBeUndefined();
  });

  it('leaves out what a bare request does not have and sends no authorizer on an open route', async () => {
    // Act
    const response = await fetch(`${gateway.url}/health`);

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ status: 'ok' });
    const event = events[0] as APIGatewayProxyEventV2WithJWTAuthorizer;
    expect(event.rawQueryString).toBe('');
    expect(event).not.toHaveProperty('queryStringParameters');
    expect(event).not.toHaveProperty('pathParameters');
    expect(event).not.toHaveProperty('body');
    expect(event).not.toHaveProperty('cookies');
    expect(event.requestContext).not.toHaveProperty('authorizer');
  });

  describe('JWT authorizer', () => {
    const refusals: Array<[string, () => Promise<string | undefined>]> = [
      ['no token', async () => undefined],
      ['garbage', async () => 'Bearer not.a.jwt'],
      [
        'alg none',
        async () =>
          `Bearer ${new UnsecuredJWT({ sub: 'p-dana' }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('5m').encode()}`,
      ],
      [
        'another key',
        async () => {
          const other = await createLocalSigningKey();
          return `Bearer ${await signLocalToken({ sub: 'p-dana', key: { ...other, kid: key.kid }, issuer: ISSUER, audience: AUDIENCE, ttlSeconds: 300 })}`;
        },
      ],
      ['wrong issuer', async () => `Bearer ${await sign({ iss: 'https://evil.example' })}`],
      ['wrong audience', async () => `Bearer ${await sign({ aud: 'someone-else' })}`],
      ['expired', async () => `Bearer ${await sign({ exp: now() - 10, iat: now() - 310 })}`],
      ['not yet valid (nbf)', async () => `Bearer ${await sign({ nbf: now() + 600 })}`],
      ['no exp', async () => `Bearer ${await sign({ exp: undefined })}`],
      [
        'an EC signature',
        async () => {
          const ec = await generateKeyPair('ES256');
          return `Bearer ${await new SignJWT({ sub: 'p-dana' })
            .setProtectedHeader({ alg: 'ES256', kid: key.kid })
            .setIssuer(ISSUER)
            .setAudience(AUDIENCE)
            .setExpirationTime('5m')
            .sign(ec.privateKey)}`;
        },
      ],
    ];

    const now = () => Math.floor(Date.now() / 1000);
    const sign = (overrides: Record<string, unknown>) => {
      const claims = {
        sub: 'p-dana',
        iss: ISSUER,
        aud: AUDIENCE,
        iat: now(),
        exp: now() + 300,
        ...overrides,
      };
      return new SignJWT(
        Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined)),
      )
        .setProtectedHeader({ alg: 'RS256', kid: key.kid })
        .sign(key.privateKey);
    };

    it.each(refusals)(
      'answers 401 like API Gateway for %s, without calling the handler',
      async (_case, authorization) => {
        // Prepare
        const header = await authorization();

        // Act
        const response = await fetch(`${gateway.url}/requests`, {
          headers: header ? { authorization: header } : {},
        });

        // Assess
        expect(response.status).toBe(401);
        expect(await response.json()).toEqual({ message: 'Unauthorized' });
        expect(events).toEqual([]);
      },
    );

    it('accepts a token signed by the local key, with or without the Bearer prefix', async () => {
      // Prepare
      const token = await validToken();

      // Act
      const withPrefix = await fetch(`${gateway.url}/requests`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const bare = await fetch(`${gateway.url}/requests`, { headers: { authorization: token } });
      const handMade = await fetch(`${gateway.url}/requests`, {
        headers: { authorization: `Bearer ${await sign({})}` },
      });

      // Assess
      expect([withPrefix.status, bare.status, handMade.status]).toEqual([200, 200, 200]);
      expect(events).toHaveLength(3);
    });
  });

  it('answers 404 Not Found for an unknown path or method', async () => {
    // Act
    const unknownPath = await fetch(`${gateway.url}/nope`);
    const wrongMethod = await fetch(`${gateway.url}/health`, { method: 'POST' });

    // Assess
    expect(unknownPath.status).toBe(404);
    expect(await unknownPath.json()).toEqual({ message: 'Not Found' });
    expect(wrongMethod.status).toBe(404);
    expect(events).toEqual([]);
  });

  it('base64-encodes a form body and decodes a base64 response', async () => {
    // Act
    const response = await fetch(`${gateway.url}/approve/tok-123`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'decision=deny&comment=not+now',
    });

    // Assess
    const event = events[0] as APIGatewayProxyEventV2WithJWTAuthorizer;
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64').toString()).toBe('decision=deny&comment=not+now');
    expect(event.pathParameters).toEqual({ token: 'tok-123' });
    expect(response.headers.get('content-type')).toBe('image/png');
    expect([...new Uint8Array(await response.arrayBuffer())]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });

  it('answers 500 Internal Server Error when a handler throws', async () => {
    // Act
    const response = await fetch(`${gateway.url}/boom`);

    // Assess
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
  });

  it('refuses a body over 10 MB with 413 before calling the handler', async () => {
    // Act
    const response = await fetch(`${gateway.url}/approve/tok-big`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(10 * 1024 * 1024 + 1),
    });

    // Assess
    expect(response.status).toBe(413);
    expect(events).toEqual([]);
  });

  it('lets dev routes answer first', async () => {
    // Act
    const response = await fetch(`${gateway.url}/dev/ping`);

    // Assess
    expect(await response.text()).toBe('pong');
    expect(events).toEqual([]);
  });
});

describe('local gateway with bare keys', () => {
  it('verifies tokens signed by a bare private key against an issuer known only once the gateway listens', async () => {
    // Prepare
    const key = await createLocalSigningKey();
    let issuer = '';
    const gateway = await startGateway({
      port: 0,
      routes: ROUTES,
      jwt: {
        get issuer() {
          return issuer;
        },
        audience: AUDIENCE,
        publicKey: key.publicKey,
      },
      loadHandler: async () => async (event) => ({ sub: event.requestContext.authorizer.jwt.claims.sub }),
    });
    issuer = `${gateway.url}/dev`;
    const token = await signLocalToken({
      sub: 'p-erin',
      key: key.privateKey,
      issuer,
      audience: AUDIENCE,
      ttlSeconds: 60,
    });

    // Act
    const response = await fetch(`${gateway.url}/requests`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await gateway.stop();

    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sub: 'p-erin' });
  });

  it('refuses to start with a key API Gateway would not accept', async () => {
    // Prepare
    const ec = await generateKeyPair('ES256');

    // Act
    const starting = startGateway({
      port: 0,
      routes: ROUTES,
      jwt: { issuer: ISSUER, audience: AUDIENCE, publicKey: ec.publicKey },
      loadHandler: async () => async () => ({}),
    });

    // Assess
    await expect(starting).rejects.toThrow(/RSA keys only/);
  });
});

function rawRequest(
  url: string,
  options: { method: string; headers: Record<string, string | string[]>; body?: string },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
