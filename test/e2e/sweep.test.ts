// The scheduled sweep end to end on the local stack, running on its own timer every second as it would every 15
// minutes on AWS: the expiry safety net, lapsed and deactivated holders changed behind the API's back, races with
// the workflow and with itself, and seat counter drift repair. Each revoke carries its own reason and event.
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbDirectory } from '../../lambdas/adapters/dynamodb/directory.ts';
import { keys, SEATS_AUDIT_STREAM } from '../../lambdas/adapters/dynamodb/schema.ts';
import { documentClient } from '../../lambdas/commons/clients.ts';
import { dependencies } from '../../lambdas/commons/dependencies.ts';
import { verifyChain } from '../../lambdas/core/audit.ts';
import type { Principal } from '../../lambdas/core/model.ts';
import { startTestStack, type TestStack, waitFor } from '../support/local-stack.ts';

const justification = 'Investigating a data quality incident in the admissions feed';

describe('the sweep on the local stack', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({
      policy: { minDuration: 'PT1S', externalAdminCap: 3, approvalTimeout: 'PT10M' },
      sweepIntervalMs: 1000,
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

  async function eventsOf(requestId: string) {
    const audit = await stack.call('GET', `/audit?requestId=${requestId}`, { as: 'aud-fay' });
    return audit.body.events as Array<{ action: string; actor: { id: string }; reason?: string }>;
  }

  /** A directory change made around the API (a sync job, a console edit): only the sweep can notice it. */
  async function writeAroundTheApi(principalId: string, change: Partial<Principal>) {
    const directory = new DynamoDbDirectory(documentClient(), stack.tables);
    const current = await directory.getPrincipal(principalId);
    if (!current) throw new Error(`${principalId} is seeded`);
    await directory.putPrincipal({ ...current, ...change });
  }

  it('answers POST /dev/sweep with what it did', async () => {
    // Act
    const answer = await stack.call('POST', '/dev/sweep');

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      at: expect.any(String),
      expired: expect.any(Array),
      reviewOverdue: expect.any(Array),
      clearanceLapsed: expect.any(Array),
      principalInactive: expect.any(Array),
      reviewsPrompted: expect.any(Array),
      remindersSent: expect.any(Array),
      seats: { drift: expect.any(Number) },
      failures: [],
    });
  });

  it('EXPIRED: a grant whose workflow was lost is expired by the sweep on its own timer', async () => {
    // Prepare: an external admin, so the seat must come back too
    const grant = await activeGrant('ext-gus', ['admin'], 'PT6S');
    await dependencies().workflow.stop(grant.id, 'simulating a lost execution');

    // Act
    const expired = await stack.waitForStatus(grant.id, 'EXPIRED', 15_000);

    // Assess
    expect(expired).toMatchObject({ reason: 'EXPIRED' });
    const events = await eventsOf(grant.id);
    expect(events.filter((event) => event.action === 'GRANT_EXPIRED')).toEqual([
      expect.objectContaining({ actor: { type: 'system', id: 'sweep' }, reason: 'EXPIRED' }),
    ]);
    expect((await dependencies().store.externalAdminSeats()).total).toBe(0);
  });

  it('a workflow expiry and overlapping sweeps of the same grant produce one expiry, and the seat drops once', async () => {
    // Prepare
    const grant = await activeGrant('ext-hal', ['admin'], 'PT3S');
    const seatsBefore = (await dependencies().store.externalAdminSeats()).total;
    const expiresAt = Date.parse(grant.grant.expiresAt);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now() - 100)));

    // Act: three sweeps at a time, every 20 ms, racing the workflow's own Expire
    const reports: Array<{ expired: string[] }> = [];
    while (Date.now() < expiresAt + 2500) {
      const answers = await Promise.all([1, 2, 3].map(() => stack.call('POST', '/dev/sweep')));
      reports.push(...answers.map((answer) => answer.body));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const final = await stack.waitForStatus(grant.id, 'EXPIRED');

    // Assess
    const events = await eventsOf(grant.id);
    expect(events.filter((event) => event.action === 'GRANT_EXPIRED')).toHaveLength(1);
    expect(events.filter((event) => event.action === 'GRANT_REVOKED')).toHaveLength(0);
    expect(reports.filter((report) => report.expired.includes(grant.id)).length).toBeLessThanOrEqual(1);
    expect(final.reason).toBe('EXPIRED');
    expect(seatsBefore).toBe(1);
    expect((await dependencies().store.externalAdminSeats()).total).toBe(0);
    expect((await dependencies().store.seatLedger()).holders).toEqual([]);
  });

  it('reminds the holder once when the grant comes within expiryReminderLead, however many sweeps run', async () => {
    // Prepare: PT5M is well inside the default lead of PT1H
    const grant = await activeGrant('ext-jon', ['dataset:hes-apc'], 'PT5M');

    // Act
    for (let i = 0; i < 3; i++) await stack.call('POST', '/dev/sweep');
    const reminders = await waitFor(async () => {
      const events = await stack.call('GET', `/audit?requestId=${grant.id}`, { as: 'aud-fay' });
      const sent = events.body.events.filter(
        (event: { action: string; details?: { kind?: string } }) =>
          event.action === 'NOTIFICATION_SENT' && event.details?.kind === 'expiry-reminder',
      );
      return sent.length > 0 ? sent : undefined;
    }, 'an expiry reminder');

    // Assess
    expect(reminders).toEqual([
      expect.objectContaining({
        actor: { type: 'system', id: 'sweep' },
        details: expect.objectContaining({ recipient: 'ext-jon' }),
      }),
    ]);
    expect(
      stack.mailbox
        .messages()
        .filter(
          (message) =>
            message.to === 'ext-jon@acmesoft.example' && message.subject.includes('Access expires at'),
        ),
    ).toHaveLength(1);
    await stack.call('POST', `/requests/${grant.id}/revoke`, { as: 'ext-jon', body: { reason: 'done' } });
  });

  it('CLEARANCE_LAPSED: a clearance that runs out while the grant runs ends it', async () => {
    // Prepare
    const grant = await activeGrant('ext-kim', ['dataset:hes-apc'], 'PT5M');
    await writeAroundTheApi('ext-kim', {
      clearance: { level: 'SC', expiresAt: new Date(Date.now() + 1500).toISOString() },
    });

    // Act
    const revoked = await stack.waitForStatus(grant.id, 'REVOKED', 15_000);

    // Assess
    expect(revoked).toMatchObject({ reason: 'CLEARANCE_LAPSED', closedBy: 'sweep' });
    expect((await eventsOf(grant.id)).filter((event) => event.action === 'GRANT_REVOKED')).toEqual([
      expect.objectContaining({ reason: 'CLEARANCE_LAPSED', actor: { type: 'system', id: 'sweep' } }),
    ]);
    await writeAroundTheApi('ext-kim', { clearance: { level: 'SC', expiresAt: '2029-12-31T00:00:00.000Z' } });
  });

  it('PRINCIPAL_INACTIVE: a holder deactivated around the API loses every grant at the next sweep', async () => {
    // Prepare
    const first = await activeGrant('ext-lee', ['dataset:gp-records'], 'PT5M');
    const second = await activeGrant('ext-lee', ['dataset:cancer-registry'], 'PT5M');
    await writeAroundTheApi('ext-lee', { active: false });

    // Act
    const revoked = await Promise.all(
      [first, second].map((grant) => stack.waitForStatus(grant.id, 'REVOKED', 15_000)),
    );

    // Assess
    for (const request of revoked) {
      expect(request).toMatchObject({ reason: 'PRINCIPAL_INACTIVE', closedBy: 'sweep' });
      expect((await eventsOf(request.id)).filter((event) => event.action === 'GRANT_REVOKED')).toHaveLength(
        1,
      );
    }
    await writeAroundTheApi('ext-lee', { active: true });
  });

  it('repairs seat counter drift: corrected to the seats actually held, audited on its own chain', async () => {
    // Prepare: one real seat, counters that claim three
    const holder = await activeGrant('ext-ivy', ['admin'], 'PT5M');
    // Both counters in one write, so the sweep's timer cannot see one drifted and the other not.
    await documentClient().send(
      new TransactWriteCommand({
        TransactItems: [keys.seats(), keys.organisationSeats('AcmeSoft')].map((Key) => ({
          Update: {
            TableName: stack.tables.stateTable,
            Key,
            UpdateExpression: 'SET #count = :three',
            ExpressionAttributeNames: { '#count': 'count' },
            ExpressionAttributeValues: { ':three': 3 },
          },
        })),
      }),
    );

    // Act: the timer's next sweep finds it
    const events = await waitFor(async () => {
      const stream = await dependencies().store.readAuditStream(SEATS_AUDIT_STREAM);
      return stream.some((event) => event.details?.recorded === 3) ? stream : undefined;
    }, 'a seat reconciliation');
    const after = await stack.call('POST', '/dev/sweep');

    // Assess
    expect(events.at(-1)).toMatchObject({
      action: 'SEATS_RECONCILED',
      actor: { type: 'system', id: 'sweep' },
      reason: 'SEAT_COUNTER_DRIFT',
      details: {
        recorded: 3,
        actual: 1,
        drift: 2,
        organisations: ['AcmeSoft: 3 -> 1'],
        holders: [holder.id],
      },
    });
    expect(verifyChain(events)).toMatchObject({ ok: true });
    expect(await dependencies().store.externalAdminSeats()).toMatchObject({
      total: 1,
      byOrganisation: expect.objectContaining({ AcmeSoft: 1 }),
    });
    expect(after.body.seats).toEqual({ recorded: 1, actual: 1, drift: 0, corrected: false });
    await stack.call('POST', `/requests/${holder.id}/revoke`, { as: 'ext-ivy', body: { reason: 'done' } });
  });
});
