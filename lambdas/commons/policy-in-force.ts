// Every invocation decides under the policy version in force, not the deployed one: a middleware reads the current
// version (cached for POLICY_CACHE_TTL_MS) before the handler runs, so each `deps.policy` the invocation reads is
// that version without any call site awaiting it. The composition root says what to read (dependencies.ts); a
// function that never builds the dependencies (health, openapi) reads nothing.

let readCurrentVersion: (() => Promise<unknown>) | undefined;

/** Called once by the composition root when its module loads. */
export function readPolicyInForceWith(read: () => Promise<unknown>): void {
  readCurrentVersion = read;
}

let injected: (() => Promise<unknown>) | undefined;

/** A handler run with injected dependencies (a test seam) reads the policy from those, not the composition root. */
export function readPolicyInForceFromInjected(read: (() => Promise<unknown>) | undefined): void {
  injected = read;
}

/** Reads the version in force now (a cache hit inside the TTL); for code that runs outside a wrapped handler. */
export async function refreshPolicyInForce(): Promise<void> {
  await (injected ?? readCurrentVersion)?.();
}

/** The middy middleware: first thing in every invocation. */
export function policyInForce() {
  return { before: refreshPolicyInForce };
}
