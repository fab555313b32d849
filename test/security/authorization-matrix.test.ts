// Every route x every role in one table: the status each caller gets, asserted through the local stack. Refusals
// and reads change nothing (both tables compared); each write expected to succeed runs on a request of its own.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../lambdas/routes.ts';
import { DEFAULT_SEED_FILE } from '../../local/stack.ts';
import { startTestStack, type TestStack, waitFor } from '../support/local-stack.ts';
import {
  quietSnapshot,
  type RawAnswer,
  type RawClient,
  type RawRequest,
  rawClient,
  snapshotTables,
  type TableSnapshot,
  tableChanges,
} from '../support/security.ts';

const JUSTIFICATION = 'Investigating a data quality incident in the admissions feed';

/** The roles, and who plays each. `sameOrgApprover` is a Northwind director, seeded here: the requester's own org. */
const ROLE_PRINCIPALS = {
  requester: 'ext-kim',
  otherRequester: 'ext-gus',
  approver: 'dir-ada',
  sameOrgApprover: 'dir-nia',
  nonDirector: 'mgr-dan',
  accessAdmin: 'adm-eve',
  auditor: 'aud-fay',
  anonymous: undefined,
} as const;
/** `scimClient`: no JWT, the local SCIM provisioning client's bearer secret (stack.scim.token). */
type Role = keyof typeof ROLE_PRINCIPALS | 'scimClient';
const ROLES = [...Object.keys(ROLE_PRINCIPALS), 'scimClient'] as Role[];

/** What a route acts on: a pending or an active request of the requester, an approval link, an open policy
 * proposal of the access-admin's, or nothing. */
type Target = 'none' | 'pending' | 'active' | 'link' | 'proposal';

interface Row {
  readonly target: Target;
  readonly request: (ids: { id: string; token: string }) => RawRequest;
  readonly expected: Readonly<Record<Role, number>>;
}

const json = (method: string, url: string, body: unknown): RawRequest => ({
  method,
  path: url,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const get = (url: string): RawRequest => ({ method: 'GET', path: url });
const yesterday = encodeURIComponent(new Date(Date.now() - 86_400_000).toISOString());

//                        requester otherReq approver sameOrg nonDir admin auditor anon scimClient
const row = (...statuses: [number, number, number, number, number, number, number, number, number]) =>
  Object.fromEntries(ROLES.map((role, index) => [role, statuses[index]])) as Record<Role, number>;

/**
 * THE MATRIX. Notes on the less obvious cells:
 * - 404 rather than 403 where the caller may not even see the request (it is not said to exist).
 * - sameOrgApprover is a director, but of Northwind, not the home organisation: no approver, no director views.
 * - auditor holds BPSS clearance only, so cannot ask for an identifiable dataset (403 CLEARANCE_INSUFFICIENT).
 * - The link pages and Slack take no JWT: a link is a bearer credential bound to the approver it was mailed to
 *   (whoever posts dir-ada's link decides as dir-ada, see tokens-and-signatures.test.ts); Slack requires its
 *   own signature, so a JWT alone gets 401 there. Review links need a review round: an unknown one is 404 to all.
 * - scimClient presents the SCIM bearer secret, which is no JWT: the authorizer refuses it on every JWT route.
 * - SCIM (/scim/v2) takes only that secret: every JWT, and no credential, is 401. The SCIM client reads the
 *   discovery documents, lists and a seeded principal as a User; its writes name Users and Groups that do not
 *   exist (404, nothing written), except the two creations, which run on their own as the other writes do.
 */
const MATRIX: Readonly<Record<string, Row>> = {
  'POST /requests': {
    target: 'none',
    request: () =>
      json('POST', '/requests', {
        scopes: ['dataset:hes-apc'],
        justification: JUSTIFICATION,
        duration: 'PT1H',
      }),
    expected: row(201, 201, 201, 201, 201, 201, 403, 401, 401),
  },
  'GET /requests': {
    target: 'none',
    request: () => get('/requests'),
    expected: row(200, 200, 200, 200, 200, 200, 200, 401, 401),
  },
  'GET /requests/{id}': {
    target: 'pending',
    request: ({ id }) => get(`/requests/${id}`),
    expected: row(200, 404, 200, 404, 404, 200, 200, 401, 401),
  },
  'POST /requests/{id}/decisions': {
    target: 'pending',
    request: ({ id }) => json('POST', `/requests/${id}/decisions`, { decision: 'approve' }),
    expected: row(403, 403, 200, 403, 403, 403, 403, 401, 401),
  },
  'POST /requests/{id}/cancel': {
    target: 'pending',
    request: ({ id }) => ({ method: 'POST', path: `/requests/${id}/cancel` }),
    expected: row(200, 404, 403, 404, 404, 403, 403, 401, 401),
  },
  'POST /requests/{id}/revoke': {
    target: 'active',
    request: ({ id }) => json('POST', `/requests/${id}/revoke`, { reason: 'Matrix: no longer needed' }),
    expected: row(200, 404, 200, 404, 404, 200, 403, 401, 401),
  },
  'POST /requests/{id}/extend': {
    target: 'active',
    request: ({ id }) =>
      json('POST', `/requests/${id}/extend`, { duration: 'PT1H', justification: JUSTIFICATION }),
    expected: row(200, 404, 403, 404, 404, 403, 403, 401, 401),
  },
  'GET /access': {
    target: 'none',
    request: () => get('/access'),
    expected: row(403, 403, 200, 403, 403, 200, 200, 401, 401),
  },
  'GET /access.csv': {
    target: 'none',
    request: () => get('/access.csv'),
    expected: row(403, 403, 200, 403, 403, 200, 200, 401, 401),
  },
  'GET /audit.csv': {
    target: 'none',
    request: () => get(`/audit.csv?from=${yesterday}`),
    expected: row(403, 403, 403, 403, 403, 200, 200, 401, 401),
  },
  'GET /audit/verify': {
    target: 'none',
    request: () => get('/audit/verify'),
    expected: row(403, 403, 403, 403, 403, 200, 200, 401, 401),
  },
  'GET /transparency': {
    target: 'none',
    request: () => get('/transparency?format=json'),
    expected: row(200, 200, 200, 200, 200, 200, 200, 200, 200),
  },
  'GET /datasets': {
    target: 'none',
    request: () => get('/datasets'),
    expected: row(200, 200, 200, 200, 200, 200, 200, 401, 401),
  },
  'GET /audit': {
    target: 'pending',
    request: ({ id }) => get(`/audit?requestId=${id}`),
    expected: row(403, 403, 403, 403, 403, 200, 200, 401, 401),
  },
  'GET /principals': {
    target: 'none',
    request: () => get('/principals'),
    expected: row(403, 403, 403, 403, 403, 200, 200, 401, 401),
  },
  'GET /approve/{token}': {
    target: 'link',
    request: ({ token }) => get(`/approve/${token}`),
    expected: row(200, 200, 200, 200, 200, 200, 200, 200, 200),
  },
  'POST /approve/{token}': {
    target: 'link',
    request: ({ token }) => ({
      method: 'POST',
      path: `/approve/${token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'decision=approve',
    }),
    expected: row(200, 200, 200, 200, 200, 200, 200, 200, 200),
  },
  'POST /slack/interactions': {
    target: 'pending',
    request: ({ id }) => ({
      method: 'POST',
      path: '/slack/interactions',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        payload: JSON.stringify({
          type: 'block_actions',
          user: { id: 'U0DIRADA' },
          trigger_id: 't',
          container: { channel_id: 'D1', message_ts: '1.1' },
          actions: [{ action_id: 'approve', value: id }],
        }),
      }).toString(),
    }),
    expected: row(401, 401, 401, 401, 401, 401, 401, 401, 401),
  },
  'PATCH /principals/{id}': {
    target: 'none',
    request: () => json('PATCH', '/principals/ext-hal', { slackUserId: 'U0EXTHAL' }),
    expected: row(403, 403, 403, 403, 403, 200, 403, 401, 401),
  },
  'PATCH /datasets/{id}': {
    target: 'none',
    request: () => json('PATCH', '/datasets/ae-attendances', { maxConcurrentHolders: 40 }),
    expected: row(403, 403, 403, 403, 403, 200, 403, 401, 401),
  },
  'GET /review/{token}': {
    target: 'none',
    request: () => get(`/review/${'A'.repeat(43)}`),
    expected: row(404, 404, 404, 404, 404, 404, 404, 404, 404),
  },
  'POST /review/{token}': {
    target: 'none',
    request: () => ({
      method: 'POST',
      path: `/review/${'A'.repeat(43)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'decision=keep',
    }),
    expected: row(404, 404, 404, 404, 404, 404, 404, 404, 404),
  },
  'GET /me': {
    target: 'none',
    request: () => get('/me'),
    expected: row(200, 200, 200, 200, 200, 200, 200, 401, 401),
  },
  'GET /inbox': {
    target: 'none',
    request: () => get('/inbox'),
    expected: row(403, 403, 200, 403, 403, 403, 403, 401, 401),
  },
  'GET /requests/{id}/timeline': {
    target: 'pending',
    request: ({ id }) => get(`/requests/${id}/timeline`),
    expected: row(200, 404, 200, 404, 404, 200, 200, 401, 401),
  },
  // No review round is open on the active request: an eligible director gets 409 NO_REVIEW_OPEN; those who may
  // see it but never review it 403 (the holder SELF_APPROVAL), the rest 404.
  'POST /requests/{id}/reviews': {
    target: 'active',
    request: ({ id }) => json('POST', `/requests/${id}/reviews`, { decision: 'keep' }),
    expected: row(403, 404, 409, 404, 404, 403, 403, 401, 401),
  },
  // The active request is not break-glass: an eligible director gets 409 NOT_BREAK_GLASS; those who may see it
  // but never review it 403 (the holder SELF_REVIEW), the rest 404.
  'POST /requests/{id}/break-glass-reviews': {
    target: 'active',
    request: ({ id }) =>
      json('POST', `/requests/${id}/break-glass-reviews`, {
        verdict: 'justified',
        comment: 'The feed was down',
      }),
    expected: row(403, 404, 409, 404, 404, 403, 403, 401, 401),
  },
  'POST /principals/{id}/preview': {
    target: 'none',
    request: () => json('POST', '/principals/ext-hal/preview', { active: false }),
    expected: row(403, 403, 403, 403, 403, 200, 403, 401, 401),
  },
  'GET /access/timeline': {
    target: 'none',
    request: () => get('/access/timeline'),
    expected: row(403, 403, 200, 403, 403, 200, 200, 401, 401),
  },
  // The rules are not secret: every signed-in principal reads them. Only access-admins propose; proposals are read
  // and decided by access-admins and home directors, never by their proposer (adm-eve here: SELF_APPROVAL).
  'GET /policy': {
    target: 'none',
    request: () => get(`/policy?at=${yesterday}`),
    expected: row(200, 200, 200, 200, 200, 200, 200, 401, 401),
  },
  'GET /policy/versions': {
    target: 'none',
    request: () => get('/policy/versions'),
    expected: row(200, 200, 200, 200, 200, 200, 200, 401, 401),
  },
  'GET /policy/proposals': {
    target: 'none',
    request: () => get('/policy/proposals'),
    expected: row(403, 403, 200, 403, 403, 200, 403, 401, 401),
  },
  'POST /policy/proposals': {
    target: 'none',
    request: () =>
      json('POST', '/policy/proposals', { changes: { expiryReminderLead: 'PT3H' }, reason: 'Matrix' }),
    expected: row(403, 403, 403, 403, 403, 201, 403, 401, 401),
  },
  'POST /policy/proposals/{id}/decisions': {
    target: 'proposal',
    request: ({ id }) => json('POST', `/policy/proposals/${id}/decisions`, { decision: 'approve' }),
    expected: row(403, 403, 200, 403, 403, 403, 403, 401, 401),
  },
  'GET /health': {
    target: 'none',
    request: () => get('/health'),
    expected: row(200, 200, 200, 200, 200, 200, 200, 200, 200),
  },
  'GET /openapi.json': {
    target: 'none',
    request: () => get('/openapi.json'),
    expected: row(200, 200, 200, 200, 200, 200, 200, 200, 200),
  },
  'GET /auth/config': {
    target: 'none',
    request: () => get('/auth/config'),
    expected: row(200, 200, 200, 200, 200, 200, 200, 200, 200),
  },
  ...scimRows(),
};

/** The SCIM routes: 401 for every JWT and for no credential; the SCIM client's answer is the last column. */
function scimRows(): Record<string, Row> {
  const scimJson = (method: string, url: string, body: unknown): RawRequest => ({
    method,
    path: url,
    headers: { 'content-type': 'application/scim+json' },
    body: JSON.stringify(body),
  });
  const user = (userName: string) => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName,
    displayName: 'Matrix SCIM User',
    emails: [{ value: `${userName}@nhse.example`, type: 'work', primary: true }],
  });
  const patch = {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
  };
  const group = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Matrix Group' };
  const refused = (scimClient: number) => row(401, 401, 401, 401, 401, 401, 401, 401, scimClient);
  const entry = (request: Row['request'], scimClient: number): Row => ({
    target: 'none',
    request,
    expected: refused(scimClient),
  });
  const missing = '00000000-0000-4000-8000-000000000000';
  return {
    'GET /scim/v2/ServiceProviderConfig': entry(() => get('/scim/v2/ServiceProviderConfig'), 200),
    'GET /scim/v2/ResourceTypes': entry(() => get('/scim/v2/ResourceTypes'), 200),
    'GET /scim/v2/Schemas': entry(() => get('/scim/v2/Schemas'), 200),
    'GET /scim/v2/Users': entry(
      () => get(`/scim/v2/Users?filter=${encodeURIComponent('userName eq "ext-hal"')}`),
      200,
    ),
    'POST /scim/v2/Users': entry(() => scimJson('POST', '/scim/v2/Users', user('scim-matrix')), 201),
    'GET /scim/v2/Users/{id}': entry(() => get('/scim/v2/Users/ext-hal'), 200),
    'PUT /scim/v2/Users/{id}': entry(
      () => scimJson('PUT', '/scim/v2/Users/nobody-scim', user('nobody-scim')),
      404,
    ),
    'PATCH /scim/v2/Users/{id}': entry(() => scimJson('PATCH', '/scim/v2/Users/nobody-scim', patch), 404),
    'DELETE /scim/v2/Users/{id}': entry(
      () => ({ method: 'DELETE', path: '/scim/v2/Users/nobody-scim' }),
      404,
    ),
    'GET /scim/v2/Groups': entry(() => get('/scim/v2/Groups'), 200),
    'POST /scim/v2/Groups': entry(() => scimJson('POST', '/scim/v2/Groups', group), 201),
    'GET /scim/v2/Groups/{id}': entry(() => get(`/scim/v2/Groups/${missing}`), 404),
    'PUT /scim/v2/Groups/{id}': entry(() => scimJson('PUT', `/scim/v2/Groups/${missing}`, group), 404),
    'PATCH /scim/v2/Groups/{id}': entry(() => scimJson('PATCH', `/scim/v2/Groups/${missing}`, patch), 404),
    'DELETE /scim/v2/Groups/{id}': entry(
      () => ({ method: 'DELETE', path: `/scim/v2/Groups/${missing}` }),
      404,
    ),
  };
}

interface Cell {
  readonly route: string;
  readonly role: Role;
  readonly expected: number;
}

const CELLS: Cell[] = Object.entries(MATRIX).flatMap(([route, entry]) =>
  ROLES.map((role) => ({ route, role, expected: entry.expected[role] })),
);
/** Writes expected to succeed change state by design: each gets a request of its own and runs after the rest. */
const changes = (cell: Cell) => !cell.route.startsWith('GET ') && cell.expected < 300;

function seedWithSameOrganisationDirector(): string {
  const seed = JSON.parse(readFileSync(DEFAULT_SEED_FILE, 'utf8')) as { principals: unknown[] };
  seed.principals.push({
    id: 'dir-nia',
    name: 'Nia Northwind Director',
    email: 'dir-nia@northwind.example',
    organisation: 'Northwind',
    grade: 'director',
    roles: [],
    active: true,
    clearance: { level: 'SC', expiresAt: '2029-12-31T00:00:00.000Z' },
  });
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'keyholder-matrix-seed-')), 'seed.json');
  writeFileSync(file, JSON.stringify(seed));
  return file;
}

describe('authorization matrix: every route x every role', () => {
  let stack: TestStack;
  let client: RawClient;
  let tokens: Map<string, string>;

  const submit = async () => {
    const created = await stack.call('POST', '/requests', {
      as: ROLE_PRINCIPALS.requester,
      body: { scopes: ['dataset:hes-apc'], justification: JUSTIFICATION, duration: 'PT1H' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    const link = await waitFor(() => stack.approvalLinks('dir-ada', id)[0], 'approval email');
    return { id, token: link.slice(link.lastIndexOf('/') + 1) };
  };
  const activate = async () => {
    const { id, token } = await submit();
    // exd-cleo approves, so dir-ada stays an approver who has not decided (and may still revoke)
    await stack.call('POST', `/requests/${id}/decisions`, { as: 'exd-cleo', body: { decision: 'approve' } });
    await stack.waitForStatus(id, 'ACTIVE');
    return { id, token };
  };
  const propose = async () => {
    const proposed = await stack.call('POST', '/policy/proposals', {
      as: ROLE_PRINCIPALS.accessAdmin,
      body: { changes: { expiryReminderLead: 'PT2H' }, reason: 'Matrix: remind holders earlier' },
    });
    expect(proposed.status, JSON.stringify(proposed.body)).toBe(201);
    return { id: proposed.body.id as string, token: '' };
  };
  const fixtureFor = (target: Target) =>
    target === 'active'
      ? activate()
      : target === 'proposal'
        ? propose()
        : target === 'none'
          ? undefined
          : submit();

  const send = (cell: Cell, ids: { id: string; token: string }): Promise<RawAnswer> => {
    const request = MATRIX[cell.route]?.request(ids) as RawRequest;
    const principal = cell.role === 'scimClient' ? undefined : ROLE_PRINCIPALS[cell.role];
    const bearer = cell.role === 'scimClient' ? stack.scim.token : principal && tokens.get(principal);
    const headers = { ...request.headers, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) };
    return client.send({ ...request, headers });
  };

  beforeAll(async () => {
    stack = await startTestStack({ sweepIntervalMs: 0, seedFile: seedWithSameOrganisationDirector() });
    client = rawClient(stack.url, 8);
    tokens = new Map();
    for (const principal of Object.values(ROLE_PRINCIPALS)) {
      if (principal) tokens.set(principal, await stack.tokenFor(principal));
    }
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await stack?.stop();
  });

  it('has a row for every route, with a status for every role', () => {
    expect(Object.keys(MATRIX).sort()).toEqual(ROUTES.map((route) => `${route.method} ${route.path}`).sort());
    for (const entry of Object.values(MATRIX))
      expect(Object.keys(entry.expected).sort()).toEqual([...ROLES].sort());
    expect(CELLS).toHaveLength(ROUTES.length * ROLES.length);
  });

  it('gives every caller the status in the table, and the refusals and reads change nothing', async () => {
    // Prepare: requests for every cell at once; the cells that must change nothing share one of each kind
    const quiet = CELLS.filter((cell) => !changes(cell));
    const writes = CELLS.filter(changes);
    const [shared, fixtures] = await Promise.all([
      Promise.all([submit(), activate(), propose()]).then(([pending, active, proposal]) => ({
        pending,
        active,
        proposal,
      })),
      Promise.all(writes.map((cell) => fixtureFor(MATRIX[cell.route]?.target ?? 'none'))),
    ]);
    const before: TableSnapshot = await quietSnapshot(stack);

    // Act: every read and every refusal
    const quietAnswers = await Promise.all(
      quiet.map(async (cell) => {
        const target = MATRIX[cell.route]?.target ?? 'none';
        const ids =
          target === 'active' ? shared.active : target === 'proposal' ? shared.proposal : shared.pending;
        return { cell, answer: await send(cell, ids) };
      }),
    );
    const after = await snapshotTables(stack);
    // Act: then each write the table allows, on its own request
    const writeAnswers = await Promise.all(
      writes.map(async (cell, index) => ({
        cell,
        answer: await send(cell, fixtures[index] ?? { id: '', token: '' }),
      })),
    );

    // Assess
    const wrong = [...quietAnswers, ...writeAnswers]
      .filter(({ cell, answer }) => answer.status !== cell.expected)
      .map(
        ({ cell, answer }) =>
          `${cell.route} as ${cell.role}: ${answer.status}, expected ${cell.expected} ${answer.text.slice(0, 160)}`,
      );
    expect(wrong).toEqual([]);
    expect(tableChanges(before, after)).toEqual({});
    // Whoever posts dir-ada's link, the approval is dir-ada's
    for (const [index, cell] of writes.entries()) {
      if (cell.route !== 'POST /approve/{token}') continue;
      const decided = await stack.call('GET', `/requests/${fixtures[index]?.id}`, { as: 'adm-eve' });
      expect(decided.body.approvals, cell.role).toEqual([expect.objectContaining({ approverId: 'dir-ada' })]);
    }
    console.log(
      `authorization matrix: ${Object.keys(MATRIX).length} routes x ${ROLES.length} roles = ${CELLS.length} cells (${writes.length} writes on their own requests)`,
    );
  }, 120_000);
});
