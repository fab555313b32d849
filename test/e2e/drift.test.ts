// Drift found and repaired end to end on the local stack: `admin` is provisioned through the webhook provider on
// the local platform (local/dev-platform.ts, which checks every signature). Access added there behind Keyholder's
// back is audited once, shown in GET /access and the transparency report, and removed; a grant dropped there is
// re-applied by the sweep; the audit trail still verifies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dependencies } from '../../lambdas/commons/dependencies.ts';
import { verifyChain } from '../../lambdas/core/audit.ts';
import { driftAuditStream } from '../../lambdas/core/drift.ts';
import type { DevPlatform } from '../../local/dev-platform.ts';
import { DEV_PLATFORM_PROVIDER } from '../../local/dev-providers.ts';
import { startTestStack, type TestStack, waitFor } from '../support/local-stack.ts';

const justification = 'Investigating a data quality incident in the admissions feed';

describe('drift detection on the local stack', () => {
  let stack: TestStack;
  let platform: DevPlatform;

  beforeAll(async () => {
    stack = await startTestStack({
      policy: { minDuration: 'PT1S', removeOutOfBand: true },
      devPlatform: true,
      sweepIntervalMs: 0,
    });
    if (!stack.platform) throw new Error('the local platform was asked for');
    platform = stack.platform;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const sweepNow = async () => {
    const answer = await stack.call('POST', '/dev/sweep');
    expect(answer.status).toBe(200);
    const drift = answer.body.drift;
    return {
      ...drift,
      platform: drift.providers.find(
        (entry: { provider: string }) => entry.provider === DEV_PLATFORM_PROVIDER,
      ),
    };
  };
  const driftEvents = () => dependencies().store.readAuditStream(driftAuditStream(DEV_PLATFORM_PROVIDER));
  const holds = (principalId: string, scope: string) =>
    platform.assignments().some((entry) => entry.principalId === principalId && entry.scope === scope);

  it('out-of-band admin access is audited once, shown, counted, and removed once the platform lets it', async () => {
    // Prepare: someone made ext-pat an admin on the platform directly; the first removal is refused there
    platform.addOutOfBand('ext-pat', 'admin');
    platform.failNext(1, 'refuse', 'change');

    // Act
    const first = await sweepNow();
    const access = await stack.call('GET', '/access', { as: 'dir-ada' });
    const report = await stack.call('GET', '/transparency?format=json');
    const page = await stack.call('GET', '/transparency');

    // Assess: found, the removal failed and is reported, the access is visible everywhere it should be
    expect(first.platform).toMatchObject({
      found: [{ principalId: 'ext-pat', scope: 'admin' }],
      removed: [],
    });
    expect(first.failures).toEqual([
      expect.objectContaining({ provider: DEV_PLATFORM_PROVIDER, target: 'ext-pat admin' }),
    ]);
    expect(access.status).toBe(200);
    expect(access.body).toMatchObject({
      outOfBand: [{ provider: DEV_PLATFORM_PROVIDER, principalId: 'ext-pat', scope: 'admin' }],
      outOfBandCount: 1,
    });
    expect(report.body.outOfBandAccess).toBe(1);
    expect(page.body).toContain('data-figure="out-of-band"><span class="value">1</span>');
    expect(holds('ext-pat', 'admin')).toBe(true);

    // Act: the next sweep tries again, and the platform lets it
    const second = await sweepNow();

    // Assess
    expect(second.platform).toMatchObject({
      found: [],
      removed: [{ principalId: 'ext-pat', scope: 'admin' }],
    });
    expect(holds('ext-pat', 'admin')).toBe(false);
    expect((await driftEvents()).map((event) => event.action)).toEqual([
      'OUT_OF_BAND_ACCESS_FOUND',
      'OUT_OF_BAND_ACCESS_REMOVED',
    ]);
    const after = await stack.call('GET', '/access', { as: 'aud-fay' });
    expect(after.body).toMatchObject({ outOfBand: [], outOfBandCount: 0 });
    expect((await stack.call('GET', '/transparency?format=json')).body.outOfBandAccess).toBe(0);
    // Every call the platform received carried a valid signature.
    expect(platform.requests().filter((request) => request.verdict !== 'valid')).toEqual([]);
  });

  it('an admin grant dropped on the platform is re-applied by the sweep and audited on its request', async () => {
    // Prepare: an internal admin granted through Keyholder (on the platform once the grant is provisioned)
    const created = await stack.call('POST', '/requests', {
      as: 'mgr-dan',
      body: { scopes: ['admin'], justification, duration: 'PT1H' },
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
    await stack.waitForStatus(created.body.id, 'ACTIVE', 30_000);
    await waitFor(() => holds('mgr-dan', 'admin') || undefined, 'the grant on the platform');
    platform.drop('mgr-dan', 'admin');

    // Act
    const drift = await sweepNow();

    // Assess
    expect(drift.platform.reapplied).toEqual([
      { principalId: 'mgr-dan', scope: 'admin', requestId: created.body.id },
    ]);
    expect(holds('mgr-dan', 'admin')).toBe(true);
    const audit = await stack.call('GET', `/audit?requestId=${created.body.id}`, { as: 'aud-fay' });
    expect(audit.body.events.at(-1)).toMatchObject({
      action: 'GRANT_REAPPLIED',
      actor: { type: 'system', id: 'sweep' },
      details: { provider: DEV_PLATFORM_PROVIDER },
    });
    // Nothing else drifted: the grant is expected, so it is not out-of-band.
    expect((await sweepNow()).platform).toMatchObject({ found: [], reapplied: [], open: 0 });
  });

  it('the trail verifies, the drift stream included', async () => {
    // Act
    const verdict = await stack.call('GET', '/audit/verify', { as: 'aud-fay' });

    // Assess
    expect(verdict.body).toMatchObject({ ok: true });
    expect(verifyChain(await driftEvents())).toMatchObject({ ok: true, count: 2 });
  });
});
