// The whole lifecycle through HTTP on the local stack: DynamoDB Local, the synthesized state machine, the mailbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executionArnOf } from '../../lambdas/adapters/step-functions-workflow.ts';
import { startTestStack, type TestStack, waitFor } from '../support/local-stack.ts';

const justification = 'Investigating a data quality incident in the admissions feed';

describe('request lifecycle on the local stack', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({
      policy: { minDuration: 'PT1S', externalAdminCap: 3, approvalTimeout: 'PT10M' },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function submit(as: string, body: Record<string, unknown>) {
    const answer = await stack.call('POST', '/requests', { as, body });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return answer.body;
  }

  async function postLink(link: string, form: Record<string, string>) {
    return fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }

  it('submit -> mail -> approve by link POST -> ACTIVE -> EXPIRED, audited at every step', async () => {
    // Prepare
    const request = await submit('ext-kim', {
      scopes: ['dataset:hes-apc'],
      justification,
      duration: 'PT3S',
      ticket: 'INC-1042',
    });
    expect(request).toMatchObject({
      status: 'PENDING_APPROVAL',
      requester: 'ext-kim',
      approvalsRequired: 1,
      ticket: 'INC-1042',
    });

    // Act: every eligible director gets a personal link; opening it decides nothing
    const links = await waitFor(() => {
      const all = stack.mailbox.messages().filter((message) => message.subject.includes(request.id));
      return all.length === 3 ? stack.approvalLinks('dir-ada', request.id) : undefined;
    }, 'approval emails to the three eligible directors');
    const mail = stack.mailbox
      .messages()
      .find((message) => message.subject.includes(request.id) && message.to === 'dir-ada@nhse.example');
    expect(mail?.text).toContain('Kim Consultant');
    expect(mail?.text).toContain(justification);
    expect(mail?.text).toContain('INC-1042');
    expect(mail?.html).toContain('/approve/');
    const recipients = stack.mailbox
      .messages()
      .filter((m) => m.subject.includes(request.id))
      .map((m) => m.to)
      .sort();
    expect(recipients).toEqual(['dir-ada@nhse.example', 'dir-ben@nhse.example', 'exd-cleo@nhse.example']);

    const link = links[0] as string;
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Approve');
    expect((await stack.call('GET', `/requests/${request.id}`, { as: 'ext-kim' })).body.status).toBe(
      'PENDING_APPROVAL',
    );

    const decided = await postLink(link, { decision: 'approve' });
    expect(decided.status).toBe(200);
    expect(await decided.text()).toContain('Decision recorded');

    // Assess: granted, visible in /access, then expired by the workflow's Wait
    const active = await stack.waitForStatus(request.id, 'ACTIVE');
    expect(active.grant.approvedBy).toEqual(['dir-ada']);
    const access = await stack.call('GET', '/access', { as: 'aud-fay' });
    expect(access.body.access).toContainEqual(
      expect.objectContaining({
        requestId: request.id,
        scopes: ['dataset:hes-apc'],
        principal: { id: 'ext-kim', name: 'Kim Consultant', organisation: 'Northwind' },
      }),
    );
    expect((await postLink(link, { decision: 'approve' })).status).toBe(410);

    const expired = await stack.waitForStatus(request.id, 'EXPIRED', 15_000);
    expect(expired.reason).toBe('EXPIRED');
    const after = await stack.call('GET', '/access', { as: 'aud-fay' });
    expect(after.body.access.map((entry: { requestId: string }) => entry.requestId)).not.toContain(
      request.id,
    );

    const audit = await stack.call('GET', `/audit?requestId=${request.id}`, { as: 'aud-fay' });
    const actions = audit.body.events.map((event: { action: string }) => event.action);
    expect(actions[0]).toBe('REQUEST_SUBMITTED');
    expect(actions).toContain('APPROVAL_REQUESTED');
    // Three approval emails; the Slack prompts and the outcome notices are audited too (test/e2e/notifications.test.ts).
    const approvalMails = audit.body.events.filter(
      (event: { action: string; details?: { channel?: string; kind?: string } }) =>
        event.action === 'NOTIFICATION_SENT' && event.details?.channel === 'email' && !event.details.kind,
    );
    expect(approvalMails).toHaveLength(3);
    const lifecycle = actions.filter((action: string) => !action.startsWith('NOTIFICATION_'));
    expect(lifecycle.slice(-3)).toEqual(['REQUEST_APPROVED', 'GRANT_ACTIVATED', 'GRANT_EXPIRED']);
    expect(audit.body.events.map((event: { seq: number }) => event.seq)).toEqual(
      actions.map((_: string, i: number) => i + 1),
    );

    const execution = await stack.stepFunctions.waitForExecution(
      executionArnOf(stack.stateMachineArn, request.id),
    );
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.stateEntered).toEqual([
      'Validate',
      'AwaitApproval',
      'Grant',
      'IsActive',
      'WaitUntilExpiry',
      'Expire',
      'IsActive',
      'Closed',
    ]);
    // 8 billed transitions: the check after Expire (IsActive, then Closed) is what lets an extension re-arm the Wait.
    expect(stack.stepFunctions.transitionsOf(executionArnOf(stack.stateMachineArn, request.id))).toBe(8);
  });

  it('a deny ends the request as DENIED with the comment, and the workflow closes', async () => {
    const request = await submit('ext-lee', {
      scopes: ['dataset:gp-records', 'dataset:cancer-registry'],
      justification,
      duration: 'PT1H',
    });
    const denied = await stack.call('POST', `/requests/${request.id}/decisions`, {
      as: 'dir-ben',
      body: { decision: 'deny', comment: 'Use the pseudonymised extract' },
    });
    expect(denied.status).toBe(200);
    expect(denied.body).toMatchObject({
      status: 'DENIED',
      reason: 'Use the pseudonymised extract',
      closedBy: 'dir-ben',
    });
    const again = await stack.call('POST', `/requests/${request.id}/decisions`, {
      as: 'dir-ada',
      body: { decision: 'approve' },
    });
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'NOT_PENDING' } } });
    const execution = await stack.stepFunctions.waitForExecution(
      executionArnOf(stack.stateMachineArn, request.id),
    );
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.stateEntered).toEqual(['Validate', 'AwaitApproval', 'Closed']);
  });

  it('the requester can cancel while pending; nobody else can', async () => {
    const request = await submit('ext-max', { scopes: ['dataset:hes-apc'], justification, duration: 'PT1H' });
    const byOther = await stack.call('POST', `/requests/${request.id}/cancel`, { as: 'ext-ned' });
    expect(byOther.status).toBe(404);
    const cancelled = await stack.call('POST', `/requests/${request.id}/cancel`, { as: 'ext-max' });
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED' });
    const execution = await stack.stepFunctions.waitForExecution(
      executionArnOf(stack.stateMachineArn, request.id),
    );
    expect(execution.stateEntered.at(-1)).toBe('Closed');
    const twice = await stack.call('POST', `/requests/${request.id}/cancel`, { as: 'ext-max' });
    expect(twice).toMatchObject({ status: 409, body: { error: { code: 'NOT_PENDING' } } });
  });

  it('an external admin needs two distinct directors, takes a seat, and an early revoke frees it', async () => {
    const request = await submit('ext-gus', { scopes: ['admin'], justification, duration: 'PT1H' });
    expect(request.approvalsRequired).toBe(2);
    const second = await stack.call('POST', '/requests', {
      as: 'ext-gus',
      body: { scopes: ['admin'], justification, duration: 'PT1H' },
    });
    expect(second).toMatchObject({ status: 409, body: { error: { code: 'ADMIN_REQUEST_OPEN' } } });

    const first = await stack.call('POST', `/requests/${request.id}/decisions`, {
      as: 'dir-ada',
      body: { decision: 'approve' },
    });
    expect(first.body).toMatchObject({
      status: 'PENDING_APPROVAL',
      approvals: [expect.objectContaining({ approverId: 'dir-ada' })],
    });
    const same = await stack.call('POST', `/requests/${request.id}/decisions`, {
      as: 'dir-ada',
      body: { decision: 'approve' },
    });
    expect(same).toMatchObject({ status: 409, body: { error: { code: 'ALREADY_DECIDED' } } });
    await stack.call('POST', `/requests/${request.id}/decisions`, {
      as: 'exd-cleo',
      body: { decision: 'approve' },
    });
    const active = await stack.waitForStatus(request.id, 'ACTIVE');
    expect(active.grant.approvedBy).toEqual(['dir-ada', 'exd-cleo']);

    const byStranger = await stack.call('POST', `/requests/${request.id}/revoke`, {
      as: 'ext-hal',
      body: { reason: 'no' },
    });
    expect(byStranger.status).toBe(404);
    const noReason = await stack.call('POST', `/requests/${request.id}/revoke`, { as: 'adm-eve', body: {} });
    expect(noReason).toMatchObject({ status: 400, body: { error: { field: 'reason' } } });
    const revoked = await stack.call('POST', `/requests/${request.id}/revoke`, {
      as: 'adm-eve',
      body: { reason: 'Incident closed early' },
    });
    expect(revoked.body).toMatchObject({
      status: 'REVOKED',
      reason: 'Incident closed early',
      closedBy: 'adm-eve',
    });
    const execution = await stack.stepFunctions.waitForExecution(
      executionArnOf(stack.stateMachineArn, request.id),
    );
    expect(execution.status).toBe('ABORTED');
    const after = await stack.call('GET', `/requests/${request.id}`, { as: 'ext-gus' });
    expect(after.body.status).toBe('REVOKED');
    // The lock is gone with the grant: the same person can ask again.
    const again = await submit('ext-gus', { scopes: ['admin'], justification, duration: 'PT1H' });
    await stack.call('POST', `/requests/${again.id}/cancel`, { as: 'ext-gus' });
  });
});
