// The local stack itself: dev routes, two stacks side by side on one DynamoDB Local, a persisted restart, and policy
// file errors.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../local/stack.ts';
import { startTestStack, type TestStack, waitFor } from '../support/local-stack.ts';

const run = promisify(execFile);
const justification = 'Reconciling the registry extract with source';

describe('local stack', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('serves the dev routes: tokens, the seeded directory, the mailbox', async () => {
    const token = await fetch(`${stack.url}/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"sub":"ext-kim"}',
    });
    const { token: jwt } = (await token.json()) as { token: string };
    const datasets = await fetch(`${stack.url}/datasets`, { headers: { authorization: `Bearer ${jwt}` } });
    expect(datasets.status).toBe(200);
    const badToken = await fetch(`${stack.url}/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(badToken.status).toBe(400);

    const principals = (await (await fetch(`${stack.url}/dev/principals`)).json()) as Array<
      Record<string, unknown>
    >;
    expect(principals).toHaveLength(16);
    expect(principals.find((principal) => principal.id === 'ext-oli')).toMatchObject({
      organisation: 'AcmeSoft',
      clearance: { level: 'SC', expiresAt: '2025-01-31T00:00:00.000Z' },
      active: true,
    });
    const directors = principals.filter(
      (p) => p.organisation === 'NHSE' && String(p.grade).includes('director'),
    );
    expect(directors).toHaveLength(3);

    const created = await stack.call('POST', '/requests', {
      as: 'ext-kim',
      body: { scopes: ['dataset:hes-apc'], justification, duration: 'PT1H' },
    });
    const mailbox = await waitFor(async () => {
      const messages = (await (await fetch(`${stack.url}/dev/mailbox`)).json()) as Array<
        Record<string, string>
      >;
      return messages.some((message) => message.subject?.includes(created.body.id)) ? messages : undefined;
    }, 'mail in /dev/mailbox');
    expect(mailbox[0]).toEqual(
      expect.objectContaining({
        to: expect.any(String),
        subject: expect.any(String),
        text: expect.any(String),
        html: expect.any(String),
        sentAt: expect.any(String),
      }),
    );
  });

  it("runs a second stack side by side on the run's DynamoDB Local, in tables of its own", {
    timeout: 120_000,
  }, async () => {
    const second = await startTestStack();
    try {
      expect(second.dynamodbEndpoint).toBe(stack.dynamodbEndpoint);
      expect(second.tables.stateTable).not.toBe(stack.tables.stateTable);
      expect(second.tables.auditTable).not.toBe(stack.tables.auditTable);
      expect(second.url).not.toBe(stack.url);
      expect((await second.call('GET', '/health')).status).toBe(200);
    } finally {
      await second.stop();
    }
    // Stopping it dropped its tables and left the first stack's alone.
    const client = new DynamoDBClient({
      endpoint: stack.dynamodbEndpoint,
      region: 'eu-west-2',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const exists = (TableName: string) =>
      client.send(new DescribeTableCommand({ TableName })).then(
        () => true,
        (error: Error) => (error.name === 'ResourceNotFoundException' ? false : Promise.reject(error)),
      );
    expect(await exists(second.tables.stateTable)).toBe(false);
    expect(await exists(second.tables.auditTable)).toBe(false);
    expect(await exists(stack.tables.stateTable)).toBe(true);
    client.destroy();
    expect((await stack.call('GET', '/health')).status).toBe(200);
  });

  it('re-arms pending approvals after a restart on persisted data; the old link still decides', {
    timeout: 120_000,
  }, async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'keyholder-persist-'));
    try {
      const first = await startTestStack({ persistDir: dataDir, policy: { minDuration: 'PT1S' } });
      let requestId = '';
      let link = '';
      try {
        const created = await first.call('POST', '/requests', {
          as: 'ext-lee',
          body: { scopes: ['dataset:gp-records'], justification, duration: 'PT1H' },
        });
        requestId = created.body.id;
        // All three directors mailed (and recorded as notified) before the stop.
        await waitFor(async () => {
          const trail = await first.call('GET', `/audit?requestId=${requestId}`, { as: 'aud-fay' });
          const sent = trail.body.events.filter(
            (event: { action: string; details?: { channel?: string } }) =>
              event.action === 'NOTIFICATION_SENT' && event.details?.channel === 'email',
          );
          return sent.length === 3 ? true : undefined;
        }, 'three notifications recorded');
        [link] = first.approvalLinks('dir-ben', requestId) as [string];
      } finally {
        await first.stop();
      }
      const second = await startTestStack({ persistDir: dataDir, policy: { minDuration: 'PT1S' } });
      try {
        const stillPending = await second.call('GET', `/requests/${requestId}`, { as: 'ext-lee' });
        expect(stillPending.body.status).toBe('PENDING_APPROVAL');
        const relinked = link.replace(/^http:\/\/[^/]+/, second.url);
        const decided = await fetch(relinked, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'decision=approve',
        });
        expect(decided.status).toBe(200);
        await second.waitForStatus(requestId, 'ACTIVE');
        // No approval email twice; outcome notices (granted, no longer needed) are new mail.
        expect(
          second.mailbox
            .messages()
            .filter(
              (message) =>
                message.subject.startsWith('Approval needed') && message.subject.includes(requestId),
            ),
        ).toHaveLength(0);
      } finally {
        await second.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('npm start refuses a KEYHOLDER_POLICY file with an unknown key, naming it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'keyholder-policy-'));
    const file = path.join(dir, 'policy.json');
    await writeFile(file, JSON.stringify({ externalAdminCap: 3, review: { graceDays: 2 } }));
    try {
      const failure = await run(process.execPath, [path.join(REPO_ROOT, 'local/start.ts')], {
        env: { ...process.env, KEYHOLDER_POLICY: file, PORT: '0' },
        timeout: 30_000,
      }).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failure?.code).toBe(1);
      expect(failure?.stderr).toContain('unknown key "review.graceDays"');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
