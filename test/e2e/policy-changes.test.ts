// Policy as data on the local stack: one access-admin proposes a lower cap, cannot approve it, a second one does;
// version 2 is in force (and version 1 still answers for the instant before), the next external admin is refused
// at grant time while the grants already active keep running, flagged; the POLICY stream verifies with the rest.
// Two proposals over the same version approved at once make exactly one new version.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SEED_FILE } from '../../local/stack.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';

const JUSTIFICATION = 'Emergency platform maintenance window';
const REASON = 'Fewer external admins after the audit finding';

/** The default directory and a second access-admin, so that one can propose and the other approve. */
function seedWithSecondAccessAdmin(): string {
  const seed = JSON.parse(readFileSync(DEFAULT_SEED_FILE, 'utf8')) as { principals: { id: string }[] };
  const eve = seed.principals.find((principal) => principal.id === 'adm-eve');
  seed.principals.push({
    ...eve,
    id: 'adm-max',
    name: 'Max Access-Admin',
    email: 'adm-max@nhse.example',
  } as never);
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'keyholder-policy-seed-')), 'seed.json');
  writeFileSync(file, JSON.stringify(seed));
  return file;
}

describe('policy changes on the local stack', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({
      policy: { externalAdminCap: 3, minDuration: 'PT1S' },
      seedFile: seedWithSecondAccessAdmin(),
      sweepIntervalMs: 0,
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  const submitAdmin = async (requester: string) => {
    const answer = await stack.call('POST', '/requests', {
      as: requester,
      body: { scopes: ['admin'], justification: JUSTIFICATION, duration: 'PT1H' },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return answer.body.id as string;
  };
  const approveByBoth = async (id: string) => {
    for (const director of ['dir-ada', 'dir-ben']) {
      const answer = await stack.call('POST', `/requests/${id}/decisions`, {
        as: director,
        body: { decision: 'approve' },
      });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    }
  };
  const request = async (id: string) => (await stack.call('GET', `/requests/${id}`, { as: 'adm-eve' })).body;
  const verify = async () => (await stack.call('GET', '/audit/verify', { as: 'aud-fay' })).body;

  it('two access-admins change the cap: the next grant is refused, the active ones keep running, flagged', async () => {
    // Prepare: two external admins granted under version 1 (cap 3), a third asked for while a seat is free
    const gus = await submitAdmin('ext-gus');
    await approveByBoth(gus);
    await stack.waitForStatus(gus, 'ACTIVE');
    const hal = await submitAdmin('ext-hal');
    await approveByBoth(hal);
    await stack.waitForStatus(hal, 'ACTIVE');
    const ivy = await submitAdmin('ext-ivy');
    expect((await request(gus)).policyVersion).toBe(1);
    expect((await request(ivy)).policyVersion).toBe(1);
    const before = new Date().toISOString();
    const verifiedBefore = await verify();
    expect(verifiedBefore.ok).toBe(true);

    // Act: adm-eve proposes, refusals change nothing, adm-max approves
    const proposed = await stack.call('POST', '/policy/proposals', {
      as: 'adm-eve',
      body: { changes: { externalAdminCap: 1 }, reason: REASON },
    });
    expect(proposed.status, JSON.stringify(proposed.body)).toBe(201);
    const proposalId = proposed.body.id as string;
    expect(proposed.body).toMatchObject({
      status: 'OPEN',
      baseVersion: 1,
      diff: [{ path: 'externalAdminCap', from: 3, to: 1 }],
    });
    const decisions = `/policy/proposals/${proposalId}/decisions`;
    const own = await stack.call('POST', decisions, { as: 'adm-eve', body: { decision: 'approve' } });
    expect(own.status).toBe(403);
    expect(own.body.error).toMatchObject({
      code: 'SELF_APPROVAL',
      message: expect.stringContaining(proposalId),
    });
    const byRequester = await stack.call('POST', '/policy/proposals', {
      as: 'ext-kim',
      body: { changes: { externalAdminCap: 9 }, reason: 'More seats for us' },
    });
    expect(byRequester.status).toBe(403);
    const invalid = await stack.call('POST', '/policy/proposals', {
      as: 'adm-eve',
      body: { changes: { externalAdminCap: 'one' }, reason: REASON },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.field).toBe('changes.externalAdminCap');
    expect((await stack.call('GET', '/policy', { as: 'ext-kim' })).body.version).toBe(1);
    const approved = await stack.call('POST', decisions, {
      as: 'adm-max',
      body: { decision: 'approve', comment: 'Agreed at the governance board' },
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({
      status: 'APPROVED',
      activatedVersion: 2,
      decision: { by: 'adm-max' },
    });
    const again = await stack.call('POST', decisions, { as: 'dir-ada', body: { decision: 'deny' } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('PROPOSAL_CLOSED');
    const missing = await stack.call('POST', '/policy/proposals/pol-none/decisions', {
      as: 'adm-max',
      body: { decision: 'approve' },
    });
    expect(missing.status).toBe(404);

    // Assess: version 2 in force, version 1 at the instant before, both listed
    const now = await stack.call('GET', '/policy', { as: 'ext-kim' });
    expect(now.body).toMatchObject({ version: 2, proposedBy: 'adm-eve', approvedBy: 'adm-max' });
    expect(now.body.policy.externalAdminCap).toBe(1);
    const then = await stack.call('GET', `/policy?at=${encodeURIComponent(before)}`, { as: 'ext-kim' });
    expect(then.body).toMatchObject({ version: 1, policy: { externalAdminCap: 3 } });
    const versions = await stack.call('GET', '/policy/versions', { as: 'aud-fay' });
    expect(versions.body.versions.map((version: { version: number }) => version.version)).toEqual([1, 2]);
    const proposals = await stack.call('GET', '/policy/proposals', { as: 'dir-ada' });
    expect(proposals.body.proposals).toEqual([
      expect.objectContaining({ id: proposalId, status: 'APPROVED' }),
    ]);

    // Assess: the trail verifies with the POLICY stream in it (one more stream, its three events)
    const verifiedAfter = await verify();
    expect(verifiedAfter.ok).toBe(true);
    expect(verifiedAfter.streams).toBe(verifiedBefore.streams + 1);
    expect(verifiedAfter.events).toBeGreaterThanOrEqual(verifiedBefore.events + 3);
    const csv = await stack.call('GET', `/audit.csv?from=${encodeURIComponent(before)}`, { as: 'aud-fay' });
    for (const action of ['POLICY_CHANGE_PROPOSED', 'POLICY_CHANGE_APPROVED', 'POLICY_ACTIVATED'])
      expect(String(csv.body)).toContain(action);

    // Act: the third external admin's approvals, now under version 2
    await approveByBoth(ivy);
    await stack.waitForStatus(ivy, 'REJECTED');

    // Assess: refused at grant time under the new cap, recorded as decided under version 2; the two grants run
    expect(await request(ivy)).toMatchObject({ reason: 'CAP_REACHED', policyVersion: 2 });
    expect((await request(gus)).status).toBe('ACTIVE');
    expect((await request(hal)).status).toBe('ACTIVE');
    const access = await stack.call('GET', '/access', { as: 'adm-eve' });
    const entry = (id: string) =>
      access.body.access.find((holding: { requestId: string }) => holding.requestId === id);
    expect(entry(gus).overRules).toEqual([]);
    expect(entry(hal).overRules).toEqual([
      {
        rule: 'externalAdminCap',
        reason:
          'granted 2nd of 2 external admins, over the cap of 1 now in force: it keeps running, and no new one is granted until they are under the cap',
      },
    ]);
    const report = await stack.call('GET', '/transparency?format=json');
    expect(report.body.externalAdminSeats).toEqual({ inUse: 2, cap: 1 });
    expect(report.body.grantsOverRules).toEqual({
      total: 1,
      byRule: [{ key: 'externalAdminCap', count: 1 }],
    });
  }, 120_000);

  it('two proposals over the same version, approved at once: exactly one becomes the next version', async () => {
    // Prepare
    const base = (await stack.call('GET', '/policy', { as: 'adm-eve' })).body.version as number;
    const propose = async (lead: string) => {
      const answer = await stack.call('POST', '/policy/proposals', {
        as: 'adm-eve',
        body: { changes: { expiryReminderLead: lead }, reason: 'Remind holders earlier' },
      });
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
      return answer.body.id as string;
    };
    const first = await propose('PT2H');
    const second = await propose('PT3H');

    // Act
    const answers = await Promise.all([
      stack.call('POST', `/policy/proposals/${first}/decisions`, {
        as: 'adm-max',
        body: { decision: 'approve' },
      }),
      stack.call('POST', `/policy/proposals/${second}/decisions`, {
        as: 'dir-ada',
        body: { decision: 'approve' },
      }),
    ]);

    // Assess: one approval made version base + 1; the other was stale (its base is no longer in force)
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    const lost = answers.find((answer) => answer.status === 409);
    expect(lost?.body.error.code).toBe('PROPOSAL_STALE');
    const won = answers.find((answer) => answer.status === 200);
    expect(won?.body.activatedVersion).toBe(base + 1);
    const versions = await stack.call('GET', '/policy/versions', { as: 'adm-eve' });
    expect(versions.body.versions.map((version: { version: number }) => version.version)).toEqual(
      Array.from({ length: base + 1 }, (_, index) => index + 1),
    );
    const current = await stack.call('GET', '/policy', { as: 'adm-eve' });
    expect(current.body.version).toBe(base + 1);
    expect(current.body.policy.expiryReminderLead).toBe(won?.body.id === first ? 'PT2H' : 'PT3H');
    expect((await stack.call('GET', '/audit/verify', { as: 'aud-fay' })).body.ok).toBe(true);
  }, 120_000);
});
