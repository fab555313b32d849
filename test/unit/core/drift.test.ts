// Drift in the core, from plain values: the comparison, the plan against open items, what counts as a request
// accounting for access, the idempotency keys, and the audit event drafts.
import { describe, expect, it } from 'vitest';
import type { AccessAssignment } from '../../../lambdas/core/access-provider.ts';
import {
  accountsFor,
  compareAccess,
  type DriftItem,
  driftAuditStream,
  expectsAccess,
  grantReapplied,
  outOfBandFoundEvent,
  outOfBandGoneEvent,
  outOfBandRemovedEvent,
  planDrift,
  reapplyKey,
  removalKey,
} from '../../../lambdas/core/drift.ts';
import { activeRequest, later, NOW, pendingRequest, people } from '../../support/fixtures.ts';

const kim = (scope: AccessAssignment['scope']): AccessAssignment => ({ principalId: 'kim', scope });
const lee = (scope: AccessAssignment['scope']): AccessAssignment => ({ principalId: 'lee', scope });
const openItem = (assignment: AccessAssignment, firstSeenAt = NOW): DriftItem => ({
  provider: 'platform',
  ...assignment,
  firstSeenAt,
});

describe('compareAccess', () => {
  it('reports access on the platform without a grant, and grants absent from the platform', () => {
    // Prepare
    const expected = [kim('admin'), kim('dataset:hes-apc'), lee('dataset:mhsds')];
    const present = [
      kim('admin'),
      lee('dataset:hes-apc'),
      { principalId: 'platform:u-9', scope: 'admin' as const },
    ];

    // Act
    const drift = compareAccess(expected, present);

    // Assess
    expect(drift.outOfBand).toEqual([
      lee('dataset:hes-apc'),
      { principalId: 'platform:u-9', scope: 'admin' },
    ]);
    expect(drift.missing).toEqual([kim('dataset:hes-apc'), lee('dataset:mhsds')]);
  });

  it('de-duplicates: two requests holding the same scope expect one assignment', () => {
    const drift = compareAccess([kim('admin'), kim('admin')], [lee('admin'), lee('admin')]);
    expect(drift).toEqual({ outOfBand: [lee('admin')], missing: [kim('admin')] });
  });

  it('finds nothing when both sides agree, whatever the order, and ignores extra fields', () => {
    const grants = [
      { ...kim('admin'), requestId: 'r1' },
      { ...lee('dataset:hes-apc'), requestId: 'r2' },
    ];
    expect(compareAccess(grants, [lee('dataset:hes-apc'), kim('admin')])).toEqual({
      outOfBand: [],
      missing: [],
    });
  });
});

describe('planDrift', () => {
  it('records new out-of-band access once and leaves known access alone', () => {
    // Prepare
    const known = openItem(lee('admin'));

    // Act
    const plan = planDrift(
      { outOfBand: [lee('admin'), kim('admin')], missing: [] },
      [known],
      [lee('admin'), kim('admin')],
    );

    // Assess
    expect(plan.found).toEqual([kim('admin')]);
    expect(plan.stillOpen).toEqual([known]);
    expect(plan.gone).toEqual([]);
  });

  it('closes items whose access went, or that a grant now covers, saying which', () => {
    const removed = openItem(lee('admin'));
    const covered = openItem(kim('dataset:hes-apc'));
    const plan = planDrift({ outOfBand: [], missing: [] }, [removed, covered], [kim('dataset:hes-apc')]);
    expect(plan.gone).toEqual([
      { item: removed, reason: 'REMOVED_ON_PLATFORM' },
      { item: covered, reason: 'NOW_GRANTED' },
    ]);
  });

  it('passes missing grants through', () => {
    expect(planDrift({ outOfBand: [], missing: [kim('admin')] }, [], []).missing).toEqual([kim('admin')]);
  });
});

describe('requests and access', () => {
  const active = activeRequest(people.externalScA, { scopes: ['dataset:hes-apc'], duration: 'PT8H' });

  it('an approved, provisioning or active request accounts for its scopes; pending and ended ones do not', () => {
    expect(accountsFor(active, 'dataset:hes-apc')).toBe(true);
    expect(accountsFor(active, 'dataset:mhsds')).toBe(false);
    expect(accountsFor({ ...active, status: 'PROVISIONING' }, 'dataset:hes-apc')).toBe(true);
    expect(accountsFor({ ...active, status: 'APPROVED' }, 'dataset:hes-apc')).toBe(true);
    expect(accountsFor(pendingRequest(people.externalScA), 'admin')).toBe(false);
    expect(accountsFor({ ...active, status: 'REVOKED' }, 'dataset:hes-apc')).toBe(false);
    expect(accountsFor({ ...active, status: 'FAILED' }, 'dataset:hes-apc')).toBe(false);
  });

  it('only an unexpired ACTIVE grant with no removal under way expects its access back', () => {
    const now = later('PT3H');
    expect(expectsAccess(active, 'dataset:hes-apc', now)).toBe(true);
    expect(expectsAccess(active, 'dataset:hes-apc', later('P1D'))).toBe(false);
    expect(expectsAccess(active, 'admin', now)).toBe(false);
    expect(expectsAccess({ ...active, status: 'EXPIRED' }, 'dataset:hes-apc', now)).toBe(false);
    const revoking = {
      ...active,
      revocation: {
        reason: 'done',
        actor: { type: 'principal' as const, id: 'ada.admin' },
        requestedAt: now,
        attempts: 1,
        lastError: 'platform: 503',
      },
    };
    expect(expectsAccess(revoking, 'dataset:hes-apc', now)).toBe(false);
  });
});

describe('idempotency keys', () => {
  it('a removal names its occurrence, a re-apply its request and audit position', () => {
    expect(removalKey(openItem(lee('admin')))).toBe(`drift:platform:lee:admin:${NOW}`);
    expect(removalKey(openItem(lee('admin'), later('P1D')))).not.toBe(removalKey(openItem(lee('admin'))));
    expect(reapplyKey('r1', 4)).toBe('r1:reapply:4');
    expect(reapplyKey('r1', 5)).not.toBe(reapplyKey('r1', 4));
  });
});

describe('audit drafts', () => {
  it('out-of-band events belong to no request, name the principal, scope and provider, and come from the sweep', () => {
    // Prepare
    const item = openItem(lee('dataset:hes-apc'));

    // Act
    const found = outOfBandFoundEvent('platform', lee('dataset:hes-apc'), NOW, true);
    const removed = outOfBandRemovedEvent(item, { reference: 'ref-1', alreadyInPlace: false }, later('PT1M'));
    const gone = outOfBandGoneEvent(item, 'REMOVED_ON_PLATFORM', later('PT2M'));

    // Assess
    const subject = { requestId: '', principalId: 'lee', scopes: ['dataset:hes-apc'] };
    expect(found).toMatchObject({
      action: 'OUT_OF_BAND_ACCESS_FOUND',
      actor: { type: 'system', id: 'sweep' },
      subject,
      at: NOW,
      details: { provider: 'platform', removeOutOfBand: true },
    });
    expect(removed).toMatchObject({
      action: 'OUT_OF_BAND_ACCESS_REMOVED',
      subject,
      details: { provider: 'platform', firstSeenAt: NOW, reference: 'ref-1', alreadyInPlace: false },
    });
    expect(gone).toMatchObject({ action: 'OUT_OF_BAND_ACCESS_GONE', reason: 'REMOVED_ON_PLATFORM', subject });
    expect(driftAuditStream('platform')).toBe('DRIFT#platform');
  });

  it('a re-applied grant is an audit-only transition on the request, expecting it still ACTIVE', () => {
    // Prepare
    const active = activeRequest(people.externalScA, { scopes: ['dataset:hes-apc'], duration: 'PT8H' });

    // Act
    const transition = grantReapplied(active, 'dataset:hes-apc', 'platform', {}, later('PT3H'));

    // Assess
    expect(transition.expectedStatus).toBe('ACTIVE');
    expect(transition.request).toBe(active);
    expect(transition.grants).toBeUndefined();
    expect(transition.seat).toBeUndefined();
    expect(transition.event).toMatchObject({
      action: 'GRANT_REAPPLIED',
      subject: { requestId: active.id, principalId: people.externalScA.id, scopes: ['dataset:hes-apc'] },
      reason: 'MISSING_ON_PLATFORM',
      details: { provider: 'platform' },
    });
  });
});
