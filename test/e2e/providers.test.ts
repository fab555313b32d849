// Grants that become real on a platform, end to end on the local stack: `admin` is mapped to a webhook provider
// pointed at the local dev platform (signed requests, failures on demand). A grant is provisioned there; a refusal
// leaves the request FAILED with its seat freed; a revoke while the platform is down stays pending until the sweep.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevPlatform, startDevPlatform } from '../../local/dev-platform.ts';
import { startTestStack, type TestStack, waitFor } from '../support/local-stack.ts';

const justification = 'Investigating a data quality incident in the admissions feed';
const PROVIDER = 'platform-admin-api';

describe('access providers on the local stack', () => {
  let platform: DevPlatform;
  let stack: TestStack;

  beforeAll(async () => {
    const secret = randomBytes(24).toString('hex');
    platform = await startDevPlatform({ secret });
    stack = await startTestStack({
      policy: {
        // One seat: a second admin can only be granted once a failed grant gave its seat back.
        externalAdminCap: 1,
        approvalTimeout: 'PT10M',
        providers: { [PROVIDER]: { type: 'webhook', url: platform.url, timeout: 'PT2S', maxAttempts: 2 } },
        scopeProviders: { admin: PROVIDER },
      },
      providerSecrets: { [PROVIDER]: secret },
      sweepIntervalMs: 0,
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await platform?.stop();
  });

  async function approvedAdmin(requester: string): Promise<string> {
    const created = await stack.call('POST', '/requests', {
      as: requester,
      body: { scopes: ['admin'], justification, duration: 'PT1H' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await waitFor(
      () => stack.approvalLinks('dir-ada', created.body.id).length > 0 || undefined,
      'approval prompt',
    );
    for (const approver of ['dir-ada', 'dir-ben']) {
      const decided = await stack.call('POST', `/requests/${created.body.id}/decisions`, {
        as: approver,
        body: { decision: 'approve' },
      });
      expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    }
    return created.body.id as string;
  }

  async function actionsOf(requestId: string): Promise<string[]> {
    const audit = await stack.call('GET', `/audit?requestId=${requestId}`, { as: 'aud-fay' });
    return (audit.body.events as Array<{ action: string }>)
      .map((event) => event.action)
      .filter((action) => !action.startsWith('NOTIFICATION_'));
  }

  const holds = (principalId: string) =>
    platform.assignments().some((entry) => entry.principalId === principalId && entry.scope === 'admin');

  it('a platform refusal leaves FAILED and frees the seat; the next admin is provisioned on the platform', async () => {
    // Prepare: the platform refuses the next change
    platform.failNext(1, 'refuse', 'change');

    // Act
    const refusedId = await approvedAdmin('ext-kim');
    const refused = await stack.waitForStatus(refusedId, 'FAILED');

    // Assess
    expect(refused.reason).toEqual(expect.any(String));
    expect(holds('ext-kim')).toBe(false);
    expect(await actionsOf(refusedId)).toEqual(
      expect.arrayContaining(['REQUEST_APPROVED', 'PROVISIONING_STARTED', 'PROVISIONING_FAILED']),
    );
    expect((await actionsOf(refusedId)).includes('GRANT_ACTIVATED')).toBe(false);

    // Act: the only seat is free again
    const grantedId = await approvedAdmin('ext-gus');
    const granted = await stack.waitForStatus(grantedId, 'ACTIVE');

    // Assess: provisioned on the platform, signed, under the request id as idempotency key
    expect(granted.grant.expiresAt).toEqual(expect.any(String));
    expect(holds('ext-gus')).toBe(true);
    const grantCall = platform.requests().find((entry) => entry.idempotencyKey?.includes(grantedId));
    expect(grantCall?.verdict).toBe('valid');
    expect((await actionsOf(grantedId)).slice(-2)).toEqual(['PROVISIONING_STARTED', 'GRANT_ACTIVATED']);
    const access = await stack.call('GET', '/access', { as: 'adm-eve' });
    expect(JSON.stringify(access.body)).toContain(grantedId);
  });

  it('a revoke while the platform is down stays pending (202, still ACTIVE) until the sweep completes it', async () => {
    // Prepare: ext-gus holds admin from the test above; the platform fails every attempt of the next revoke
    const active = (await stack.call('GET', '/requests?status=ACTIVE', { as: 'ext-gus' })).body.requests[0];
    expect(active?.status).toBe('ACTIVE');
    platform.failNext(2, 'error', 'change');

    // Act
    const revoked = await stack.call('POST', `/requests/${active.id}/revoke`, {
      as: 'adm-eve',
      body: { reason: 'Contract ended early' },
    });

    // Assess: the access still exists, so the record says so
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(202);
    expect(revoked.body).toMatchObject({
      status: 'ACTIVE',
      revocation: { reason: 'Contract ended early', attempts: 1 },
      message: expect.stringContaining('pending'),
    });
    expect(holds('ext-gus')).toBe(true);
    expect((await actionsOf(active.id)).at(-1)).toBe('DEPROVISIONING_FAILED');

    // Act: the platform is back; the sweep retries the pending revocation
    const swept = await stack.call('POST', '/dev/sweep');

    // Assess
    expect(swept.status).toBe(200);
    expect(swept.body.revocationsCompleted).toEqual([active.id]);
    const after = await stack.waitForStatus(active.id, 'REVOKED');
    expect(after).toMatchObject({ reason: 'Contract ended early', closedBy: 'adm-eve' });
    expect(after.revocation).toBeUndefined();
    expect(holds('ext-gus')).toBe(false);
    expect((await actionsOf(active.id)).at(-1)).toBe('GRANT_REVOKED');
  });
});
