// The one accessor for the policy in force: the current version, cached for a short time so a warm Lambda picks up a
// new version within a minute without reading DynamoDB on every call.
import type { Policy } from '../core/policy.ts';
import type { PolicyVersion } from '../core/policy-change.ts';
import type { Clock, PolicyStore } from '../core/ports.ts';

/** How long a read of the current version is trusted: well inside the one minute a new version may take. */
export const POLICY_CACHE_TTL_MS = 30_000;

export class PolicySource {
  readonly #store: PolicyStore;
  readonly #bootstrap: Policy;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  #cached: { readonly version: PolicyVersion; readonly readAt: number } | undefined;

  constructor(store: PolicyStore, bootstrap: Policy, clock: Clock, ttlMs = POLICY_CACHE_TTL_MS) {
    this.#store = store;
    this.#bootstrap = bootstrap;
    this.#clock = clock;
    this.#ttlMs = ttlMs;
  }

  /** The deployed policy: version 1 until a change is stored. */
  get bootstrap(): Policy {
    return this.#bootstrap;
  }

  /** The version in force, read again once the cached one is older than the TTL. */
  async current(): Promise<PolicyVersion> {
    const now = Date.parse(this.#clock.now());
    if (this.#cached && now - this.#cached.readAt < this.#ttlMs) return this.#cached.version;
    const { current } = await this.#store.state(this.#bootstrap);
    this.#cached = { version: current, readAt: now };
    return current;
  }

  /** The last version read (version 1 before any read): for code that cannot wait. */
  latest(): PolicyVersion {
    return this.#cached?.version ?? { version: 1, policy: this.#bootstrap };
  }

  /** Forgets the cached version (after this Lambda itself activated one). */
  invalidate(): void {
    this.#cached = undefined;
  }
}
