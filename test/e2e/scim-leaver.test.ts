// A leaver on the local stack: the identity provider deactivates ext-kim through SCIM the way Entra ID does it
// (PATCH active "False"), and in that one call every grant is revoked (PRINCIPAL_INACTIVE), the pending request
// ends, the external-admin seat is freed, people are told, and the audit trail names the SCIM client and verifies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditStreamOfPrincipal } from '../../lambdas/adapters/dynamodb/schema.ts';
import { dependencies } from '../../lambdas/commons/dependencies.ts';
import { startTestStack, type TestStack, waitFor } from '../support/local-stack.ts';
import { auditOf, promptTo, textOf } from '../support/slack.ts';

const justification = 'Investigating a data quality incident in the admissions feed';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const DEACTIVATE = {
  schemas: [PATCH_SCHEMA],
  Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
};

describe('a leaver deprovisioned through SCIM on the local stack', () => {
  let stack: TestStack;
  /** What the first test set up, for the ones after it (they run in order, on the same stack). */
  const kim = { userId: '', revoked: [] as string[], cancelled: '' };

  beforeAll(async () => {
    // No sweep timer: every ending seen here is the SCIM call's own doing.
    stack = await startTestStack({
      policy: { minDuration: 'PT1S', approvalTimeout: 'PT10M' },
      sweepIntervalMs: 0,
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  const scim = (method: string, path: string, body?: unknown) =>
    stack.call(method, `/scim/v2${path}`, {
      headers: {
        authorization: `Bearer ${stack.scim.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
      },
      ...(body === undefined ? {} : { body }),
    });

  async function submitted(requester: string, scopes: string[]) {
    const created = await stack.call('POST', '/requests', {
      as: requester,
      body: { scopes, justification, duration: 'PT30M' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // The approval step has run (prompts out, its task token stored) once the directors have their links.
    await waitFor(
      () => stack.approvalLinks('dir-ada', created.body.id).length > 0 || undefined,
      'approval prompt',
    );
    return created.body;
  }

  async function activeGrant(requester: string, scopes: string[]) {
    const request = await submitted(requester, scopes);
    for (const approver of ['dir-ada', 'dir-ben'].slice(0, request.approvalsRequired)) {
      const decided = await stack.call('POST', `/requests/${request.id}/decisions`, {
        as: approver,
        body: { decision: 'approve' },
      });
      expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    }
    return await stack.waitForStatus(request.id, 'ACTIVE');
  }

  const requestOf = async (id: string) =>
    (await stack.call('GET', `/requests/${id}`, { as: 'adm-eve' })).body;
  const adminHolders = async () =>
    (await stack.call('GET', '/access', { as: 'adm-eve' })).body.access.filter(
      (entry: { scopes: string[] }) => entry.scopes.includes('admin'),
    ).length;
  const mailsTo = (email: string, requestId: string) =>
    stack.mailbox
      .messages()
      .filter((message) => message.to === email && message.subject.includes(`[${requestId}]`))
      .filter((message) => !message.subject.startsWith('Approval needed'));

  it('revokes both grants, ends the pending request and frees the seat in the one PATCH, audited as the SCIM client', async () => {
    // Prepare
    const admin = await activeGrant('ext-kim', ['admin']);
    const dataset = await activeGrant('ext-kim', ['dataset:hes-apc']);
    const pending = await submitted('ext-kim', ['dataset:gp-records']);
    const seatsBefore = (await dependencies().store.externalAdminSeats()).total;
    const adminsBefore = await adminHolders();
    const found = await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "ext-kim"')}`);
    expect(found.status, JSON.stringify(found.body)).toBe(200);
    expect(found.body.totalResults).toBe(1);
    const userId = found.body.Resources[0].id as string;
    Object.assign(kim, { userId, revoked: [admin.id, dataset.id], cancelled: pending.id });
    const actor = { type: 'system', id: `scim:${stack.scim.client}` };

    // Act
    const sentAt = performance.now();
    const patched = await scim('PATCH', `/Users/${encodeURIComponent(userId)}`, DEACTIVATE);
    const answeredAt = performance.now();
    const ended = await waitFor(async () => {
      const grants = await Promise.all([admin.id, dataset.id].map(requestOf));
      return grants.every((grant) => grant.status === 'REVOKED') ? grants : undefined;
    }, 'both grants ended');
    const endedAfterMs = performance.now() - answeredAt;
    console.log(
      `scim-leaver: both grants REVOKED ${endedAfterMs.toFixed(0)} ms after the SCIM PATCH answered ` +
        `(${patched.status}, the PATCH itself took ${(answeredAt - sentAt).toFixed(0)} ms)`,
    );
    const cancelled = await requestOf(pending.id);
    const seatsAfter = (await dependencies().store.externalAdminSeats()).total;
    const adminsAfter = await adminHolders();
    const asHolder = await stack.call('GET', '/requests', { as: 'ext-kim' });
    const principalStream = await dependencies().store.readAuditStream(auditStreamOfPrincipal('ext-kim'));
    const verified = await stack.call('GET', '/audit/verify', { as: 'aud-fay' });

    // Assess: the SCIM answer, Entra's "False" read as false
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({ id: userId, active: false });
    expect(asHolder).toMatchObject({ status: 403, body: { error: { code: 'PRINCIPAL_INACTIVE' } } });
    // Both grants revoked, by the SCIM client, for PRINCIPAL_INACTIVE
    for (const grant of ended) {
      expect(grant).toMatchObject({
        status: 'REVOKED',
        reason: 'PRINCIPAL_INACTIVE',
        closedBy: `scim:${stack.scim.client}`,
      });
    }
    // The pending request ended the same way
    expect(cancelled).toMatchObject({
      status: 'CANCELLED',
      reason: 'PRINCIPAL_INACTIVE',
      closedBy: `scim:${stack.scim.client}`,
    });
    // The external-admin seat is free again
    expect(seatsAfter).toBe(seatsBefore - 1);
    expect(adminsAfter).toBe(adminsBefore - 1);
    // The audit trail names the SCIM client, on the principal's stream and each request's, and verifies
    expect(principalStream.at(-1)).toMatchObject({
      action: 'PRINCIPAL_UPDATED',
      actor,
      details: expect.objectContaining({ active: false }),
    });
    for (const grant of [admin, dataset]) {
      expect(
        (await auditOf(stack, grant.id)).find((event) => event.action === 'GRANT_REVOKED'),
      ).toMatchObject({ actor, reason: 'PRINCIPAL_INACTIVE' });
    }
    const pendingAudit = await auditOf(stack, pending.id);
    expect(pendingAudit.filter((event) => event.action === 'REQUEST_CANCELLED')).toEqual([
      expect.objectContaining({
        actor,
        reason: 'PRINCIPAL_INACTIVE',
        details: { detail: 'ext-kim is not active' },
      }),
    ]);
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    expect(verified.body).toMatchObject({ ok: true });
  });

  it('tells the holder of each grant and the directors whose prompt went stale, audited as the SCIM client', async () => {
    // Prepare
    expect(kim.revoked, 'set up by the first test').toHaveLength(2);
    const pendingId = kim.cancelled;
    const actor = { type: 'system', id: `scim:${stack.scim.client}` };

    // Act
    const holderMails = await waitFor(
      () =>
        kim.revoked.every((id) => mailsTo('ext-kim@northwind.example', id).length > 0)
          ? kim.revoked.map((id) => mailsTo('ext-kim@northwind.example', id))
          : undefined,
      'revocation notices to ext-kim',
    );
    const directorMail = await waitFor(
      () => mailsTo('dir-ada@nhse.example', pendingId)[0],
      'stale-prompt notice to dir-ada',
    );
    const prompt = promptTo(stack, pendingId, 'U0DIRADA');

    // Assess
    for (const mails of holderMails) expect(mails.length).toBeGreaterThan(0);
    expect(directorMail.subject).toMatch(/No action needed/);
    expect(prompt.history.length).toBeGreaterThan(0);
    expect(textOf(prompt)).toMatch(/Cancelled/);
    for (const id of [...kim.revoked, pendingId]) {
      const sent = (await auditOf(stack, id)).filter(
        (event) => event.action === 'NOTIFICATION_SENT' && event.actor.id === actor.id,
      );
      expect(sent.length, `notices on ${id}`).toBeGreaterThan(0);
    }
  });

  it('a retried PATCH (Entra ID retries) changes nothing and records nothing', async () => {
    // Prepare
    const ids = [...kim.revoked, kim.cancelled];
    expect(kim.userId, 'set up by the first test').not.toBe('');
    const before = await Promise.all(ids.map(async (id) => (await auditOf(stack, id)).length));
    const principalBefore = await dependencies().store.readAuditStream(auditStreamOfPrincipal('ext-kim'));

    // Act
    const again = await scim('PATCH', `/Users/${encodeURIComponent(kim.userId)}`, DEACTIVATE);
    const after = await Promise.all(ids.map(async (id) => (await auditOf(stack, id)).length));
    const principalAfter = await dependencies().store.readAuditStream(auditStreamOfPrincipal('ext-kim'));

    // Assess
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(after).toEqual(before);
    expect(principalAfter).toHaveLength(principalBefore.length);
  });
});
