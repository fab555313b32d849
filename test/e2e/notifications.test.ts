// Everyone is told what happened, on every channel that reaches them, and every notification is audited:
// granted, denied, cap full, revoked, expired, timed out, the expiry reminder, stale prompts, failing channels.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dependencies } from '../../lambdas/commons/dependencies.ts';
import { sendExpiryReminder } from '../../lambdas/use-cases/expiry-reminder.ts';
import { startTestStack, type TestStack, waitFor } from '../support/local-stack.ts';
import { auditOf, seedWithMoreSlackUsers } from '../support/slack.ts';

const justification = 'Investigating a data quality incident in the admissions feed';

function mailsTo(stack: TestStack, email: string, requestId: string) {
  return stack.mailbox
    .messages()
    .filter((message) => message.to === email && message.subject.includes(`[${requestId}]`))
    .filter((message) => !message.subject.startsWith('Approval needed'));
}

function dmsTo(stack: TestStack, slackUserId: string, requestId: string) {
  return stack.channels.slack
    .messages()
    .filter((message) => message.user === slackUserId && message.text.includes(`[${requestId}]`))
    .filter((message) => !message.text.startsWith('Approval needed'));
}

async function notices(stack: TestStack, requestId: string, kind: string) {
  return (await auditOf(stack, requestId)).filter((event) => event.details?.kind === kind);
}

async function submit(stack: TestStack, as: string, body: Record<string, unknown>) {
  const answer = await stack.call('POST', '/requests', { as, body });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  // The prompts are out (and audited) once the notifier has delivered the approval step's notice (the mails go
  // first, then the three Slack prompts).
  await waitFor(
    async () => (await notices(stack, answer.body.id, 'approval-prompt')).length === 3,
    'prompts',
  );
  return answer.body;
}

const decide = (stack: TestStack, id: string, as: string, decision: 'approve' | 'deny', comment?: string) =>
  stack.call('POST', `/requests/${id}/decisions`, {
    as,
    body: { decision, ...(comment ? { comment } : {}) },
  });

describe('notifications on the local stack', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({
      policy: { minDuration: 'PT1S', externalAdminCap: 1, approvalTimeout: 'PT10M' },
      seedFile: seedWithMoreSlackUsers(),
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('tells the requester by email and Slack when access is granted, and audits both', async () => {
    // Prepare
    const request = await submit(stack, 'ext-kim', {
      scopes: ['dataset:hes-apc'],
      justification,
      duration: 'PT1H',
    });

    // Act
    await decide(stack, request.id, 'dir-ada', 'approve');
    await stack.waitForStatus(request.id, 'ACTIVE');

    // Assess
    const mail = await waitFor(
      () =>
        mailsTo(stack, 'ext-kim@northwind.example', request.id).find((m) =>
          m.subject.startsWith('Access granted'),
        ),
      'granted email',
    );
    expect(mail.text).toContain('approved by Ada Director');
    expect(mail.text).toMatch(/Expires at: [A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC/);
    await waitFor(() => dmsTo(stack, 'U0EXTKIM', request.id).length === 1, 'granted DM');
    expect(dmsTo(stack, 'U0EXTKIM', request.id)[0]?.text).toContain('access is granted');
    const granted = await waitFor(async () => {
      const events = await notices(stack, request.id, 'granted');
      return events.length === 2 ? events : undefined;
    }, 'granted notices audited');
    expect(granted.map((event) => event.details.channel).sort()).toEqual(['email', 'slack']);
    expect(
      granted.every((event) => event.action === 'NOTIFICATION_SENT' && event.details.recipient === 'ext-kim'),
    ).toBe(true);
    // The other directors' prompts were stale: told by email (their Slack prompt was redrawn instead of a DM)
    const elsewhere = await waitFor(async () => {
      const events = await notices(stack, request.id, 'decided-elsewhere');
      return events.length === 2 ? events : undefined;
    }, 'decided-elsewhere notices');
    expect(elsewhere.map((event) => `${event.details.recipient}/${event.details.channel}`).sort()).toEqual([
      'dir-ben/email',
      'exd-cleo/email',
    ]);
    expect(mailsTo(stack, 'dir-ben@nhse.example', request.id)[0]?.subject).toContain('No action needed');

    // Act: the reminder the scheduled sweep sends before expiry (policy expiryReminderLead, PT1H by default)
    const first = await sendExpiryReminder(dependencies(), request.id);
    const second = await sendExpiryReminder(dependencies(), request.id);

    // Assess: owed once (recorded due, then sent by the notifier), on both channels
    expect([first, second]).toEqual(['sent', 'already-sent']);
    await waitFor(
      () =>
        mailsTo(stack, 'ext-kim@northwind.example', request.id).some((m) =>
          m.subject.startsWith('Access expires at'),
        ) || undefined,
      'expiry reminder email',
    );
    const reminders = await waitFor(async () => {
      const sent = await notices(stack, request.id, 'expiry-reminder');
      return sent.length === 2 ? sent : undefined;
    }, 'both expiry reminders audited');
    expect(reminders.map((e) => e.details.channel).sort()).toEqual(['email', 'slack']);

    // Act: revoked by an access-admin
    await stack.call('POST', `/requests/${request.id}/revoke`, {
      as: 'adm-eve',
      body: { reason: 'Incident closed' },
    });

    // Assess: told by whom and why
    const revoked = await waitFor(
      () =>
        mailsTo(stack, 'ext-kim@northwind.example', request.id).find((m) =>
          m.subject.startsWith('Access revoked'),
        ),
      'revoked email',
    );
    expect(revoked.text).toContain('Revoked by: Eve Access-Admin');
    expect(revoked.text).toContain('Reason:\n  | Incident closed');
  });

  it('tells the requester a deny with its comment, and the approvers who had not decided', async () => {
    // Prepare
    const request = await submit(stack, 'ext-lee', {
      scopes: ['dataset:gp-records'],
      justification,
      duration: 'PT1H',
    });

    // Act
    await decide(stack, request.id, 'exd-cleo', 'deny', 'Use the pseudonymised extract');

    // Assess
    const mail = await waitFor(
      () =>
        mailsTo(stack, 'ext-lee@northwind.example', request.id).find((m) =>
          m.subject.startsWith('Request denied'),
        ),
      'denied email',
    );
    expect(mail.text).toContain('Comment:\n  | Use the pseudonymised extract');
    expect(mail.text).toContain('Denied by: Cleo Executive');
    await waitFor(() => dmsTo(stack, 'U0EXTLEE', request.id).length === 1, 'denied DM');
    await waitFor(
      () =>
        mailsTo(stack, 'dir-ada@nhse.example', request.id).find((m) =>
          m.text.includes('denied by Cleo Executive'),
        ),
      'approver told',
    );
  });

  it('tells the requester when an approved request is rejected because the cap is full', async () => {
    // Prepare: two external admins pending at once against a cap of 1; the first takes the seat
    const first = await submit(stack, 'ext-gus', { scopes: ['admin'], justification, duration: 'PT1H' });
    const second = await submit(stack, 'ext-hal', { scopes: ['admin'], justification, duration: 'PT1H' });
    await decide(stack, first.id, 'dir-ada', 'approve');
    await decide(stack, first.id, 'dir-ben', 'approve');
    await stack.waitForStatus(first.id, 'ACTIVE');

    // Act
    await decide(stack, second.id, 'dir-ada', 'approve');
    await decide(stack, second.id, 'dir-ben', 'approve');

    // Assess
    const rejected = await stack.waitForStatus(second.id, 'REJECTED');
    expect(rejected.reason).toBe('CAP_REACHED');
    const mail = await waitFor(
      () =>
        mailsTo(stack, 'ext-hal@acmesoft.example', second.id).find((m) => m.subject.includes('cap is full')),
      'cap-full email',
    );
    expect(mail.text).toContain('all 1 external admin seats were in use');
    const audited = await waitFor(async () => {
      const events = await notices(stack, second.id, 'rejected');
      return events.length > 0 ? events : undefined;
    }, 'rejection audited');
    expect(audited.map((event) => event.action)).toEqual(['NOTIFICATION_SENT']);
    await stack.call('POST', `/requests/${first.id}/revoke`, { as: 'adm-eve', body: { reason: 'done' } });
  });

  it('keeps the lifecycle going when a channel fails: retried, then audited as NOTIFICATION_FAILED', async () => {
    // Prepare
    const request = await submit(stack, 'ext-kim', {
      scopes: ['dataset:cancer-registry'],
      justification,
      duration: 'PT1H',
    });
    stack.channels.slack.failNext('chat.postMessage', 3, { error: 'service_unavailable' });

    // Act
    await decide(stack, request.id, 'dir-ben', 'approve');

    // Assess: granted regardless; email sent; Slack tried three times, then recorded as failed
    await stack.waitForStatus(request.id, 'ACTIVE');
    const granted = await waitFor(async () => {
      const events = await notices(stack, request.id, 'granted');
      return events.length === 2 ? events : undefined;
    }, 'granted notices');
    const slack = granted.find((event) => event.details.channel === 'slack');
    expect(slack).toMatchObject({
      action: 'NOTIFICATION_FAILED',
      outcome: 'failed',
      details: { attempts: 3, error: expect.stringContaining('service_unavailable') },
    });
    expect(granted.find((event) => event.details.channel === 'email')?.action).toBe('NOTIFICATION_SENT');
    await stack.call('POST', `/requests/${request.id}/revoke`, {
      as: 'ext-kim',
      body: { reason: 'finished' },
    });
    // Revoking one's own access needs no message about it
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(
      mailsTo(stack, 'ext-kim@northwind.example', request.id).some((m) =>
        m.subject.startsWith('Access revoked'),
      ),
    ).toBe(false);
  });

  it('tells the approvers when the requester cancels', async () => {
    // Prepare
    const request = await submit(stack, 'ext-ivy', {
      scopes: ['dataset:hes-apc'],
      justification,
      duration: 'PT1H',
    });

    // Act
    await stack.call('POST', `/requests/${request.id}/cancel`, { as: 'ext-ivy' });

    // Assess
    const told = await waitFor(async () => {
      const events = await notices(stack, request.id, 'decided-elsewhere');
      return events.length === 3 ? events : undefined;
    }, 'approvers told');
    expect(told.map((event) => event.details.recipient).sort()).toEqual(['dir-ada', 'dir-ben', 'exd-cleo']);
    expect(mailsTo(stack, 'exd-cleo@nhse.example', request.id)[0]?.text).toContain(
      'cancelled by the requester',
    );
    expect(mailsTo(stack, 'ext-ivy@acmesoft.example', request.id)).toEqual([]);
  });
});

describe('notifications from the workflow timers', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ policy: { minDuration: 'PT1S', approvalTimeout: 'PT6S' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('tells the requester when the approval times out and when access expires', {
    timeout: 60_000,
  }, async () => {
    // Prepare / Act: one request nobody decides, one approved at once for two seconds
    const body = { scopes: ['dataset:hes-apc'], justification, duration: 'PT1H' };
    const unanswered = (await stack.call('POST', '/requests', { as: 'ext-jon', body })).body;
    const short = (
      await stack.call('POST', '/requests', { as: 'ext-ned', body: { ...body, duration: 'PT2S' } })
    ).body;
    expect((await decide(stack, short.id, 'dir-ada', 'approve')).status).toBe(200);

    // Assess
    await stack.waitForStatus(unanswered.id, 'TIMED_OUT', 30_000);
    const timedOut = await waitFor(
      () =>
        mailsTo(stack, 'ext-jon@acmesoft.example', unanswered.id).find((m) =>
          m.subject.startsWith('Request timed out'),
        ),
      'timed-out email',
    );
    expect(timedOut.text).toContain('Approvals: 0 of 1 required');
    await waitFor(
      async () => (await notices(stack, unanswered.id, 'decided-elsewhere')).length === 3,
      'approvers told',
    );
    await stack.waitForStatus(short.id, 'EXPIRED', 30_000);
    await waitFor(
      () =>
        mailsTo(stack, 'ext-ned@northwind.example', short.id).find((m) =>
          m.subject.startsWith('Access ended'),
        ),
      'expired email',
    );
    const expired = await notices(stack, short.id, 'expired');
    expect(expired).toEqual([
      expect.objectContaining({ action: 'NOTIFICATION_SENT', actor: { type: 'system', id: 'workflow' } }),
    ]);
  });
});
