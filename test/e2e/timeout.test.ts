// The approval window closes: the workflow's TimeoutSeconds fires, the request is TIMED_OUT, links die.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack, waitFor } from '../support/local-stack.ts';

describe('approval timeout', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ policy: { minDuration: 'PT1S', approvalTimeout: 'PT3S' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('times out after the policy approval timeout; the emailed link then answers 410 and changes nothing', async () => {
    const created = await stack.call('POST', '/requests', {
      as: 'ext-gus',
      body: {
        scopes: ['admin'],
        justification: 'Quarterly platform patching for the safe haven',
        duration: 'PT1H',
      },
    });
    expect(created.status).toBe(201);
    const [link] = await waitFor(() => {
      const links = stack.approvalLinks('dir-ben', created.body.id);
      return links.length ? links : undefined;
    }, 'approval link');
    const timedOut = await stack.waitForStatus(created.body.id, 'TIMED_OUT', 15_000);
    expect(timedOut.reason).toBe('APPROVAL_TIMEOUT');
    const late = await fetch(link as string, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'decision=approve',
    });
    expect(late.status).toBe(410);
    const after = await stack.call('GET', `/requests/${created.body.id}`, { as: 'ext-gus' });
    expect(after.body).toMatchObject({ status: 'TIMED_OUT', approvals: [] });
    const audit = await stack.call('GET', `/audit?requestId=${created.body.id}`, { as: 'aud-fay' });
    // Notifications of the timeout (requester, approvers, Slack prompts) are audited after it.
    const lifecycle = audit.body.events.filter(
      (event: { action: string }) => !event.action.startsWith('NOTIFICATION_'),
    );
    expect(lifecycle.at(-1)).toMatchObject({
      action: 'REQUEST_TIMED_OUT',
      actor: { type: 'system', id: 'workflow' },
    });
    // The admin lock was released with the timeout: ext-gus may ask again.
    const again = await stack.call('POST', '/requests', {
      as: 'ext-gus',
      body: {
        scopes: ['admin'],
        justification: 'Quarterly platform patching for the safe haven',
        duration: 'PT1H',
      },
    });
    expect(again.status).toBe(201);
  });
});
