// PATCH /principals/{id} end to end on the local stack: access-admins change the directory, every change is on the
// principal's own hash-chained audit stream, and deactivating or lapsing a holder ends their access in the same call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditStreamOfPrincipal } from '../../lambdas/adapters/dynamodb/schema.ts';
import { dependencies } from '../../lambdas/commons/dependencies.ts';
import { verifyChain } from '../../lambdas/core/audit.ts';
import { startTestStack, type TestStack, waitFor } from '../support/local-stack.ts';

const justification = 'Investigating a data quality incident in the admissions feed';

describe('directory changes on the local stack', () => {
  let stack: TestStack;

  beforeAll(async () => {
    // No timer: every revoke seen here is the PATCH's own doing, not a sweep's.
    stack = await startTestStack({
      policy: { minDuration: 'PT1S', approverPromotionDelay: 'PT4S' },
      sweepIntervalMs: 0,
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function activeGrant(requester: string, scopes: string[]) {
    const created = await stack.call('POST', '/requests', {
      as: requester,
      body: { scopes, justification, duration: 'PT10M' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await waitFor(
      () => stack.approvalLinks('dir-ada', created.body.id).length > 0 || undefined,
      'approval prompt',
    );
    for (const approver of ['dir-ada', 'dir-ben'].slice(0, created.body.approvalsRequired)) {
      await stack.call('POST', `/requests/${created.body.id}/decisions`, {
        as: approver,
        body: { decision: 'approve' },
      });
    }
    return await stack.waitForStatus(created.body.id, 'ACTIVE');
  }

  const patch = (id: string, body: unknown, as = 'adm-eve') =>
    stack.call('PATCH', `/principals/${id}`, { as, body });

  it('deactivating a holder revokes every grant in the same call, and records the change on their stream', async () => {
    // Prepare
    const admin = await activeGrant('ext-gus', ['admin']);
    const dataset = await activeGrant('ext-gus', ['dataset:hes-apc']);

    // Act
    const answer = await patch('ext-gus', { active: false });
    const statuses = await Promise.all(
      [admin, dataset].map(
        async (grant) => (await stack.call('GET', `/requests/${grant.id}`, { as: 'adm-eve' })).body,
      ),
    );
    const asHolder = await stack.call('GET', '/requests', { as: 'ext-gus' });
    const stream = await dependencies().store.readAuditStream(auditStreamOfPrincipal('ext-gus'));

    // Assess
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.principal).toMatchObject({ id: 'ext-gus', active: false });
    expect(answer.body.changed).toEqual(['active']);
    expect(answer.body.revoked.map((entry: { requestId: string }) => entry.requestId).sort()).toEqual(
      [admin.id, dataset.id].sort(),
    );
    for (const request of statuses) {
      expect(request).toMatchObject({ status: 'REVOKED', reason: 'PRINCIPAL_INACTIVE', closedBy: 'adm-eve' });
    }
    expect(asHolder).toMatchObject({ status: 403, body: { error: { code: 'PRINCIPAL_INACTIVE' } } });
    expect(stream).toEqual([
      // npm start provisions the directory through SCIM: the person's stream opens with that
      expect.objectContaining({ action: 'PRINCIPAL_CREATED', actor: { type: 'system', id: 'scim:local' } }),
      expect.objectContaining({
        action: 'PRINCIPAL_UPDATED',
        actor: { type: 'principal', id: 'adm-eve' },
        subject: { requestId: '', principalId: 'ext-gus', scopes: [] },
        details: { changed: ['active'], active: false },
      }),
    ]);
    expect((await dependencies().store.externalAdminSeats()).total).toBe(0);
  });

  it('reactivating is audited as the next event on the same chain, and revokes nothing', async () => {
    // Act
    const answer = await patch('ext-gus', { active: true, slackUserId: 'U0EXTGUS', grade: 'lead-engineer' });
    const stream = await dependencies().store.readAuditStream(auditStreamOfPrincipal('ext-gus'));
    const directory = await stack.call('GET', '/principals', { as: 'aud-fay' });

    // Assess
    expect(answer.body).toMatchObject({ changed: ['active', 'grade', 'slackUserId'], revoked: [] });
    expect(stream.map((event) => event.seq)).toEqual([1, 2, 3]);
    expect(verifyChain(stream)).toMatchObject({ ok: true, count: 3 });
    expect(
      directory.body.principals.find((principal: { id: string }) => principal.id === 'ext-gus'),
    ).toMatchObject({
      active: true,
      slackUserId: 'U0EXTGUS',
      grade: 'lead-engineer',
    });
  });

  it('lapsing a clearance revokes the grants that need it at once; an aggregate dataset grant stays', async () => {
    // Prepare
    const identifiable = await activeGrant('ext-kim', ['dataset:hes-apc']);
    const aggregate = await activeGrant('ext-kim', ['dataset:covid-vaccinations']);

    // Act
    const answer = await patch('ext-kim', { clearance: { level: 'SC', expiresAt: '2020-01-01T00:00:00Z' } });
    const after = await stack.call('GET', `/requests/${identifiable.id}`, { as: 'adm-eve' });
    const untouched = await stack.call('GET', `/requests/${aggregate.id}`, { as: 'adm-eve' });

    // Assess
    expect(answer.body.revoked).toEqual([{ requestId: identifiable.id, reason: 'CLEARANCE_LAPSED' }]);
    expect(after.body).toMatchObject({ status: 'REVOKED', reason: 'CLEARANCE_LAPSED' });
    expect(untouched.body.status).toBe('ACTIVE');
    const audit = await stack.call('GET', `/audit?requestId=${identifiable.id}`, { as: 'aud-fay' });
    expect(
      audit.body.events.find((event: { action: string }) => event.action === 'GRANT_REVOKED'),
    ).toMatchObject({
      actor: { type: 'principal', id: 'adm-eve' },
      reason: 'CLEARANCE_LAPSED',
      details: { detail: 'clearance SC expired at 2020-01-01T00:00:00.000Z' },
    });
  });

  it('a renewed or still-valid clearance revokes nothing', async () => {
    // Prepare
    const grant = await activeGrant('ext-max', ['dataset:hes-apc']);

    // Act
    const answer = await patch('ext-max', { clearance: { level: 'DV', expiresAt: '2031-06-30T00:00:00Z' } });

    // Assess
    expect(answer.body).toMatchObject({ changed: ['clearance'], revoked: [] });
    expect((await stack.call('GET', `/requests/${grant.id}`, { as: 'adm-eve' })).body.status).toBe('ACTIVE');
  });

  it('refuses non-admins, self-changes, unknown principals and malformed patches', async () => {
    // Act
    const byDirector = await patch('ext-max', { active: false }, 'dir-ada');
    const self = await patch('adm-eve', { grade: 'director' });
    const unknown = await patch('nobody', { active: false });
    const empty = await patch('ext-max', {});
    const unknownField = await patch('ext-max', { roles: ['access-admin'] });
    const badDate = await patch('ext-max', { clearance: { level: 'SC', expiresAt: 'soon' } });

    // Assess
    expect(byDirector).toMatchObject({ status: 403, body: { error: { code: 'NOT_ALLOWED' } } });
    expect(self).toMatchObject({ status: 403, body: { error: { code: 'SELF_CHANGE' } } });
    expect(unknown.status).toBe(404);
    expect(empty.status).toBe(400);
    expect(unknownField).toMatchObject({ status: 400, body: { error: { field: 'roles' } } });
    expect(badDate).toMatchObject({ status: 400, body: { error: { field: 'clearance.expiresAt' } } });
  });

  it("one access-admin making a director: the directors are told, and the new director decides nothing (not the admin's own request) until the delay passes", async () => {
    // Prepare
    const own = await stack.call('POST', '/requests', {
      as: 'adm-eve',
      body: { scopes: ['dataset:hes-apc'], justification, duration: 'PT10M' },
    });
    expect(own.status, JSON.stringify(own.body)).toBe(201);
    const before = Date.now();

    // Act
    const preview = await stack.call('POST', '/principals/mgr-dan/preview', {
      as: 'adm-eve',
      body: { grade: 'director' },
    });
    const promoted = await patch('mgr-dan', { grade: 'director' });
    const early = await stack.call('POST', `/requests/${own.body.id}/decisions`, {
      as: 'mgr-dan',
      body: { decision: 'approve' },
    });
    const told = await waitFor(() => {
      const notices = stack.mailbox
        .messages()
        .filter((message) => message.subject.includes('mgr-dan becomes an approver'));
      return notices.length >= 3 ? notices : undefined;
    }, 'the directors told');
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, before + 4_500 - Date.now())));
    const late = await stack.call('POST', `/requests/${own.body.id}/decisions`, {
      as: 'mgr-dan',
      body: { decision: 'approve' },
    });
    const stream = await dependencies().store.readAuditStream(auditStreamOfPrincipal('mgr-dan'));

    // Assess
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body.approverEligibility).toMatchObject({ before: false, after: false });
    expect(Date.parse(preview.body.approverEligibility.from) - before).toBeGreaterThanOrEqual(3_000);
    expect(promoted.status, JSON.stringify(promoted.body)).toBe(200);
    expect(promoted.body.changed).toEqual(['grade', 'approverFrom']);
    expect(promoted.body.principal.approverFrom).toMatchObject({ madeBy: 'adm-eve' });
    expect(early).toMatchObject({ status: 403, body: { error: { code: 'NOT_ELIGIBLE_APPROVER' } } });
    expect(early.body.error.message).toContain(
      'was made an approver by adm-eve, the requester, and may decide nothing before',
    );
    expect(told.map((message) => message.to).sort()).toEqual([
      'dir-ada@nhse.example',
      'dir-ben@nhse.example',
      'exd-cleo@nhse.example',
    ]);
    expect(told[0]?.text).toContain('adm-eve changed the directory entry of mgr-dan (director, NHSE)');
    expect(told[0]?.text).toContain('A change one person makes waits 4 seconds');
    expect(late.status, JSON.stringify(late.body)).toBe(200);
    expect(stream.at(-1)).toMatchObject({
      action: 'PRINCIPAL_UPDATED',
      actor: { type: 'principal', id: 'adm-eve' },
      details: { changed: ['grade', 'approverFrom'], approverMadeBy: 'adm-eve' },
    });
  });
});
