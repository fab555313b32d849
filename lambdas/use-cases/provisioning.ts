// The platform side of grants and endings, shared by every path: the workflow's grant and expiry, API and review
// revokes, and the sweep's revocations. Platform first, record second: a request is ACTIVE only once the platform
// granted, and stops being ACTIVE only once the platform removed the access.

import { deprovisioningFailedMetricLine } from '../commons/metrics.ts';
import { logger } from '../commons/observability.ts';
import { type AccessProvider, ProviderError } from '../core/access-provider.ts';
import type { Actor } from '../core/audit.ts';
import type { Transition } from '../core/lifecycle.ts';
import type { Principal, Scope } from '../core/model.ts';
import type { StoredRequest } from '../core/ports.ts';
import {
  confirmedEnding,
  deprovisioningFailed,
  type ProviderFailure,
  type ScopeOutcome,
} from '../core/provisioning.ts';
import { type ChangeExtras, type Dependencies, withOptimisticRetry } from './context.ts';
import { commitAndNotify } from './notice-outbox.ts';

/** A scope whose access lives on a platform, and the provider that puts it there. */
export interface ProvisionedScope {
  readonly scope: Scope;
  readonly provider: AccessProvider;
}

/** The scopes of a request that a provider other than `ledger` carries out; empty: the record is the access. */
export function provisionedScopes(
  deps: Pick<Dependencies, 'providers'>,
  scopes: readonly Scope[],
): ProvisionedScope[] {
  const providers = deps.providers;
  if (!providers) return [];
  return scopes
    .map((scope) => ({ scope, provider: providers.forScope(scope) }))
    .filter((entry) => entry.provider.type !== 'ledger');
}

/** The holder as the provider needs them; someone removed from the directory still has access to remove. */
async function holderOf(deps: Pick<Dependencies, 'directory'>, request: StoredRequest): Promise<Principal> {
  return (
    (await deps.directory.getPrincipal(request.requester)) ?? {
      id: request.requester,
      name: request.requester,
      email: '',
      organisation: request.requesterOrganisation,
      grade: '',
      roles: [],
      active: false,
    }
  );
}

/** Any error a provider throws is a failure of that scope (the adapter already retried what was worth it). */
export function failureOf(entry: ProvisionedScope, error: unknown): ProviderFailure {
  return {
    scope: entry.scope,
    provider: entry.provider.name,
    message: error instanceof Error ? error.message : String(error),
    retryable: error instanceof ProviderError ? error.retryable : true,
  };
}

export class ProvisioningFailure extends Error {
  readonly failure: ProviderFailure;
  /** Scopes this attempt had already put on the platform before the failure. */
  readonly done: readonly ScopeOutcome[];
  constructor(failure: ProviderFailure, done: readonly ScopeOutcome[]) {
    super(`${failure.provider} (${failure.scope}): ${failure.message}`);
    this.name = 'ProvisioningFailure';
    this.failure = failure;
    this.done = done;
  }
}

/**
 * Asks each provider, scope by scope, to grant (or revoke) with the request id as idempotency key: a retried
 * step sends the same key, so the platform acts once. Throws ProvisioningFailure at the first failure.
 */
export async function applyOnPlatform(
  deps: Pick<Dependencies, 'directory'>,
  request: StoredRequest,
  scopes: readonly ProvisionedScope[],
  operation: 'grant' | 'revoke',
): Promise<ScopeOutcome[]> {
  const principal = await holderOf(deps, request);
  const done: ScopeOutcome[] = [];
  for (const entry of scopes) {
    const target = {
      principalId: request.requester,
      scope: entry.scope,
      principal,
      idempotencyKey: request.id,
    };
    try {
      const outcome = await entry.provider[operation](target);
      done.push({ scope: entry.scope, provider: entry.provider.name, ...outcome });
    } catch (error) {
      throw new ProvisioningFailure(failureOf(entry, error), done);
    }
  }
  return done;
}

/** Best effort: what a failed grant attempt already put on the platform is taken off again. */
export async function rollBack(
  deps: Pick<Dependencies, 'directory'>,
  request: StoredRequest,
  granted: readonly ScopeOutcome[],
  scopes: readonly ProvisionedScope[],
): Promise<Scope[]> {
  const rolledBack: Scope[] = [];
  for (const outcome of granted) {
    const entry = scopes.find((candidate) => candidate.scope === outcome.scope);
    if (!entry) continue;
    try {
      await applyOnPlatform(deps, request, [entry], 'revoke');
      rolledBack.push(entry.scope);
    } catch (error) {
      // Left for drift detection: the sweep finds access on the platform that no grant explains.
      logger.error({
        message: 'rolling back a partial grant failed',
        requestId: request.id,
        scope: entry.scope,
        error: String(error),
      });
    }
  }
  return rolledBack;
}

export type Ending =
  /** Access ended: on the platform and in the record. */
  | { readonly kind: 'ended'; readonly request: StoredRequest }
  /** The platform failed to remove the access: still ACTIVE, the failure recorded, retried later. */
  | { readonly kind: 'pending'; readonly request: StoredRequest; readonly failure: ProviderFailure }
  /** Nothing to end (already ended, not due): nothing was written. */
  | { readonly kind: 'none'; readonly request: StoredRequest | undefined };

export interface EndingOptions {
  /** How the request is read (the API reads it as the caller may see it). @default the store */
  readonly load?: (requestId: string) => Promise<StoredRequest | undefined>;
  /** Written with the ending, or with the recorded failure (a review link's token). */
  readonly extras?: ChangeExtras;
}

/**
 * The one way access ends, whatever ends it: the ending is decided from fresh state, the platform removes the
 * access, then the ending commits with the providers' outcomes. A platform failure commits DEPROVISIONING_FAILED
 * instead and leaves the request ACTIVE with its pending revocation. Safe to run again and concurrently: the
 * revoke's idempotency key is the request id, and the commit is conditioned on the state it was decided from.
 * The ending's notice (expired, revoked) is recorded due with it and handed to the queue, sent as `notifyAs`.
 */
export async function endAccessOnPlatform(
  deps: Dependencies,
  requestId: string,
  notifyAs: Actor,
  decide: (stored: StoredRequest, now: string) => Transition | undefined,
  options: EndingOptions = {},
): Promise<Ending> {
  const load = options.load ?? ((id: string) => deps.store.getRequest(id));
  return withOptimisticRetry(async (): Promise<Ending> => {
    const stored = await load(requestId);
    if (!stored) return { kind: 'none', request: undefined };
    const now = deps.clock.now();
    const ending = decide(stored, now);
    if (!ending) return { kind: 'none', request: stored };
    const scopes = provisionedScopes(deps, stored.scopes);
    let outcomes: ScopeOutcome[] = [];
    if (scopes.length > 0) {
      try {
        outcomes = await applyOnPlatform(deps, stored, scopes, 'revoke');
      } catch (error) {
        if (!(error instanceof ProvisioningFailure)) throw error;
        const failed = deprovisioningFailed(stored, ending, error.failure, now);
        const request = await commitAndNotify(deps, notifyAs, stored, failed, options.extras);
        console.log(deprovisioningFailedMetricLine(now, error.failure.provider));
        logger.error({
          message: 'removing access on the platform failed; retried later',
          requestId,
          provider: error.failure.provider,
          scope: error.failure.scope,
          attempt: request.revocation?.attempts,
          error: error.failure.message,
        });
        return { kind: 'pending', request, failure: error.failure };
      }
    }
    const settled = scopes.length > 0 || stored.revocation ? confirmedEnding(ending, outcomes) : ending;
    return { kind: 'ended', request: await commitAndNotify(deps, notifyAs, stored, settled, options.extras) };
  });
}
