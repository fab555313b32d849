// Replays the request sequences Entra ID's and Okta's provisioning services send against the SCIM handler, on the
// real DynamoDB adapters: every answer as those clients expect it, and the directory and audit trail after.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditStreamOfPrincipal } from '../../lambdas/adapters/dynamodb/schema.ts';
import { DynamoDbScimGroups } from '../../lambdas/adapters/dynamodb/scim-groups.ts';
import { DEFAULT_GROUP_ROLES } from '../../lambdas/core/scim/user.ts';
import { handler, useScimContext } from '../../lambdas/handlers/http/scim.ts';
import type { ScimContext } from '../../lambdas/use-cases/scim.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';
import { NOW, people } from '../support/fixtures.ts';
import { activeGrant, type SweepWorld, sweepWorld } from '../support/sweep-world.ts';

const ENTRA = 'entra-secret-0123456789abcdef0123456789';
const ENTRA_NEXT = 'entra-secret-rotated-0123456789abcdef01';
const OKTA = 'okta-secret-0123456789abcdef0123456789ab';
process.env.KEYHOLDER_SCIM_TOKENS = `entra:${ENTRA},entra:${ENTRA_NEXT},okta:${OKTA}`;

const KH = 'urn:ietf:params:scim:schemas:extension:keyholder:2.0:User';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let tables: TestTables;
let world: SweepWorld;
let ctx: ScimContext;

interface Answer {
  status: number;
  body: any;
  headers: Record<string, string>;
}

async function scim(
  method: string,
  route: string,
  options: {
    path?: string;
    body?: unknown;
    query?: Record<string, string>;
    token?: string;
    id?: string;
  } = {},
): Promise<Answer> {
  const event = {
    version: '2.0',
    routeKey: `${method} /scim/v2${route}`,
    rawPath: `/scim/v2${options.path ?? route}`,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: {
      authorization: `Bearer ${options.token ?? ENTRA}`,
      ...(options.body === undefined ? {} : { 'content-type': 'application/scim+json' }),
    },
    queryStringParameters: options.query,
    pathParameters: options.id === undefined ? undefined : { id: options.id },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    isBase64Encoded: false,
    requestContext: { http: { method, path: route }, requestId: 'test', routeKey: `${method} ${route}` },
  };
  const result = (await handler(event as never, { functionName: 'scim', awsRequestId: 'test' } as never)) as {
    statusCode: number;
    body: string;
    headers: Record<string, string>;
  };
  expect(result.headers['content-type']).toContain('application/scim+json');
  return {
    status: result.statusCode,
    body: result.body ? JSON.parse(result.body) : undefined,
    headers: result.headers,
  };
}

const events = async (principalId: string) =>
  await world.deps.store.readAuditStream(auditStreamOfPrincipal(principalId));

beforeAll(async () => {
  tables = await createTestTables();
  world = await sweepWorld(tables, { now: NOW });
  ctx = {
    deps: world.deps,
    groups: new DynamoDbScimGroups(tables.documentClient, tables),
    idAttribute: 'userName',
    groupRoles: DEFAULT_GROUP_ROLES,
    baseUrl: 'https://keyholder.test/scim/v2',
  };
  useScimContext(ctx);
}, 60_000);
afterAll(async () => {
  useScimContext(undefined);
  await tables?.cleanup();
});

describe('Entra ID provisioning', () => {
  const kim = {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENT, KH],
    externalId: '9f5b0c1e-1111-4a4a-9a9a-000000000001',
    userName: 'kim@contractor.example',
    active: true,
    displayName: 'Kim Contractor',
    emails: [{ primary: true, type: 'work', value: 'kim@contractor.example' }],
    name: { givenName: 'Kim', familyName: 'Contractor', formatted: 'Kim Contractor' },
    [ENT]: { organization: 'VendorCo', employeeNumber: 'E123' },
    [KH]: { grade: 'contractor', clearanceLevel: 'SC', clearanceExpiresAt: '2029-01-01T00:00:00Z' },
  };
  let groupId = '';

  it('looks the user up by filter (none yet), creates, gets, and refuses a replayed create', async () => {
    const lookup = await scim('GET', '/Users', { query: { filter: 'userName eq "kim@contractor.example"' } });
    expect(lookup).toMatchObject({ status: 200, body: { totalResults: 0, Resources: [] } });

    const created = await scim('POST', '/Users', { body: kim });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: 'kim@contractor.example',
      userName: kim.userName,
      active: true,
    });
    expect(created.body.meta).toMatchObject({ resourceType: 'User', version: 'W/"1"' });
    expect(created.headers.location).toBe('https://keyholder.test/scim/v2/Users/kim%40contractor.example');

    const got = await scim('GET', '/Users/{id}', { id: 'kim@contractor.example' });
    expect(got.body[KH]).toMatchObject({ clearanceLevel: 'SC', grade: 'contractor' });

    const replay = await scim('POST', '/Users', { body: kim });
    expect(replay.status).toBe(409);
    expect(replay.body).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '409',
      scimType: 'uniqueness',
    });
    const principal = await world.deps.directory.getPrincipal('kim@contractor.example');
    expect(principal).toMatchObject({
      organisation: 'VendorCo',
      grade: 'contractor',
      name: 'Kim Contractor',
    });
    expect(principal?.clearance).toEqual({ level: 'SC', expiresAt: '2029-01-01T00:00:00.000Z' });
    const trail = await events('kim@contractor.example');
    expect(trail.map((event) => event.action)).toEqual(['PRINCIPAL_CREATED']);
    expect(trail[0]?.actor).toEqual({ type: 'system', id: 'scim:entra' });
  });

  it('finds the user by externalId and by id with and, and pages', async () => {
    const both = await scim('GET', '/Users', {
      query: { filter: `externalId eq "${kim.externalId}" and userName eq "kim@contractor.example"` },
    });
    expect(both.body.totalResults).toBe(1);
    const byId = await scim('GET', '/Users', { query: { filter: 'id eq "kim@contractor.example"' } });
    expect(byId.body.Resources[0].id).toBe('kim@contractor.example');
    const page = await scim('GET', '/Users', { query: { startIndex: '2', count: '3' } });
    expect(page.body).toMatchObject({ startIndex: 2, itemsPerPage: 3 });
    expect(page.body.totalResults).toBeGreaterThan(3);
  });

  it('updates by PATCH with capitalised ops and value-filter paths; the same PATCH twice writes one event', async () => {
    const patch = {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'Replace', path: 'displayName', value: 'Kim C. Contractor' },
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'kim.c@contractor.example' },
        { op: 'Add', path: `${ENT}:employeeNumber`, value: 'E124' },
        { op: 'Replace', value: { [`${KH}:grade`]: 'consultant' } },
      ],
    };
    const first = await scim('PATCH', '/Users/{id}', { id: 'kim@contractor.example', body: patch });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      displayName: 'Kim C. Contractor',
      emails: [{ value: 'kim.c@contractor.example' }],
    });
    const again = await scim('PATCH', '/Users/{id}', {
      id: 'kim@contractor.example',
      body: patch,
      token: ENTRA_NEXT,
    });
    expect(again.status).toBe(200);
    const principal = await world.deps.directory.getPrincipal('kim@contractor.example');
    expect(principal).toMatchObject({ email: 'kim.c@contractor.example', grade: 'consultant' });
    expect((await events('kim@contractor.example')).map((event) => event.action)).toEqual([
      'PRINCIPAL_CREATED',
      'PRINCIPAL_UPDATED',
    ]);
    const stale = await scim('PATCH', '/Users/{id}', {
      id: 'kim@contractor.example',
      body: { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'title', value: 'x' }] },
    });
    expect(stale.status).toBe(200);
  });

  it('creates a role group, adds and removes a member by PATCH: the role follows', async () => {
    const group = await scim('POST', '/Groups', {
      body: {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: 'Keyholder Auditors',
        members: [],
      },
    });
    expect(group.status).toBe(201);
    groupId = group.body.id;
    const found = await scim('GET', '/Groups', { query: { filter: 'displayName eq "Keyholder Auditors"' } });
    expect(found.body.totalResults).toBe(1);
    const add = await scim('PATCH', '/Groups/{id}', {
      id: groupId,
      body: {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Add', path: 'members', value: [{ value: 'kim@contractor.example' }] }],
      },
    });
    expect(add.status).toBe(200);
    expect((await world.deps.directory.getPrincipal('kim@contractor.example'))?.roles).toEqual(['auditor']);
    const remove = await scim('PATCH', '/Groups/{id}', {
      id: groupId,
      body: {
        schemas: [PATCH_OP],
        Operations: [{ op: 'Remove', path: 'members', value: [{ value: 'kim@contractor.example' }] }],
      },
    });
    expect(remove.body.members).toEqual([]);
    expect((await world.deps.directory.getPrincipal('kim@contractor.example'))?.roles).toEqual([]);
    const unmapped = await scim('POST', '/Groups', {
      body: { displayName: 'Finance Team', members: [{ value: 'kim@contractor.example' }] },
    });
    expect(unmapped.status).toBe(201);
    expect((await world.deps.directory.getPrincipal('kim@contractor.example'))?.roles).toEqual([]);
  });

  it('disables with "False" (Entra): every grant revoked at once, PRINCIPAL_INACTIVE, actor scim:entra', async () => {
    const kimPrincipal = await world.deps.directory.getPrincipal('kim@contractor.example');
    if (!kimPrincipal) throw new Error('kim@contractor.example was not provisioned');
    const grant = await activeGrant(world.deps, {
      id: 'req-kim-1',
      requester: kimPrincipal,
      duration: 'P7D',
      grantedAt: NOW,
    });
    expect(grant.status).toBe('ACTIVE');
    const started = performance.now();
    const disable = await scim('PATCH', '/Users/{id}', {
      id: 'kim@contractor.example',
      body: { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] },
    });
    expect(disable.status).toBe(200);
    expect(disable.body.active).toBe(false);
    const after = await world.deps.store.getRequest('req-kim-1');
    console.log(
      `leaver (in-process): grant ended ${(performance.now() - started).toFixed(0)} ms after the PATCH began`,
    );
    expect(after).toMatchObject({ status: 'REVOKED', reason: 'PRINCIPAL_INACTIVE' });
    const revokedEvent = (await world.deps.store.readAuditStream('REQUEST#req-kim-1')).at(-1);
    expect(revokedEvent).toMatchObject({
      action: 'GRANT_REVOKED',
      actor: { type: 'system', id: 'scim:entra' },
    });
  });

  it('deletes (soft): 204, then GET 404, the principal kept inactive for the audit', async () => {
    const gone = await scim('DELETE', '/Users/{id}', { id: 'kim@contractor.example' });
    expect(gone.status).toBe(204);
    const get = await scim('GET', '/Users/{id}', { id: 'kim@contractor.example' });
    expect(get).toMatchObject({ status: 404, body: { status: '404' } });
    expect(await world.deps.directory.getPrincipal('kim@contractor.example')).toMatchObject({
      active: false,
    });
  });
});

describe('Okta provisioning', () => {
  const lee = {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: 'lee@nhse.example',
    name: { givenName: 'Lee', familyName: 'Staff' },
    emails: [{ primary: true, value: 'lee@nhse.example', type: 'work' }],
    displayName: 'Lee Staff',
    active: true,
    [KH]: { grade: 'director', clearanceLevel: 'SC', clearanceExpiresAt: '2029-06-01T00:00:00.000Z' },
  };

  it('looks up, creates, updates by PUT (twice: one event), deactivates with active:false', async () => {
    const lookup = await scim('GET', '/Users', {
      token: OKTA,
      query: { filter: 'userName eq "lee@nhse.example"', startIndex: '1', count: '100' },
    });
    expect(lookup.body.totalResults).toBe(0);
    const created = await scim('POST', '/Users', { token: OKTA, body: lee });
    expect(created.status).toBe(201);
    const put = { ...lee, id: 'lee@nhse.example', displayName: 'Lee Director' };
    expect(
      (await scim('PUT', '/Users/{id}', { token: OKTA, id: 'lee@nhse.example', body: put })).status,
    ).toBe(200);
    expect(
      (await scim('PUT', '/Users/{id}', { token: OKTA, id: 'lee@nhse.example', body: put })).status,
    ).toBe(200);
    const off = await scim('PUT', '/Users/{id}', {
      token: OKTA,
      id: 'lee@nhse.example',
      body: { ...put, active: false },
    });
    expect(off.body.active).toBe(false);
    const trail = await events('lee@nhse.example');
    expect(trail.map((event) => event.action)).toEqual([
      'PRINCIPAL_CREATED',
      'PRINCIPAL_UPDATED',
      'PRINCIPAL_UPDATED',
    ]);
    expect(new Set(trail.map((event) => event.actor.id))).toEqual(new Set(['scim:okta']));
    expect(await world.deps.directory.getPrincipal('lee@nhse.example')).toMatchObject({
      name: 'Lee Director',
      active: false,
      organisation: 'NHSE',
    });
  });

  it('refuses a wrong secret, a stale If-Match, a bad filter and a bad clearance in SCIM terms', async () => {
    expect((await scim('GET', '/Users', { token: 'nope' })).status).toBe(401);
    const stale = await scim('PUT', '/Users/{id}', { token: OKTA, id: 'lee@nhse.example', body: lee });
    expect(stale.status).toBe(200);
    const badFilter = await scim('GET', '/Users', { token: OKTA, query: { filter: 'userName eq' } });
    expect(badFilter.body).toMatchObject({ status: '400', scimType: 'invalidFilter' });
    const badLevel = await scim('POST', '/Users', {
      token: OKTA,
      body: { userName: 'x@y.example', [KH]: { clearanceLevel: 'TOP' } },
    });
    expect(badLevel.body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    const unknown = await scim('GET', '/Users', { token: OKTA, query: { sortBy: 'userName' } });
    expect(unknown.status).toBe(400);
    const discovery = await scim('GET', '/ServiceProviderConfig', { token: OKTA });
    expect(discovery.body.patch.supported).toBe(true);
    expect((await scim('GET', '/Schemas', { token: OKTA })).body.totalResults).toBe(4);
    expect(
      (await scim('GET', '/ResourceTypes', { token: OKTA })).body.Resources[0].schemaExtensions,
    ).toHaveLength(2);
    void people;
  });
});
