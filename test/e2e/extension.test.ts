// Extension without a gap, end to end on the local stack: approved before expiry, the same execution waits again
// and access never lapses; denied or undecided, the original expiry stands. Totals stay within the policy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executionArnOf } from '../../lambdas/adapters/step-functions-workflow.ts';
import { startTestStack, type TestStack, waitFor } from '../support/local-stack.ts';

const justification = 'Investigating a data quality incident in the admissions feed';
const moreTime = 'The incident analysis needs a little longer';

describe('extending active access on the local stack', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({
      policy: {
        minDuration: 'PT1S',
        approvalTimeout: 'PT10M',
        maxTotalDuration: { admin: 'PT30S', dataset: 'PT30S' },
      },
      sweepIntervalMs: 0,
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function activeGrant(requester: string, scopes: string[], duration: string) {
    const created = await stack.call('POST', '/requests', {
      as: requester,
      body: { scopes, justification, duration },
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

  /** Polls the request until it ends, recording whether it was ever seen not ACTIVE before then. */
  async function watchUntilEnded(requestId: string, timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    const seen: Array<{ at: number; status: string }> = [];
    while (Date.now() < deadline) {
      const answer = await stack.call('GET', `/requests/${requestId}`, { as: 'adm-eve' });
      seen.push({ at: Date.now(), status: answer.body.status });
      if (answer.body.status !== 'ACTIVE') return { final: answer.body, seen };
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    throw new Error(`request ${requestId} did not end in ${timeoutMs} ms`);
  }

  function extensionLinks(requestId: string): Map<string, string> {
    const links = new Map<string, string>();
    for (const message of stack.mailbox.messages()) {
      if (!message.subject.startsWith('Extension needs approval') || !message.subject.includes(requestId))
        continue;
      const link = /(https?:\/\/\S+\/approve\/[A-Za-z0-9_-]+)/.exec(message.text)?.[1];
      if (link) links.set(message.to, link);
    }
    return links;
  }

  async function actionsOf(requestId: string): Promise<string[]> {
    const audit = await stack.call('GET', `/audit?requestId=${requestId}`, { as: 'aud-fay' });
    return audit.body.events.map((event: { action: string }) => event.action);
  }

  it('approved before expiry: expiresAt moves, access never lapses, and the one execution waits again', async () => {
    // Prepare
    const grant = await activeGrant('ext-kim', ['dataset:hes-apc'], 'PT5S');
    const originalExpiry = grant.grant.expiresAt;

    // Act
    const asked = await stack.call('POST', `/requests/${grant.id}/extend`, {
      as: 'ext-kim',
      body: { duration: 'PT4S', justification: moreTime },
    });
    const approved = await stack.call('POST', `/requests/${grant.id}/decisions`, {
      as: 'dir-ben',
      body: { decision: 'approve' },
    });
    const { final, seen } = await watchUntilEnded(grant.id);

    // Assess
    expect(asked.status, JSON.stringify(asked.body)).toBe(200);
    expect(asked.body.extension).toMatchObject({ status: 'PENDING', duration: 'PT4S', approvalsRequired: 1 });
    expect([...extensionLinks(grant.id).keys()].sort()).toEqual([
      'dir-ada@nhse.example',
      'dir-ben@nhse.example',
      'exd-cleo@nhse.example',
    ]);
    expect(approved.status).toBe(200);
    expect(approved.body.extension).toMatchObject({ status: 'APPROVED' });
    const newExpiry = new Date(Date.parse(originalExpiry) + 4000).toISOString();
    expect(approved.body.grant.expiresAt).toBe(newExpiry);
    // Still ACTIVE well past the original expiry: no gap.
    expect(
      seen.some((sample) => sample.status === 'ACTIVE' && sample.at > Date.parse(originalExpiry) + 1000),
    ).toBe(true);
    expect(final.status).toBe('EXPIRED');
    expect(final.closedAt >= newExpiry).toBe(true);
    const execution = await stack.stepFunctions.waitForExecution(
      executionArnOf(stack.stateMachineArn, grant.id),
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
      'WaitUntilExpiry',
      'Expire',
      'IsActive',
      'Closed',
    ]);
    const actions = await actionsOf(grant.id);
    expect(actions).toContain('EXTENSION_REQUESTED');
    expect(actions).toContain('EXTENSION_APPROVED');
    expect(actions.filter((action) => action === 'GRANT_EXPIRED')).toHaveLength(1);
  });

  it('an external admin extension needs two distinct directors, through a link and the API', async () => {
    // Prepare
    const grant = await activeGrant('ext-gus', ['admin'], 'PT8S');
    await stack.call('POST', `/requests/${grant.id}/extend`, {
      as: 'ext-gus',
      body: { duration: 'PT5S', justification: moreTime },
    });
    const link = await waitFor(() => extensionLinks(grant.id).get('exd-cleo@nhse.example'), 'extension link');

    // Act
    const page = await fetch(link);
    const pageText = await page.text();
    const first = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'decision=approve',
    });
    const afterFirst = await stack.call('GET', `/requests/${grant.id}`, { as: 'ext-gus' });
    const twice = await stack.call('POST', `/requests/${grant.id}/decisions`, {
      as: 'exd-cleo',
      body: { decision: 'approve' },
    });
    const second = await stack.call('POST', `/requests/${grant.id}/decisions`, {
      as: 'dir-ada',
      body: { decision: 'approve' },
    });

    // Assess
    expect(page.status).toBe(200);
    expect(pageText).toContain('Extension asked for');
    expect(first.status).toBe(200);
    expect(afterFirst.body.extension).toMatchObject({ status: 'PENDING', approvalsRequired: 2 });
    expect(afterFirst.body.extension.approvals).toEqual([
      expect.objectContaining({ approverId: 'exd-cleo', channel: 'email-link' }),
    ]);
    expect(twice).toMatchObject({ status: 409, body: { error: { code: 'ALREADY_DECIDED' } } });
    expect(second.body.extension).toMatchObject({ status: 'APPROVED' });
    expect(second.body.grant.expiresAt).toBe(
      new Date(Date.parse(grant.grant.expiresAt) + 5000).toISOString(),
    );
    await stack.call('POST', `/requests/${grant.id}/revoke`, {
      as: 'ext-gus',
      body: { reason: 'done early' },
    });
  });

  it('denied: the original expiry stands', async () => {
    // Prepare
    const grant = await activeGrant('ext-lee', ['dataset:gp-records'], 'PT4S');
    await stack.call('POST', `/requests/${grant.id}/extend`, {
      as: 'ext-lee',
      body: { duration: 'PT10S', justification: moreTime },
    });

    // Act
    const denied = await stack.call('POST', `/requests/${grant.id}/decisions`, {
      as: 'dir-ada',
      body: { decision: 'deny', comment: 'Finish within the window' },
    });
    const { final } = await watchUntilEnded(grant.id);

    // Assess
    expect(denied.body.extension).toMatchObject({ status: 'DENIED' });
    expect(denied.body.grant.expiresAt).toBe(grant.grant.expiresAt);
    expect(final.status).toBe('EXPIRED');
    expect(Date.parse(final.closedAt) - Date.parse(grant.grant.expiresAt)).toBeLessThan(3000);
    expect(await actionsOf(grant.id)).toContain('EXTENSION_DENIED');
  });

  it('timed out: nobody decides before expiry, the grant expires on time and the round closes TIMED_OUT', async () => {
    // Prepare
    const grant = await activeGrant('ext-max', ['dataset:hes-apc'], 'PT3S');
    const asked = await stack.call('POST', `/requests/${grant.id}/extend`, {
      as: 'ext-max',
      body: { duration: 'PT10S', justification: moreTime },
    });

    // Act
    const { final } = await watchUntilEnded(grant.id);
    const late = await stack.call('POST', `/requests/${grant.id}/decisions`, {
      as: 'dir-ada',
      body: { decision: 'approve' },
    });

    // Assess
    expect(asked.body.extension.deadline).toBe(grant.grant.expiresAt);
    expect(final).toMatchObject({ status: 'EXPIRED', extension: { status: 'TIMED_OUT' } });
    expect(final.grant.expiresAt).toBe(grant.grant.expiresAt);
    expect(late).toMatchObject({ status: 409, body: { error: { code: 'NOT_PENDING' } } });
  });

  it('refuses what the rules refuse: not the holder, beyond the total, a second open round', async () => {
    // Prepare
    const grant = await activeGrant('ext-ned', ['dataset:hes-apc'], 'PT20S');
    const extend = (as: string, duration: string) =>
      stack.call('POST', `/requests/${grant.id}/extend`, { as, body: { duration, justification: moreTime } });

    // Act
    const byDirector = await extend('dir-ada', 'PT5S');
    const tooLong = await extend('ext-ned', 'PT15S');
    const first = await extend('ext-ned', 'PT5S');
    const again = await extend('ext-ned', 'PT5S');

    // Assess
    expect(byDirector).toMatchObject({ status: 403, body: { error: { code: 'NOT_HOLDER' } } });
    expect(tooLong).toMatchObject({ status: 400, body: { error: { field: 'duration' } } });
    expect(tooLong.body.error.message).toContain('PT30S in total');
    expect(first.status).toBe(200);
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'EXTENSION_OPEN' } } });
    await stack.call('POST', `/requests/${grant.id}/revoke`, { as: 'ext-ned', body: { reason: 'done' } });
  });
});
