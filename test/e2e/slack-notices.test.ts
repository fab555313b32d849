// Notices off the click's path, end to end: a Slack click commits the decision and answers at once while the
// channel its notices go to hangs (10 s) or fails (HTTP 500); the notifier delivers them from the queue once the
// channel answers, each once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack, waitFor } from '../support/local-stack.ts';
import { auditOf, buttonsOf, click, promptsOf, promptTo, seedWithMoreSlackUsers } from '../support/slack.ts';

const justification = 'Investigating a data quality incident in the admissions feed';
/** Loose on purpose (a loaded test machine); bench/ measures the acknowledgement precisely. */
const ACK_BUDGET_MS = 2_500;

describe('Slack acknowledgements do not wait for notices', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({
      policy: { minDuration: 'PT1S', externalAdminCap: 3, approvalTimeout: 'PT10M' },
      seedFile: seedWithMoreSlackUsers(),
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function promptedRequest(as: string): Promise<string> {
    const answer = await stack.call('POST', '/requests', {
      as,
      body: { scopes: ['dataset:hes-apc'], justification, duration: 'PT1H' },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    await waitFor(async () => promptsOf(stack, answer.body.id).length === 3, 'three Slack prompts');
    return answer.body.id;
  }

  const promptUpdates = async (requestId: string) =>
    (await auditOf(stack, requestId)).filter(
      (event) => event.action === 'NOTIFICATION_SENT' && event.details?.kind === 'approval-prompt-updated',
    );

  it('answers a Deny at once while Slack hangs for 10 s, then redraws every prompt once it answers', async () => {
    // Prepare
    const requestId = await promptedRequest('ext-gus');
    stack.channels.slack.delayNext('chat.update', 3, 10_000);

    // Act
    const started = Date.now();
    const clicked = await click(stack, {
      ts: promptTo(stack, requestId, 'U0DIRADA').ts,
      slackUserId: 'U0DIRADA',
      action: 'deny',
      reason: 'Not needed for this incident',
    });
    const clickMs = Date.now() - started;

    // Assess: answered and committed before any prompt could be redrawn
    expect(clicked.status).toBe(200);
    const steps = clicked.body.steps as { status: number; elapsedMs: number }[];
    expect(steps.every((step) => step.status === 200)).toBe(true);
    expect(Math.max(...steps.map((step) => step.elapsedMs))).toBeLessThan(ACK_BUDGET_MS);
    expect(clickMs).toBeLessThan(ACK_BUDGET_MS * 2);
    expect((await stack.waitForStatus(requestId, 'DENIED')).status).toBe('DENIED');
    expect(await promptUpdates(requestId)).toEqual([]);

    // Assess: once Slack answers, every prompt is redrawn without buttons, each update audited once
    await waitFor(
      () => promptsOf(stack, requestId).every((message) => buttonsOf(message).length === 0),
      'all three prompts redrawn',
      30_000,
    );
    await waitFor(async () => (await promptUpdates(requestId)).length === 3, 'three updates audited', 10_000);
    const mail = await stack.mailbox.waitFor(
      (message) => message.text.includes(requestId) && /denied/i.test(message.subject),
    );
    expect(mail.to).toBe('ext-gus@acmesoft.example');
    await stack.noticeQueue.drained();
    expect(await promptUpdates(requestId)).toHaveLength(3);
    expect(stack.noticeQueue.state().dead).toEqual([]);
  });

  it('answers an Approve at once while Slack answers 500, and the retried updates land', async () => {
    // Prepare
    const requestId = await promptedRequest('ext-hal');
    stack.channels.slack.failNext('chat.update', 2, { http: true });

    // Act
    const clicked = await click(stack, {
      ts: promptTo(stack, requestId, 'U0DIRBEN').ts,
      slackUserId: 'U0DIRBEN',
      action: 'approve',
    });

    // Assess
    expect(clicked.status).toBe(200);
    const steps = clicked.body.steps as { status: number; elapsedMs: number }[];
    expect(Math.max(...steps.map((step) => step.elapsedMs))).toBeLessThan(ACK_BUDGET_MS);
    await stack.waitForStatus(requestId, 'ACTIVE');
    await waitFor(
      () => promptsOf(stack, requestId).every((message) => buttonsOf(message).length === 0),
      'all three prompts redrawn',
      30_000,
    );
    await stack.noticeQueue.drained();
    expect(await promptUpdates(requestId)).toHaveLength(3);
    await stack.call('POST', `/requests/${requestId}/revoke`, {
      as: 'adm-eve',
      body: { reason: 'test over' },
    });
  });
});
