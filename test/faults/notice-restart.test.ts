// `npm start --persist` killed between commits and the sending of their notices (the local queue holds every
// message, KEYHOLDER_LOCAL_NOTICES_HELD=1, then the process group is SIGKILLed) and restarted on its data: a
// decision's notice and a submitted request's approval prompts, each recorded as due in its own transaction, are
// delivered after the restart, exactly once.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbNotificationLedger } from '../../lambdas/adapters/dynamodb/notification-ledger.ts';
import { documentClientOn, type StackProcess, startStackProcess, waitUntil } from '../support/faults.ts';

const POLICY = { minDuration: 'PT1S', approvalTimeout: 'PT10M' };
const TABLES = { stateTable: 'keyholder-state', auditTable: 'keyholder-audit' };

let dataDir: string;
let policyFile: string;
let stack: StackProcess | undefined;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'keyholder-notice-faults-'));
  policyFile = path.join(dataDir, '..', `${path.basename(dataDir)}-policy.json`);
  await writeFile(policyFile, JSON.stringify(POLICY));
});

afterAll(async () => {
  await stack?.stop();
  await rm(dataDir, { recursive: true, force: true });
  await rm(policyFile, { force: true });
});

/** The approval mails' NOTIFICATION_SENT events (channel email, no kind: lambdas/use-cases/request-approval.ts). */
const approvalMailsAudited = async (requestId: string) => {
  const audit = await (stack as StackProcess).call('GET', `/audit?requestId=${requestId}`, { as: 'aud-fay' });
  return (
    audit.body.events as {
      action: string;
      details?: { kind?: string; channel?: string; recipient?: string };
    }[]
  ).filter(
    (event) =>
      event.action === 'NOTIFICATION_SENT' && event.details?.channel === 'email' && !event.details.kind,
  );
};

const deniedNotices = async (requestId: string) => {
  const audit = await (stack as StackProcess).call('GET', `/audit?requestId=${requestId}`, { as: 'aud-fay' });
  return (audit.body.events as { action: string; details?: { kind?: string; channel?: string } }[]).filter(
    (event) => event.action === 'NOTIFICATION_SENT' && event.details?.kind === 'denied',
  );
};

describe('a process killed between commit and send', () => {
  it('delivers every committed notice exactly once after the restart', async () => {
    // Prepare: a pending request, denied while the queue holds every message
    stack = await startStackProcess({ dataDir, policyFile, env: { KEYHOLDER_LOCAL_NOTICES_HELD: '1' } });
    const submitted = await stack.call('POST', '/requests', {
      as: 'ext-gus',
      body: {
        scopes: ['dataset:hes-apc'],
        justification: 'Investigating a data quality incident in the admissions feed',
        duration: 'PT1H',
      },
    });
    expect(submitted.status).toBe(201);
    const requestId = submitted.body.id as string;
    await waitUntil(
      async () =>
        (await (stack as StackProcess).call('GET', `/requests/${requestId}`, { as: 'ext-gus' })).body
          .status === 'PENDING_APPROVAL' || undefined,
      'pending',
    );
    const denied = await stack.call('POST', `/requests/${requestId}/decisions`, {
      as: 'dir-ada',
      body: { decision: 'deny', comment: 'Not needed for this incident' },
    });
    expect(denied.status).toBe(200);
    // A second request left pending: its approval step commits the approval-prompt notice, held like the rest.
    const pending = await stack.call('POST', '/requests', {
      as: 'ext-hal',
      body: {
        scopes: ['dataset:hes-apc'],
        justification: 'Reconciling admissions counts for the quarterly return',
        duration: 'PT1H',
      },
    });
    expect(pending.status).toBe(201);
    const pendingId = pending.body.id as string;
    // Two approval-prompt notices (one per approval step) and the decision's notice, none sent.
    await waitUntil(
      async () =>
        ((await (stack as StackProcess).call('GET', '/dev/queue')).body.queued as unknown[]).length === 3 ||
        undefined,
      'three notices held',
    );
    expect(await deniedNotices(requestId)).toEqual([]);
    expect(await approvalMailsAudited(pendingId)).toEqual([]);

    // Act: killed with the notice committed and never sent, then restarted on the same data
    await stack.killGroup();
    stack = await startStackProcess({ dataDir, policyFile });

    // Assess: sent once, marked sent, and nothing owed any more
    await waitUntil(
      async () => ((await deniedNotices(requestId)).length > 0 ? true : undefined),
      'the denied notice',
    );
    const mailbox = await stack.call('GET', '/dev/mailbox');
    const mails = (mailbox.body as { to: string; subject: string; text: string }[]).filter(
      (message) => message.text.includes(requestId) && /denied/i.test(message.subject),
    );
    // The requester's notice, and the undecided approvers' "decided elsewhere", each to each person once.
    const recipients = mails.map((message) => message.to);
    expect(recipients).toContain('ext-gus@acmesoft.example');
    expect(recipients.filter((to) => to === 'ext-gus@acmesoft.example')).toHaveLength(1);
    expect(new Set(recipients).size).toBe(recipients.length);
    // The pending request's approvers: each mailed once (one link each), none twice, once the queue drained.
    await waitUntil(
      async () =>
        ((await (stack as StackProcess).call('GET', '/dev/queue')).body.queued as unknown[]).length === 0 ||
        undefined,
      'the queue drained',
    );
    const prompted = await approvalMailsAudited(pendingId);
    const prompts = (
      (await stack.call('GET', '/dev/mailbox')).body as { to: string; subject: string }[]
    ).filter(
      (message) => message.subject.startsWith('Approval needed') && message.subject.includes(pendingId),
    );
    expect(prompts.length).toBeGreaterThan(0);
    expect(new Set(prompts.map((message) => message.to)).size).toBe(prompts.length);
    const recipientsAudited = prompted.map((event) => event.details?.recipient);
    expect(new Set(recipientsAudited).size).toBe(recipientsAudited.length);
    const swept = await stack.call('POST', '/dev/sweep');
    expect(swept.body.noticesResent).toEqual([]);
    expect(await deniedNotices(requestId)).toHaveLength(1);
    expect(await approvalMailsAudited(pendingId)).toHaveLength(prompts.length);
    const { client, documentClient } = documentClientOn(stack.dynamodbEndpoint);
    try {
      const unsent = await new DynamoDbNotificationLedger(documentClient, TABLES).listUnsentNotices(
        new Date(Date.now() + 3_600_000).toISOString(),
      );
      expect(unsent).toEqual([]);
    } finally {
      client.destroy();
    }
  }, 300_000);
});
