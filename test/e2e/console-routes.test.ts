// The console's routes (issue 14) end to end on the local stack: GET /me, GET /inbox, GET /requests/{id}/timeline,
// POST /requests/{id}/reviews, POST /principals/{id}/preview and GET /access/timeline, each answer checked against
// its contract schema. Reviews fall due 2 s after a grant; the sweep runs only when the test asks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as schemas from '../../lambdas/http/schemas/index.ts';
import { startTestStack, type TestStack, waitFor } from '../support/local-stack.ts';
import { quietSnapshot, snapshotTables, tableChanges } from '../support/security.ts';

const justification = 'Investigating a data quality incident in the admissions feed';

describe('the console routes on the local stack', () => {
  let stack: TestStack;
  const ids = { pending: '', externalAdmin: '', extending: '', reviewed: '' };

  beforeAll(async () => {
    stack = await startTestStack({
      policy: { minDuration: 'PT1S', review: { admin: 'PT2S', dataset: 'PT2S', grace: 'PT10M' } },
      sweepIntervalMs: 0,
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  async function submit(as: string, scopes: string[]) {
    const created = await stack.call('POST', '/requests', {
      as,
      body: { scopes, justification, duration: 'PT10M' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await waitFor(() => stack.approvalLinks('dir-ada', created.body.id).length > 0 || undefined, 'prompt');
    return created.body.id as string;
  }
  async function activate(as: string, scopes: string[]) {
    const id = await submit(as, scopes);
    const approved = await stack.call('POST', `/requests/${id}/decisions`, {
      as: 'dir-ada',
      body: { decision: 'approve' },
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    await stack.waitForStatus(id, 'ACTIVE');
    return id;
  }

  it('GET /me: who the caller is, what they may do, the request limits', async () => {
    const director = await stack.call('GET', '/me', { as: 'dir-ada' });
    expect(director.status).toBe(200);
    expect(() => schemas.meView.parse(director.body)).not.toThrow();
    expect(director.body).toMatchObject({
      principal: { id: 'dir-ada', organisation: 'NHSE', grade: 'director', roles: [], active: true },
      external: false,
      capabilities: { canRequest: true, canApprove: true, canAudit: false, canAdminister: false },
      limits: {
        minDuration: 'PT1S',
        maxDuration: stack.policy.maxDuration,
        justificationMinLength: stack.policy.justificationMinLength,
        requireTicket: stack.policy.requireTicket,
        maxScopesPerRequest: stack.policy.maxScopesPerRequest,
        approvalTimeout: stack.policy.approvalTimeout,
      },
    });
    expect(director.body.principal).not.toHaveProperty('slackUserId');
    const external = await stack.call('GET', '/me', { as: 'ext-kim' });
    expect(external.body).toMatchObject({
      external: true,
      capabilities: { canApprove: false, canAudit: false },
    });
    const admin = await stack.call('GET', '/me', { as: 'adm-eve' });
    expect(admin.body.capabilities).toEqual({
      canRequest: true,
      canApprove: false,
      canAudit: true,
      canAdminister: true,
    });
    expect((await stack.call('GET', '/me?x=1', { as: 'dir-ada' })).body.error).toMatchObject({ field: 'x' });
    expect((await stack.call('GET', '/me')).status).toBe(401);
  });

  it('GET /inbox: pending requests, extension and review rounds the caller may decide, soonest due first', async () => {
    ids.pending = await submit('ext-kim', ['dataset:hes-apc']);
    ids.externalAdmin = await submit('ext-gus', ['admin']);
    ids.extending = await activate('ext-lee', ['dataset:hes-apc']);
    ids.reviewed = await activate('ext-max', ['dataset:gp-records']);
    const asked = await stack.call('POST', `/requests/${ids.extending}/extend`, {
      as: 'ext-lee',
      body: { duration: 'PT5M', justification },
    });
    expect(asked.status, JSON.stringify(asked.body)).toBe(200);
    // Both grants' reviews fall due 2 s after they were granted: the sweep opens the rounds.
    await waitFor(async () => {
      const report = (await stack.call('POST', '/dev/sweep')).body;
      const open = await Promise.all(
        [ids.extending, ids.reviewed].map(
          async (id) => (await stack.call('GET', `/requests/${id}`, { as: 'adm-eve' })).body.review,
        ),
      );
      return open.every(Boolean) ? report : undefined;
    }, 'review rounds');

    const inbox = await stack.call('GET', '/inbox', { as: 'dir-ben' });
    expect(inbox.status, JSON.stringify(inbox.body)).toBe(200);
    expect(() => schemas.inboxView.parse(inbox.body)).not.toThrow();
    const items = inbox.body.items as Array<{
      kind: string;
      request: { id: string };
      requester: { id: string };
      seats?: unknown;
      dueBy: string;
    }>;
    const mine = items.filter((item) => Object.values(ids).includes(item.request.id));
    expect(mine.map((item) => [item.kind, item.request.id]).sort()).toEqual(
      [
        ['request', ids.pending],
        ['request', ids.externalAdmin],
        ['extension', ids.extending],
        ['review', ids.extending],
        ['review', ids.reviewed],
      ].sort(),
    );
    const dues = items.map((item) => item.dueBy);
    expect(dues).toEqual([...dues].sort());
    // The same request view as GET /requests/{id}; the requester named; seats only for an external admin
    for (const item of mine) {
      const one = await stack.call('GET', `/requests/${item.request.id}`, { as: 'dir-ben' });
      expect(item.request).toEqual(one.body);
    }
    const admin = mine.find((item) => item.request.id === ids.externalAdmin);
    expect(admin?.requester).toMatchObject({ id: 'ext-gus', organisation: 'AcmeSoft', grade: 'engineer' });
    expect(admin?.seats).toEqual({ inUse: expect.any(Number), cap: stack.policy.externalAdminCap });
    expect(mine.filter((item) => item.seats !== undefined)).toHaveLength(1);
    const review = mine.find((item) => item.kind === 'review' && item.request.id === ids.reviewed);
    const reviewed = await stack.call('GET', `/requests/${ids.reviewed}`, { as: 'adm-eve' });
    expect(review?.dueBy).toBe(reviewed.body.review.deadline);

    // dir-ada approved the extending request's grant but has not decided its extension: it is hers to decide too
    const ada = (await stack.call('GET', '/inbox', { as: 'dir-ada' })).body.items as typeof items;
    expect(ada.some((item) => item.kind === 'extension' && item.request.id === ids.extending)).toBe(true);
    expect(ada.some((item) => item.kind === 'request' && item.request.id === ids.pending)).toBe(true);
    for (const who of ['mgr-dan', 'ext-kim', 'aud-fay']) {
      const refused = await stack.call('GET', '/inbox', { as: who });
      expect(refused.status, who).toBe(403);
      expect(refused.body.error.code).toBe('NOT_ALLOWED');
    }
  }, 60_000);

  it('POST /requests/{id}/reviews: keep and revoke through the same rules as the links and Slack', async () => {
    const keep = await stack.call('POST', `/requests/${ids.reviewed}/reviews`, {
      as: 'dir-ben',
      body: { decision: 'keep', comment: 'Still needed' },
    });
    expect(keep.status, JSON.stringify(keep.body)).toBe(200);
    expect(() => schemas.requestView.parse(keep.body)).not.toThrow();
    expect(keep.body.status).toBe('ACTIVE');
    expect(keep.body.review).toBeUndefined();
    expect(keep.body.reviews.at(-1)).toMatchObject({
      reviewerId: 'dir-ben',
      decision: 'keep',
      channel: 'console',
    });
    const again = await stack.call('POST', `/requests/${ids.reviewed}/reviews`, {
      as: 'dir-ada',
      body: { decision: 'keep' },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('NO_REVIEW_OPEN');
    const inbox = (await stack.call('GET', '/inbox', { as: 'dir-ben' })).body.items as Array<{
      kind: string;
      request: { id: string };
    }>;
    expect(inbox.some((item) => item.kind === 'review' && item.request.id === ids.reviewed)).toBe(false);

    // The holder may see the request but never review it; someone else's requester is told it does not exist
    const byHolder = await stack.call('POST', `/requests/${ids.extending}/reviews`, {
      as: 'ext-lee',
      body: { decision: 'keep' },
    });
    expect([byHolder.status, byHolder.body.error.code]).toEqual([403, 'SELF_APPROVAL']);
    const byStranger = await stack.call('POST', `/requests/${ids.extending}/reviews`, {
      as: 'ext-kim',
      body: { decision: 'keep' },
    });
    expect(byStranger.status).toBe(404);
    const noComment = await stack.call('POST', `/requests/${ids.extending}/reviews`, {
      as: 'dir-ben',
      body: { decision: 'revoke', comment: '  ' },
    });
    expect([noComment.status, noComment.body.error.field]).toEqual([400, 'comment']);
    const unknownField = await stack.call('POST', `/requests/${ids.extending}/reviews`, {
      as: 'dir-ben',
      body: { decision: 'keep', reviewer: 'dir-ada' },
    });
    expect([unknownField.status, unknownField.body.error.field]).toEqual([400, 'reviewer']);

    const revoke = await stack.call('POST', `/requests/${ids.extending}/reviews`, {
      as: 'dir-ben',
      body: { decision: 'revoke', comment: 'The incident is closed' },
    });
    expect(revoke.status, JSON.stringify(revoke.body)).toBe(200);
    expect(revoke.body).toMatchObject({ status: 'REVOKED', reason: 'REVIEW_REVOKED' });
    expect(revoke.body.reviews.at(-1)).toMatchObject({ decision: 'revoke', channel: 'console' });
  }, 60_000);

  it('GET /requests/{id}/timeline: the history in plain words, for whoever may see the request', async () => {
    // The notifier appends its delivery events to the request's stream: let it finish before comparing counts.
    await stack.noticeQueue.drained();
    const timeline = await stack.call('GET', `/requests/${ids.extending}/timeline`, { as: 'ext-lee' });
    expect(timeline.status, JSON.stringify(timeline.body)).toBe(200);
    expect(() => schemas.requestTimelineView.parse(timeline.body)).not.toThrow();
    const events = timeline.body.events as Array<{
      type: string;
      actor: { id: string; name: string } | null;
      summary: string;
    }>;
    const types = events.map((event) => event.type);
    for (const type of [
      'REQUEST_SUBMITTED',
      'REQUEST_APPROVED',
      'GRANT_ACTIVATED',
      'EXTENSION_REQUESTED',
      'REVIEW_REQUESTED',
      'GRANT_REVOKED',
    ])
      expect(types).toContain(type);
    expect(events[0]).toMatchObject({ type: 'REQUEST_SUBMITTED', actor: { id: 'ext-lee' } });
    expect(events.find((event) => event.type === 'REQUEST_APPROVED')).toMatchObject({
      actor: { id: 'dir-ada', name: 'Ada Director' },
      summary: expect.stringContaining('Ada Director approved'),
    });
    expect(events.find((event) => event.type === 'GRANT_ACTIVATED')?.actor).toBeNull();
    expect(events.find((event) => event.type === 'GRANT_REVOKED')?.summary).toContain(
      'The incident is closed',
    );
    const text = JSON.stringify(timeline.body);
    expect(text).not.toMatch(/@|hash|messageId|prevHash/i);
    expect(text).not.toMatch(/[0-9a-f]{64}/);

    const audit = await stack.call('GET', `/audit?requestId=${ids.extending}`, { as: 'aud-fay' });
    expect(events).toHaveLength(audit.body.events.length);
    expect((await stack.call('GET', `/requests/${ids.extending}/timeline`, { as: 'ext-kim' })).status).toBe(
      404,
    );
    expect((await stack.call('GET', `/requests/${ids.extending}/timeline`, { as: 'aud-fay' })).status).toBe(
      200,
    );
    expect((await stack.call('GET', '/requests/nope/timeline', { as: 'adm-eve' })).status).toBe(404);
  });

  it('POST /principals/{id}/preview: what PATCH would do, writing nothing, and PATCH then does it', async () => {
    const before = await quietSnapshot(stack);
    const preview = await stack.call('POST', '/principals/ext-max/preview', {
      as: 'adm-eve',
      body: { active: false },
    });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(() => schemas.principalPreviewView.parse(preview.body)).not.toThrow();
    expect(preview.body).toMatchObject({
      principal: { id: 'ext-max', active: false },
      changed: ['active'],
      revokes: [{ requestId: ids.reviewed, scopes: ['dataset:gp-records'], reason: 'PRINCIPAL_INACTIVE' }],
      endsPending: [],
      approverEligibility: { before: false, after: false },
    });
    const pending = await stack.call('POST', '/principals/ext-kim/preview', {
      as: 'adm-eve',
      body: { clearance: null },
    });
    expect(pending.body.endsPending).toEqual([
      expect.objectContaining({ requestId: ids.pending, reason: 'CLEARANCE_MISSING' }),
    ]);
    const director = await stack.call('POST', '/principals/dir-ben/preview', {
      as: 'adm-eve',
      body: { grade: 'manager' },
    });
    expect(director.body.approverEligibility).toEqual({ before: true, after: false });
    expect(tableChanges(before, await snapshotTables(stack))).toEqual({});

    expect(
      (await stack.call('POST', '/principals/ext-max/preview', { as: 'dir-ada', body: { active: false } }))
        .status,
    ).toBe(403);
    expect(
      (await stack.call('POST', '/principals/nobody/preview', { as: 'adm-eve', body: { active: false } }))
        .status,
    ).toBe(404);
    const empty = await stack.call('POST', '/principals/ext-max/preview', { as: 'adm-eve', body: {} });
    expect(empty.status).toBe(400);

    const patched = await stack.call('PATCH', '/principals/ext-max', {
      as: 'adm-eve',
      body: { active: false },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.revoked.map((entry: { requestId: string }) => entry.requestId)).toEqual(
      preview.body.revokes.map((entry: { requestId: string }) => entry.requestId),
    );
  }, 60_000);

  it('GET /access/timeline: intervals per scope over the window, and external admins over time', async () => {
    // Two approvals put ext-gus's admin request live: one external admin seat
    for (const approver of ['dir-ada', 'exd-cleo']) {
      await stack.call('POST', `/requests/${ids.externalAdmin}/decisions`, {
        as: approver,
        body: { decision: 'approve' },
      });
    }
    await stack.waitForStatus(ids.externalAdmin, 'ACTIVE');
    const answer = await stack.call('GET', '/access/timeline', { as: 'aud-fay' });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(() => schemas.accessTimelineView.parse(answer.body)).not.toThrow();
    const { from, to, cap, intervals, adminsOverTime } = answer.body;
    expect(Date.parse(to) - Date.parse(from)).toBe(7 * 86_400_000);
    expect(cap).toBe(stack.policy.externalAdminCap);
    const byRequest = new Map(
      intervals.map((interval: { requestId: string }) => [interval.requestId, interval]),
    );
    expect(byRequest.get(ids.extending)).toMatchObject({
      principal: { id: 'ext-lee', name: expect.any(String), organisation: 'Northwind', external: true },
      scope: 'dataset:hes-apc',
      to: expect.any(String),
      endReason: 'REVOKED',
    });
    expect(byRequest.get(ids.reviewed)).toMatchObject({ scope: 'dataset:gp-records', endReason: 'REVOKED' });
    expect(byRequest.get(ids.externalAdmin)).toMatchObject({ scope: 'admin', to: null, endReason: null });
    expect(adminsOverTime.at(-1).count).toBeGreaterThanOrEqual(1);
    expect(adminsOverTime[0].at).toBe(from);

    // A window that starts after these grants does not show them (except what is still held)
    const later = await stack.call(
      'GET',
      `/access/timeline?from=${encodeURIComponent(new Date(Date.now() + 1000).toISOString())}&to=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
      { as: 'dir-ada' },
    );
    expect(later.status, JSON.stringify(later.body)).toBe(200);
    expect(later.body.intervals.map((interval: { requestId: string }) => interval.requestId)).toEqual([
      ids.externalAdmin,
    ]);
    expect(later.body.adminsOverTime).toEqual([{ at: later.body.from, count: 1 }]);

    const backwards = await stack.call(
      'GET',
      '/access/timeline?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z',
      { as: 'aud-fay' },
    );
    expect([backwards.status, backwards.body.error.field]).toEqual([400, 'from']);
    const tooLong = await stack.call(
      'GET',
      '/access/timeline?from=2026-01-01T00:00:00Z&to=2026-06-01T00:00:00Z',
      { as: 'aud-fay' },
    );
    expect([tooLong.status, tooLong.body.error.field]).toEqual([400, 'to']);
    const badInstant = await stack.call('GET', '/access/timeline?from=yesterday', { as: 'aud-fay' });
    expect([badInstant.status, badInstant.body.error.field]).toEqual([400, 'from']);
    expect((await stack.call('GET', '/access/timeline', { as: 'ext-kim' })).status).toBe(403);
  }, 60_000);
});
