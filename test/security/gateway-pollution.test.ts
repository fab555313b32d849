// The local gateway hands query parameters and headers named like Object.prototype members to the handler as
// the own properties AWS's JSON event has: never dropped (`__proto__`), never read from the prototype.
import { request as httpRequest } from 'node:http';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalSigningKey, type Gateway, startGateway } from '../../local/gateway.ts';

describe('local gateway: prototype-named query parameters and headers', () => {
  let gateway: Gateway;
  const events: APIGatewayProxyEventV2WithJWTAuthorizer[] = [];

  beforeAll(async () => {
    const key = await createLocalSigningKey();
    gateway = await startGateway({
      port: 0,
      routes: [{ method: 'GET', path: '/health', name: 'health', entry: 'health', auth: 'none', needs: [] }],
      jwt: { issuer: 'https://keyholder.local', audience: 'keyholder', publicKey: key.publicJwk },
      loadHandler: async () => async (event) => {
        events.push(event);
        return { statusCode: 200, body: '{}' };
      },
    });
  });

  afterAll(async () => {
    await gateway.stop();
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    new Promise<number>((resolve, reject) => {
      const url = new URL(gateway.url);
      httpRequest({ host: url.hostname, port: url.port, path, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
        .on('error', reject)
        .end();
    });

  it('keeps __proto__, constructor and toString as ordinary own query parameters', async () => {
    // Act
    const status = await get('/health?__proto__=a&constructor=b&toString=c&toString=d');

    // Assess
    expect(status).toBe(200);
    const query = events.at(-1)?.queryStringParameters ?? {};
    expect(Object.keys(query).sort()).toEqual(['__proto__', 'constructor', 'toString']);
    expect(Object.getOwnPropertyDescriptor(query, '__proto__')?.value).toBe('a');
    expect(query.constructor).toBe('b');
    expect(query.toString).toBe('c,d');
    expect(Object.getPrototypeOf(query)).toBe(Object.prototype);
  });

  it('joins a repeated header named like a prototype member without reading the prototype', async () => {
    // Act
    const status = await get(
      '/health',
      Object.fromEntries([
        ['constructor', 'x'],
        ['__proto__', 'y'],
      ]),
    );

    // Assess
    expect(status).toBe(200);
    const headers = events.at(-1)?.headers ?? {};
    expect(headers.constructor).toBe('x');
    expect(Object.getOwnPropertyDescriptor(headers, '__proto__')?.value).toBe('y');
  });
});
