// The one contract every access provider keeps (grant, revoke, list, idempotency, failure), run against each
// adapter with a harness that can look at — and break — the platform behind it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AccessAssignment,
  type AccessProvider,
  ProviderError,
  type ProvisioningTarget,
} from '../../../lambdas/core/access-provider.ts';
import type { Principal, Scope } from '../../../lambdas/core/model.ts';

export interface ContractPlatform {
  /** What the platform holds, read directly rather than through the provider. */
  assignments(): Promise<AccessAssignment[]>;
  /** Access given on the platform behind the provider's back, for a principal the provider can map. */
  addOutOfBand(assignment: AccessAssignment): Promise<void>;
  /** The next `count` platform calls fail: `transient` (a retry may succeed) or `permanent` (it cannot). */
  failNext(count: number, kind: 'transient' | 'permanent'): void;
  /** Attempts the provider makes per call, so a test can outlast them. */
  readonly maxAttempts: number;
}

export interface ProviderHarness {
  readonly provider: AccessProvider;
  /** The two principals the platform knows (for identity mapping); targets are built from them. */
  readonly principals: readonly [Principal, Principal];
  /** `null` for the ledger: the grant record is the access, there is no platform to look at. */
  readonly platform: ContractPlatform | null;
  stop(): Promise<void>;
}

export function principal(id: string, email: string): Principal {
  return { id, name: id, email, organisation: 'NHSE', grade: 'analyst', roles: [], active: true };
}

export function target(who: Principal, scope: Scope, idempotencyKey: string): ProvisioningTarget {
  return { principalId: who.id, principal: who, scope, idempotencyKey };
}

const byKey = (a: AccessAssignment, b: AccessAssignment) =>
  `${a.principalId} ${a.scope}`.localeCompare(`${b.principalId} ${b.scope}`);
const sorted = (assignments: AccessAssignment[]) => [...assignments].sort(byKey);

async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

export function describeProviderContract(name: string, makeHarness: () => Promise<ProviderHarness>): void {
  describe(`${name}: the access-provider contract`, () => {
    let harness: ProviderHarness;
    let ada: Principal;
    let bob: Principal;
    const scope: Scope = 'dataset:hes-apc';
    /** What list() must show for these assignments: the ledger never lists anything. */
    const listed = (assignments: AccessAssignment[]) => (harness.platform ? sorted(assignments) : []);

    beforeEach(async () => {
      harness = await makeHarness();
      [ada, bob] = harness.principals;
    });
    afterEach(async () => {
      await harness.stop();
    });

    it('grant: list then shows the assignment', async () => {
      // Act
      const outcome = await harness.provider.grant(target(ada, scope, 'req-1'));
      // Assess
      expect(outcome.alreadyInPlace).toBe(false);
      expect(sorted(await harness.provider.list())).toEqual(listed([{ principalId: ada.id, scope }]));
      if (harness.platform)
        expect(await harness.platform.assignments()).toEqual([{ principalId: ada.id, scope }]);
    });

    it('revoke: list then no longer shows it, other access stays', async () => {
      // Prepare
      await harness.provider.grant(target(ada, scope, 'req-1'));
      await harness.provider.grant(target(bob, 'admin', 'req-2'));
      // Act
      const outcome = await harness.provider.revoke(target(ada, scope, 'req-1'));
      // Assess
      expect(outcome.alreadyInPlace).toBe(false);
      expect(sorted(await harness.provider.list())).toEqual(
        listed([{ principalId: bob.id, scope: 'admin' }]),
      );
    });

    it('grant twice with the same idempotency key grants once', async () => {
      // Act
      await harness.provider.grant(target(ada, scope, 'req-1'));
      await harness.provider.grant(target(ada, scope, 'req-1'));
      // Assess
      expect(await harness.provider.list()).toEqual(listed([{ principalId: ada.id, scope }]));
      if (harness.platform) expect(await harness.platform.assignments()).toHaveLength(1);
    });

    it('grant of access the platform already has is alreadyInPlace', async () => {
      // Prepare
      await harness.provider.grant(target(ada, scope, 'req-1'));
      // Act
      const outcome = await harness.provider.grant(target(ada, scope, 'drift:x:ada:dataset:hes-apc'));
      // Assess
      expect(outcome.alreadyInPlace).toBe(harness.platform !== null);
      expect(await harness.provider.list()).toEqual(listed([{ principalId: ada.id, scope }]));
    });

    it('revoke of access that is not there is alreadyInPlace', async () => {
      // Act
      const outcome = await harness.provider.revoke(target(ada, scope, 'req-1'));
      // Assess
      expect(outcome.alreadyInPlace).toBe(harness.platform !== null);
      expect(await harness.provider.list()).toEqual([]);
    });

    it('list reports access given on the platform behind Keyholder', async () => {
      // Prepare
      await harness.provider.grant(target(ada, scope, 'req-1'));
      await harness.platform?.addOutOfBand({ principalId: bob.id, scope: 'dataset:ecds' });
      // Act
      const assignments = await harness.provider.list();
      // Assess
      expect(sorted(assignments)).toEqual(
        listed([
          { principalId: ada.id, scope },
          { principalId: bob.id, scope: 'dataset:ecds' },
        ]),
      );
    });

    it('a refusal surfaces as a ProviderError that is not retryable, and changes nothing', async () => {
      // Prepare
      harness.platform?.failNext(1, 'permanent');
      // Act
      const attempt = harness.provider.grant(target(ada, scope, 'req-1'));
      // Assess
      if (!harness.platform) {
        // Nothing to refuse: the record is the access.
        expect(await attempt).toEqual({ alreadyInPlace: false });
        return;
      }
      const error = await rejection(attempt);
      expect(error).toMatchObject({ provider: harness.provider.name, retryable: false });
      expect(await harness.platform.assignments()).toEqual([]);
    });

    it('an outage that outlasts every attempt surfaces as a retryable ProviderError', async () => {
      // Prepare
      harness.platform?.failNext(harness.platform.maxAttempts, 'transient');
      // Act
      const attempt = harness.provider.revoke(target(ada, scope, 'req-1'));
      // Assess
      if (!harness.platform) {
        expect(await attempt).toEqual({ alreadyInPlace: false });
        return;
      }
      const error = await rejection(attempt);
      expect(error).toMatchObject({ provider: harness.provider.name, retryable: true });
    });

    it('one or two transient failures are retried and the change succeeds', async () => {
      // Prepare
      harness.platform?.failNext(1, 'transient');
      // Act
      await harness.provider.grant(target(ada, scope, 'req-1'));
      harness.platform?.failNext(2, 'transient');
      await harness.provider.grant(target(bob, scope, 'req-2'));
      // Assess
      expect(sorted(await harness.provider.list())).toEqual(
        listed([
          { principalId: ada.id, scope },
          { principalId: bob.id, scope },
        ]),
      );
    });

    it('a list that cannot be read surfaces as a ProviderError', async () => {
      // Prepare
      harness.platform?.failNext(1, 'permanent');
      // Act
      const attempt = harness.provider.list();
      // Assess
      if (!harness.platform) {
        expect(await attempt).toEqual([]);
        return;
      }
      expect(await rejection(attempt)).toMatchObject({ retryable: false });
    });
  });
}
