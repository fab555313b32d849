// SCIM 2.0 on the local stack, as `npm start` runs it: the gateway's /scim/v2 with the bearer secret the stack
// made up (stack.scim), a User provisioned, looked up by filter and deactivated the way Entra ID does it, the
// principal seen inactive through the API; a wrong secret answers 401 in the SCIM error shape.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/local-stack.ts';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

describe('SCIM provisioning through the local gateway', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ sweepIntervalMs: 0 });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  const scim = (method: string, path: string, body?: unknown, token = stack.scim.token) =>
    stack.call(method, `/scim/v2${path}`, {
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
      },
      ...(body === undefined ? {} : { body }),
    });

  it('exposes the SCIM base URL and a client secret of at least 32 characters', () => {
    // Assess
    expect(stack.scim.url).toBe(`${stack.url}/scim/v2`);
    expect(stack.scim.token.length).toBeGreaterThanOrEqual(32);
  });

  it('creates a User, finds it by userName, and an Entra-style PATCH active "False" deactivates the principal', async () => {
    // Prepare
    const userName = 'scim-local-rae';

    // Act
    const created = await scim('POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName,
      displayName: 'Rae Provisioned',
      emails: [{ value: 'rae@nhse.example', type: 'work', primary: true }],
      active: true,
    });
    const found = await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
    const patched = await scim('PATCH', `/Users/${created.body.id}`, {
      schemas: [PATCH_SCHEMA],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    const directory = await stack.call('GET', '/principals', { as: 'adm-eve' });

    // Assess
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(created.body).toMatchObject({ id: userName, userName, active: true });
    expect(found.status, JSON.stringify(found.body)).toBe(200);
    expect(found.body).toMatchObject({ totalResults: 1, Resources: [{ id: userName, userName }] });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.active).toBe(false);
    expect(directory.status, JSON.stringify(directory.body)).toBe(200);
    const principal = (directory.body.principals as Array<{ id: string; active: boolean }>).find(
      (p) => p.id === userName,
    );
    expect(principal).toMatchObject({ id: userName, active: false, name: 'Rae Provisioned' });
  });

  it('answers a wrong secret, and a JWT, with 401 in the SCIM error shape', async () => {
    // Act
    const wrong = await scim('GET', '/Users', undefined, 'f'.repeat(64));
    const jwt = await scim('GET', '/Users', undefined, await stack.tokenFor('adm-eve'));

    // Assess
    for (const answer of [wrong, jwt]) {
      expect(answer.status).toBe(401);
      expect(answer.headers.get('content-type')).toMatch(/^application\/scim\+json/);
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(answer.body).toEqual({ schemas: [ERROR_SCHEMA], status: '401', detail: expect.any(String) });
    }
  });
});
