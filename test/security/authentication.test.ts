// Authentication end to end through the local stack: every broken, forged, stale or misdirected token and every
// subject that does not (or no longer) stand is refused with 401/403 on every JWT route, and nothing changes.
import { generateKeyPair, type JWTPayload, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../lambdas/routes.ts';
import { startTestStack, type TestStack, waitFor } from '../support/local-stack.ts';
import {
  apiErrorProblem,
  gatewayErrorProblem,
  quietSnapshot,
  type RawClient,
  type RawRequest,
  rawClient,
  runBounded,
  snapshotTables,
  type TableSnapshot,
  tableChanges,
} from '../support/security.ts';

const JUSTIFICATION = 'Investigating a data quality incident in the admissions feed';
const now = () => Math.floor(Date.now() / 1000);

interface TokenCase {
  readonly name: string;
  /** The Authorization header, or undefined for none. */
  readonly header: () => Promise<string | undefined>;
  /** 401 from the authorizer (API Gateway's shape), or the API's own 401/403 with this code. */
  readonly refusedBy: 'authorizer' | { status: 401 | 403; code: string };
}

describe('authentication on every JWT route', () => {
  let stack: TestStack;
  let client: RawClient;
  let pendingId: string;
  let activeId: string;
  let before: TableSnapshot;

  beforeAll(async () => {
    stack = await startTestStack({ sweepIntervalMs: 0 });
    client = rawClient(stack.url, 8);
    const submit = async (as: string) => {
      const created = await stack.call('POST', '/requests', {
        as,
        body: { scopes: ['dataset:hes-apc'], justification: JUSTIFICATION, duration: 'PT1H' },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      await waitFor(() => stack.approvalLinks('dir-ada', created.body.id)[0], 'approval email');
      return created.body.id as string;
    };
    pendingId = await submit('ext-kim');
    activeId = await submit('ext-lee');
    await stack.call('POST', `/requests/${activeId}/decisions`, {
      as: 'dir-ada',
      body: { decision: 'approve' },
    });
    await stack.waitForStatus(activeId, 'ACTIVE');
    // A director who no longer stands: deactivated through the API, as an access-admin would
    const deactivated = await stack.call('PATCH', '/principals/dir-ben', {
      as: 'adm-eve',
      body: { active: false },
    });
    expect(deactivated.status, JSON.stringify(deactivated.body)).toBe(200);
    before = await quietSnapshot(stack);
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await stack?.stop();
  });

  /** A token signed with the stack's own key, with these claims over sensible defaults (undefined drops one). */
  const signed = (claims: JWTPayload, header: Record<string, unknown> = {}) => {
    const payload = Object.fromEntries(
      Object.entries({
        sub: 'adm-eve',
        iss: stack.jwt.issuer,
        aud: stack.jwt.audience,
        iat: now(),
        exp: now() + 300,
        ...claims,
      }).filter(([, value]) => value !== undefined),
    );
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...header })
      .sign(stack.jwt.privateKey);
  };
  const bearer = async (token: Promise<string> | string) => `Bearer ${await token}`;

  const cases: TokenCase[] = [
    { name: 'no Authorization header', header: async () => undefined, refusedBy: 'authorizer' },
    { name: 'an empty Authorization header', header: async () => '', refusedBy: 'authorizer' },
    { name: 'Bearer with nothing after it', header: async () => 'Bearer ', refusedBy: 'authorizer' },
    { name: 'a garbled token', header: async () => 'Bearer not.a.jwt', refusedBy: 'authorizer' },
    {
      name: 'a valid token under another scheme (Basic)',
      header: async () => `Basic ${await stack.tokenFor('adm-eve')}`,
      refusedBy: 'authorizer',
    },
    {
      name: 'a valid token under another scheme (Token)',
      header: async () => `Token ${await stack.tokenFor('adm-eve')}`,
      refusedBy: 'authorizer',
    },
    {
      name: 'a valid token with its signature cut off',
      header: async () =>
        bearer((await stack.tokenFor('adm-eve')).split('.').slice(0, 2).join('.').concat('.')),
      refusedBy: 'authorizer',
    },
    {
      name: 'a valid token with one claim changed after signing (sub)',
      header: async () => {
        const [head, body, signature] = (await stack.tokenFor('ext-kim')).split('.');
        const claims = JSON.parse(Buffer.from(body ?? '', 'base64url').toString());
        const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'adm-eve' })).toString('base64url');
        return `Bearer ${head}.${forged}.${signature}`;
      },
      refusedBy: 'authorizer',
    },
    {
      name: 'alg none',
      header: () =>
        bearer(
          new UnsecuredJWT({ sub: 'adm-eve' })
            .setIssuer(stack.jwt.issuer)
            .setAudience(stack.jwt.audience)
            .setIssuedAt()
            .setExpirationTime('5m')
            .encode(),
        ),
      refusedBy: 'authorizer',
    },
    {
      name: 'a signature by another key',
      header: async () => {
        const other = await generateKeyPair('RS256');
        return bearer(
          new SignJWT({ sub: 'adm-eve' })
            .setProtectedHeader({ alg: 'RS256' })
            .setIssuer(stack.jwt.issuer)
            .setAudience(stack.jwt.audience)
            .setIssuedAt()
            .setExpirationTime('5m')
            .sign(other.privateKey),
        );
      },
      refusedBy: 'authorizer',
    },
    {
      name: 'another key announced in jku/jwk headers',
      header: async () => {
        const other = await generateKeyPair('RS256', { extractable: true });
        return bearer(
          new SignJWT({ sub: 'adm-eve' })
            .setProtectedHeader({ alg: 'RS256', jku: 'https://evil.example/jwks.json' })
            .setIssuer(stack.jwt.issuer)
            .setAudience(stack.jwt.audience)
            .setIssuedAt()
            .setExpirationTime('5m')
            .sign(other.privateKey),
        );
      },
      refusedBy: 'authorizer',
    },
    {
      name: 'HS256 (algorithm confusion, a shared secret)',
      header: () =>
        bearer(
          new SignJWT({ sub: 'adm-eve' })
            .setProtectedHeader({ alg: 'HS256' })
            .setIssuer(stack.jwt.issuer)
            .setAudience(stack.jwt.audience)
            .setIssuedAt()
            .setExpirationTime('5m')
            .sign(new TextEncoder().encode('keyholder-public-key-as-a-secret')),
        ),
      refusedBy: 'authorizer',
    },
    {
      name: 'a wrong issuer',
      header: () => bearer(signed({ iss: 'https://evil.example/' })),
      refusedBy: 'authorizer',
    },
    { name: 'no issuer', header: () => bearer(signed({ iss: undefined })), refusedBy: 'authorizer' },
    {
      name: 'a wrong audience',
      header: () => bearer(signed({ aud: 'someone-else' })),
      refusedBy: 'authorizer',
    },
    { name: 'no audience', header: () => bearer(signed({ aud: undefined })), refusedBy: 'authorizer' },
    {
      name: 'an expired token',
      header: () => bearer(signed({ iat: now() - 3600, exp: now() - 60 })),
      refusedBy: 'authorizer',
    },
    { name: 'no expiry', header: () => bearer(signed({ exp: undefined })), refusedBy: 'authorizer' },
    {
      name: 'not yet valid (nbf in the future)',
      header: () => bearer(signed({ nbf: now() + 600 })),
      refusedBy: 'authorizer',
    },
    {
      name: 'issued in the future (iat)',
      header: () => bearer(signed({ iat: now() + 600 })),
      refusedBy: 'authorizer',
    },
    {
      name: 'an unknown sub',
      header: async () => bearer(stack.tokenFor('nobody-here')),
      refusedBy: { status: 403, code: 'UNKNOWN_PRINCIPAL' },
    },
    {
      name: 'a sub differing only in case from a real one',
      header: async () => bearer(stack.tokenFor('ADM-EVE')),
      refusedBy: { status: 403, code: 'UNKNOWN_PRINCIPAL' },
    },
    {
      name: 'no sub',
      header: () => bearer(signed({ sub: undefined })),
      refusedBy: { status: 403, code: 'UNKNOWN_PRINCIPAL' },
    },
    {
      name: 'a deactivated sub (dir-ben, PATCHed active:false)',
      header: async () => bearer(stack.tokenFor('dir-ben')),
      refusedBy: { status: 403, code: 'PRINCIPAL_INACTIVE' },
    },
  ];

  /** A request each JWT route would carry out for a caller allowed to. */
  const requestFor = (key: string): RawRequest => {
    const json = (method: string, path: string, body: unknown): RawRequest => ({
      method,
      path,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const day = new Date(Date.now() - 86_400_000).toISOString();
    const requests: Record<string, RawRequest> = {
      'POST /requests': json('POST', '/requests', {
        scopes: ['dataset:gp-records'],
        justification: JUSTIFICATION,
        duration: 'PT1H',
      }),
      'GET /requests': { method: 'GET', path: '/requests' },
      'GET /requests/{id}': { method: 'GET', path: `/requests/${pendingId}` },
      'POST /requests/{id}/decisions': json('POST', `/requests/${pendingId}/decisions`, {
        decision: 'approve',
      }),
      'POST /requests/{id}/cancel': { method: 'POST', path: `/requests/${pendingId}/cancel` },
      'POST /requests/{id}/revoke': json('POST', `/requests/${activeId}/revoke`, {
        reason: 'Forged token test',
      }),
      'POST /requests/{id}/extend': json('POST', `/requests/${activeId}/extend`, {
        duration: 'PT1H',
        justification: JUSTIFICATION,
      }),
      'GET /access': { method: 'GET', path: '/access' },
      'GET /access.csv': { method: 'GET', path: '/access.csv' },
      'GET /audit.csv': { method: 'GET', path: `/audit.csv?from=${encodeURIComponent(day)}` },
      'GET /audit/verify': { method: 'GET', path: '/audit/verify' },
      'GET /datasets': { method: 'GET', path: '/datasets' },
      'PATCH /datasets/{id}': json('PATCH', '/datasets/hes-apc', { owners: [] }),
      'GET /audit': { method: 'GET', path: `/audit?requestId=${pendingId}` },
      'GET /principals': { method: 'GET', path: '/principals' },
      'PATCH /principals/{id}': json('PATCH', '/principals/ext-gus', { active: false }),
      'GET /me': { method: 'GET', path: '/me' },
      'GET /inbox': { method: 'GET', path: '/inbox' },
      'GET /requests/{id}/timeline': { method: 'GET', path: `/requests/${pendingId}/timeline` },
      'POST /requests/{id}/reviews': json('POST', `/requests/${activeId}/reviews`, { decision: 'keep' }),
      'POST /requests/{id}/break-glass-reviews': json('POST', `/requests/${activeId}/break-glass-reviews`, {
        verdict: 'justified',
        comment: 'The feed was down',
      }),
      'POST /principals/{id}/preview': json('POST', '/principals/ext-gus/preview', { active: false }),
      'GET /access/timeline': { method: 'GET', path: '/access/timeline' },
      'GET /policy': { method: 'GET', path: '/policy' },
      'GET /policy/versions': { method: 'GET', path: '/policy/versions' },
      'GET /policy/proposals': { method: 'GET', path: '/policy/proposals' },
      'POST /policy/proposals': json('POST', '/policy/proposals', {
        changes: { externalAdminCap: 1 },
        reason: 'Forged token test',
      }),
      'POST /policy/proposals/{id}/decisions': json('POST', '/policy/proposals/pol-none/decisions', {
        decision: 'approve',
      }),
    };
    const request = requests[key];
    if (!request) throw new Error(`no authenticated request for ${key}: add the route here`);
    return request;
  };

  const jwtRoutes = ROUTES.filter((route) => route.auth === 'jwt').map(
    (route) => `${route.method} ${route.path}`,
  );

  it('has a request for every JWT route', () => {
    expect(jwtRoutes.map((key) => requestFor(key).method)).toHaveLength(jwtRoutes.length);
  });

  it.each(cases.map((tokenCase) => [tokenCase.name, tokenCase] as const))(
    '%s: refused on every JWT route',
    async (_name, tokenCase) => {
      // Prepare
      const authorization = await tokenCase.header();

      // Act
      const answers = await runBounded(jwtRoutes, 8, async (key) => {
        const request = requestFor(key);
        const headers = { ...request.headers, ...(authorization === undefined ? {} : { authorization }) };
        return [key, await client.send({ ...request, headers })] as const;
      });

      // Assess
      const problems = answers.flatMap(([key, answer]) => {
        const { refusedBy } = tokenCase;
        const problem =
          refusedBy === 'authorizer'
            ? gatewayErrorProblem(answer, 401)
            : answer.status !== refusedBy.status
              ? `status ${answer.status}: ${answer.text.slice(0, 200)}`
              : (apiErrorProblem(answer) ??
                (JSON.parse(answer.text).error.code === refusedBy.code ? undefined : answer.text));
        return problem ? [`${key}: ${problem}`] : [];
      });
      expect(problems).toEqual([]);
    },
  );

  it('changed nothing in either table, and a valid token still reads', async () => {
    // Act
    const after = await snapshotTables(stack);
    const control = await stack.call('GET', `/requests/${pendingId}`, { as: 'adm-eve' });

    // Assess
    expect(tableChanges(before, after)).toEqual({});
    expect(control.status).toBe(200);
  });
});
