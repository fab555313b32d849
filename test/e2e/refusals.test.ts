// Every bad input and every refusal through HTTP: a clear 4xx naming the field or the reason, and no change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../support/local-stack.ts';

const justification = 'Investigating a data quality incident in the admissions feed';

describe('refusals on the local stack', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ policy: { minDuration: 'PT1S' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it.each([
    [{ scopes: ['dataset:nope'], justification, duration: 'PT1H' }, 'scopes'],
    [{ scopes: ['admin', 'dataset:hes-apc'], justification, duration: 'PT1H' }, 'scopes'],
    [{ scopes: [], justification, duration: 'PT1H' }, 'scopes'],
    [{ scopes: ['dataset:hes-apc'], justification: 'too short', duration: 'PT1H' }, 'justification'],
    [{ scopes: ['dataset:hes-apc'], justification, duration: '8 hours' }, 'duration'],
    [{ scopes: ['admin'], justification, duration: 'P8D' }, 'duration'],
    [{ scopes: ['dataset:hes-apc'], justification, duration: 'P91D' }, 'duration'],
    [{ scopes: ['dataset:hes-apc'], justification }, 'duration'],
    [{ scopes: 'admin', justification, duration: 'PT1H' }, 'scopes'],
    [{ scopes: ['dataset:hes-apc'], justification, duration: 'PT1H', requester: 'dir-ada' }, 'requester'],
  ])('POST /requests %j -> 400 naming %s', async (body, field) => {
    const answer = await stack.call('POST', '/requests', { as: 'ext-kim', body });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field });
    expect(answer.body.error.message).toEqual(expect.any(String));
  });

  it('refuses malformed JSON and wrong content types without side effects', async () => {
    const before = await stack.call('GET', '/requests', { as: 'ext-kim' });
    const broken = await stack.call('POST', '/requests', {
      as: 'ext-kim',
      body: '{"scopes":',
      headers: { 'content-type': 'application/json' },
    });
    expect(broken).toMatchObject({ status: 400, body: { error: { field: 'body' } } });
    const wrongType = await stack.call('POST', '/requests', {
      as: 'ext-kim',
      body: 'scopes=admin',
      headers: { 'content-type': 'text/plain' },
    });
    expect(wrongType).toMatchObject({
      status: 400,
      body: { error: { code: 'UNSUPPORTED_MEDIA_TYPE', field: 'content-type' } },
    });
    const after = await stack.call('GET', '/requests', { as: 'ext-kim' });
    expect(after.body.requests).toEqual(before.body.requests);
  });

  it('401 without a valid token, 403 UNKNOWN_PRINCIPAL for a valid token naming nobody in the directory', async () => {
    expect((await stack.call('GET', '/datasets')).status).toBe(401);
    expect(
      (await stack.call('GET', '/datasets', { headers: { authorization: 'Bearer not.a.jwt' } })).status,
    ).toBe(401);
    const unknown = await stack.call('GET', '/datasets', { as: 'nobody-here' });
    expect(unknown).toMatchObject({ status: 403, body: { error: { code: 'UNKNOWN_PRINCIPAL' } } });
    expect(unknown.body.error.message).toMatch(/ask an access-admin/);
  });

  it.each([
    ['ext-pat', 'CLEARANCE_MISSING'],
    ['ext-oli', 'CLEARANCE_EXPIRED'],
  ])('%s is refused with 403 %s', async (requester, code) => {
    const answer = await stack.call('POST', '/requests', {
      as: requester,
      body: { scopes: ['dataset:hes-apc'], justification, duration: 'PT1H' },
    });
    expect(answer).toMatchObject({ status: 403, body: { error: { code } } });
  });

  it('approver rules at decision time: self-approval, non-director, unknown request', async () => {
    const created = await stack.call('POST', '/requests', {
      as: 'dir-ada',
      body: { scopes: ['dataset:hes-apc'], justification, duration: 'PT1H' },
    });
    expect(created.status).toBe(201);
    const self = await stack.call('POST', `/requests/${created.body.id}/decisions`, {
      as: 'dir-ada',
      body: { decision: 'approve' },
    });
    expect(self).toMatchObject({ status: 403, body: { error: { code: 'SELF_APPROVAL' } } });
    const manager = await stack.call('POST', `/requests/${created.body.id}/decisions`, {
      as: 'mgr-dan',
      body: { decision: 'approve' },
    });
    expect(manager).toMatchObject({ status: 403, body: { error: { code: 'NOT_ELIGIBLE_APPROVER' } } });
    const external = await stack.call('POST', `/requests/${created.body.id}/decisions`, {
      as: 'ext-jon',
      body: { decision: 'approve' },
    });
    expect(external).toMatchObject({ status: 403, body: { error: { code: 'NOT_ELIGIBLE_APPROVER' } } });
    const badDecision = await stack.call('POST', `/requests/${created.body.id}/decisions`, {
      as: 'dir-ben',
      body: { decision: 'maybe' },
    });
    expect(badDecision).toMatchObject({ status: 400, body: { error: { field: 'decision' } } });
    const unknown = await stack.call('POST', '/requests/req-unknown/decisions', {
      as: 'dir-ben',
      body: { decision: 'approve' },
    });
    expect(unknown.status).toBe(404);
    const still = await stack.call('GET', `/requests/${created.body.id}`, { as: 'dir-ada' });
    expect(still.body).toMatchObject({ status: 'PENDING_APPROVAL', approvals: [] });
  });

  it('visibility: strangers get 404, approvers see pending requests they may decide', async () => {
    const created = await stack.call('POST', '/requests', {
      as: 'ext-ned',
      body: { scopes: ['dataset:gp-records'], justification, duration: 'PT1H' },
    });
    expect((await stack.call('GET', `/requests/${created.body.id}`, { as: 'ext-kim' })).status).toBe(404);
    expect((await stack.call('GET', `/requests/${created.body.id}`, { as: 'mgr-dan' })).status).toBe(404);
    expect((await stack.call('GET', `/requests/${created.body.id}`, { as: 'aud-fay' })).status).toBe(200);
    const pending = await stack.call('GET', '/requests?status=PENDING_APPROVAL', { as: 'dir-ben' });
    expect(pending.body.requests.map((request: { id: string }) => request.id)).toContain(created.body.id);
    const mine = await stack.call('GET', '/requests', { as: 'ext-kim' });
    expect(mine.body.requests.map((request: { id: string }) => request.id)).not.toContain(created.body.id);
    expect((await stack.call('GET', '/requests?status=NOPE', { as: 'ext-kim' })).body.error.field).toBe(
      'status',
    );
  });

  it('role-guarded reads: /access, /audit, /principals', async () => {
    expect((await stack.call('GET', '/access', { as: 'ext-kim' })).status).toBe(403);
    expect((await stack.call('GET', '/access', { as: 'mgr-dan' })).status).toBe(403);
    expect((await stack.call('GET', '/access', { as: 'dir-ben' })).status).toBe(200);
    expect((await stack.call('GET', '/principals', { as: 'dir-ben' })).status).toBe(403);
    const principals = await stack.call('GET', '/principals', { as: 'adm-eve' });
    expect(principals.body.principals).toHaveLength(stack.seed.principals.length);
    expect((await stack.call('GET', '/audit?requestId=x', { as: 'ext-kim' })).status).toBe(403);
    expect((await stack.call('GET', '/audit', { as: 'aud-fay' })).body.error.field).toBe('requestId');
  });

  it('approval links: unknown 404 page, GET changes nothing', async () => {
    const unknown = await fetch(`${stack.url}/approve/${'A'.repeat(43)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('text/html');
    expect(await unknown.text()).toContain('not valid');
    const garbage = await fetch(`${stack.url}/approve/x`, {
      method: 'POST',
      body: 'decision=approve',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(garbage.status).toBe(404);
  });

  it('public routes: health and the OpenAPI document generated from the schemas', async () => {
    expect((await stack.call('GET', '/health')).body.status).toBe('ok');
    const openapi = await stack.call('GET', '/openapi.json');
    expect(openapi.body.openapi).toBe('3.1.0');
    expect(
      openapi.body.paths['/requests'].post.requestBody.content['application/json'].schema.required,
    ).toEqual(expect.arrayContaining(['scopes', 'justification', 'duration']));
    const datasets = await stack.call('GET', '/datasets', { as: 'ext-kim' });
    expect(datasets.body.datasets).toContainEqual({
      id: 'hes-apc',
      title: expect.any(String),
      sensitivity: 'identifiable',
      owners: [],
    });
  });
});
