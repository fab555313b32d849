// Use case run after every sweep: compares each real provider's platform with Keyholder's grants. Access present
// without a grant is recorded once (an open drift item and an audit event on the provider's DRIFT#<provider>
// stream), removed when the policy says so, and closed when it goes; a grant missing on the platform is re-applied.
// A ledger-only deployment reads nothing here.
import { logger } from '../commons/observability.ts';
import type { AccessAssignment, AccessProvider, ProvisioningTarget } from '../core/access-provider.ts';
import { type AuditEvent, type AuditEventDraft, type ChainHead, chainEvent, headOf } from '../core/audit.ts';
import {
  accountsFor,
  assignmentKey,
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
} from '../core/drift.ts';
import { isTerminal, type Principal } from '../core/model.ts';
import type { ActiveGrant, DriftLedger, DriftState } from '../core/ports.ts';
import { commitTransition, type Dependencies, withOptimisticRetry } from './context.ts';

export type DriftDependencies = Pick<
  Dependencies,
  'store' | 'directory' | 'clock' | 'policy' | 'providers' | 'driftLedger'
>;

export interface ProviderDriftReport {
  readonly provider: string;
  /** Assignments the platform listed, and the ones Keyholder's ACTIVE grants expect there. */
  readonly present: number;
  readonly expected: number;
  /** Out-of-band access recorded for the first time by this check. */
  readonly found: AccessAssignment[];
  /** Out-of-band access this check removed from the platform (policy `removeOutOfBand`). */
  readonly removed: AccessAssignment[];
  /** Recorded out-of-band access that went (removed by someone else, or now covered by a grant). */
  readonly gone: AccessAssignment[];
  /** Grants missing on the platform that this check put back, with their requests. */
  readonly reapplied: (AccessAssignment & { readonly requestId: string })[];
  /** Differences explained by a request in flight (being provisioned, or being revoked): left alone this time. */
  readonly inFlight: AccessAssignment[];
  /** Out-of-band items still open after this check. */
  open: number;
}

export interface DriftReport {
  readonly at: string;
  readonly providers: ProviderDriftReport[];
  readonly failures: { readonly provider: string; readonly target: string; readonly error: string }[];
}

const RECORD_ATTEMPTS = 5;

/** Compares every non-ledger provider's platform with the ACTIVE grants and repairs what the policy allows. */
export async function checkDrift(deps: DriftDependencies): Promise<DriftReport> {
  const at = deps.clock.now();
  const report: DriftReport = { at, providers: [], failures: [] };
  const providers = (deps.providers?.all() ?? []).filter((provider) => provider.type !== 'ledger');
  // Ledger-only: the grant record is the access, there is no platform to drift from, and nothing is read.
  if (providers.length === 0 || !deps.providers) return report;
  const ledger = deps.driftLedger;
  if (!ledger) {
    report.failures.push({ provider: '*', target: 'drift', error: 'no drift ledger is configured' });
    return report;
  }
  // The store before the platforms: a grant is on the platform before its record turns ACTIVE, so anything ACTIVE
  // now must be listed below; what the platform gained meanwhile is checked against its request before it counts.
  let grants: ActiveGrant[];
  try {
    grants = (await deps.store.listActiveGrants()).filter((grant) => grant.expiresAt > at);
  } catch (error) {
    // Never thrown: the sweep before it has done its work, and its report must still be logged.
    report.failures.push({ provider: '*', target: 'grants', error: String(error) });
    logFailure('*', 'grants', error);
    return report;
  }
  const resolve = deps.providers;
  for (const provider of providers) {
    try {
      const expected = grants.filter((grant) => resolve.forScope(grant.scope).name === provider.name);
      report.providers.push(await checkProvider(deps, ledger, provider, expected, report));
    } catch (error) {
      // One platform down must not hide the others' drift: reported, and looked at again next sweep.
      report.failures.push({ provider: provider.name, target: 'platform', error: String(error) });
      logFailure(provider.name, 'platform', error);
    }
  }
  return report;
}

async function checkProvider(
  deps: DriftDependencies,
  ledger: DriftLedger,
  provider: AccessProvider,
  grants: readonly ActiveGrant[],
  report: DriftReport,
): Promise<ProviderDriftReport> {
  const present = await provider.list();
  const comparison = compareAccess(grants, present);
  const result: ProviderDriftReport = {
    provider: provider.name,
    present: present.length,
    expected: grants.length,
    found: [],
    removed: [],
    gone: [],
    reapplied: [],
    inFlight: [],
    open: 0,
  };
  const attempt = async (target: AccessAssignment, action: () => Promise<void>) => {
    try {
      await action();
    } catch (error) {
      const name = `${target.principalId} ${target.scope}`;
      report.failures.push({ provider: provider.name, target: name, error: String(error) });
      logFailure(provider.name, name, error);
    }
  };

  const outOfBand: AccessAssignment[] = [];
  for (const candidate of comparison.outOfBand) {
    await attempt(candidate, async () => {
      if (await requestAccountsFor(deps, candidate)) result.inFlight.push(candidate);
      else outOfBand.push(candidate);
    });
  }
  const stream = new DriftStream(ledger, provider.name, await ledger.state(provider.name));
  const plan = planDrift({ outOfBand, missing: comparison.missing }, stream.items(), present);
  const now = () => deps.clock.now();
  // A candidate skipped as in flight keeps its open item (if any) open: it is neither confirmed nor gone yet.
  const inFlight = new Set(result.inFlight.map(assignmentKey));

  for (const { item, reason } of plan.gone) {
    if (inFlight.has(assignmentKey(item))) continue;
    await attempt(item, async () => {
      if (await stream.close(item, outOfBandGoneEvent(item, reason, now())))
        result.gone.push(toAssignment(item));
    });
  }
  for (const assignment of plan.found) {
    await attempt(assignment, async () => {
      const item: DriftItem = { provider: provider.name, ...assignment, firstSeenAt: now() };
      const draft = outOfBandFoundEvent(
        provider.name,
        assignment,
        item.firstSeenAt,
        deps.policy.removeOutOfBand,
      );
      if (await stream.open(item, draft)) result.found.push(assignment);
    });
  }
  if (deps.policy.removeOutOfBand) {
    // Found now or earlier (an earlier removal may have failed): every open item still present goes.
    for (const item of stream.items().filter((open) => !inFlight.has(assignmentKey(open)))) {
      if (!outOfBand.some((assignment) => assignmentKey(assignment) === assignmentKey(item))) continue;
      await attempt(item, async () => {
        const outcome = await provider.revoke(await targetOf(deps, item, removalKey(item)));
        if (await stream.close(item, outOfBandRemovedEvent(item, outcome, now())))
          result.removed.push(toAssignment(item));
      });
    }
  }
  for (const assignment of plan.missing) {
    await attempt(assignment, async () => {
      const requestId = await reapply(deps, provider, assignment, grants);
      if (requestId) result.reapplied.push({ ...assignment, requestId });
      else result.inFlight.push(assignment);
    });
  }
  result.open = stream.items().length;
  return result;
}

/**
 * True when one of the principal's requests accounts for this access (being provisioned, or ACTIVE but not yet
 * in the index). The index finds the candidates; each live one is read again consistently.
 */
async function requestAccountsFor(deps: DriftDependencies, assignment: AccessAssignment): Promise<boolean> {
  const requests = await deps.store.listRequestsByRequester(assignment.principalId);
  for (const request of requests) {
    if (!request.scopes.includes(assignment.scope) || isTerminal(request.status)) continue;
    const fresh = await deps.store.getRequest(request.id);
    if (fresh && accountsFor(fresh, assignment.scope)) return true;
  }
  return false;
}

/**
 * Puts a missing grant back and records GRANT_REAPPLIED on its request's stream. Undefined when, read again, the
 * request no longer expects the access (ended, expired, or its removal is under way): then nothing is done.
 */
async function reapply(
  deps: DriftDependencies,
  provider: AccessProvider,
  assignment: AccessAssignment,
  grants: readonly ActiveGrant[],
): Promise<string | undefined> {
  const holders = grants
    .filter((grant) => assignmentKey(grant) === assignmentKey(assignment))
    .sort((a, b) => b.expiresAt.localeCompare(a.expiresAt));
  for (const grant of holders) {
    const stored = await deps.store.getRequest(grant.requestId);
    if (!stored || !expectsAccess(stored, assignment.scope, deps.clock.now())) continue;
    const outcome = await provider.grant(
      await targetOf(deps, assignment, reapplyKey(stored.id, stored.audit.seq)),
    );
    await withOptimisticRetry(async () => {
      const current = await deps.store.getRequest(grant.requestId);
      if (!current) return;
      const transition = grantReapplied(current, assignment.scope, provider.name, outcome, deps.clock.now());
      await commitTransition(deps, current, transition);
    });
    return stored.id;
  }
  return undefined;
}

/** What the provider is asked to change; access of someone unknown to the directory is named by its id alone. */
async function targetOf(
  deps: DriftDependencies,
  assignment: AccessAssignment,
  idempotencyKey: string,
): Promise<ProvisioningTarget> {
  const principal: Principal = (await deps.directory.getPrincipal(assignment.principalId)) ?? {
    id: assignment.principalId,
    name: assignment.principalId,
    email: '',
    organisation: '',
    grade: '',
    roles: [],
    active: false,
  };
  return { principalId: assignment.principalId, scope: assignment.scope, principal, idempotencyKey };
}

/**
 * One provider's open items and stream head, kept current as events are appended. When another sweep moved the
 * stream meanwhile, the state is read again and the change re-decided from it (it may have been done already).
 */
class DriftStream {
  readonly #ledger: DriftLedger;
  readonly #provider: string;
  #open: Map<string, DriftItem>;
  #head: ChainHead;

  constructor(ledger: DriftLedger, provider: string, state: DriftState) {
    this.#ledger = ledger;
    this.#provider = provider;
    this.#open = new Map(state.open.map((item) => [assignmentKey(item), item]));
    this.#head = state.audit;
  }

  items(): DriftItem[] {
    return [...this.#open.values()];
  }

  /** Records out-of-band access first seen; false when it turned out to be recorded already. */
  async open(item: DriftItem, draft: AuditEventDraft): Promise<boolean> {
    const key = assignmentKey(item);
    return await this.#record(
      () => !this.#open.has(key),
      (event, expected) => this.#ledger.open(item, event, expected),
      draft,
      () => this.#open.set(key, item),
    );
  }

  /** Closes the item (this occurrence of it); false when it was closed already. */
  async close(item: DriftItem, draft: AuditEventDraft): Promise<boolean> {
    const key = assignmentKey(item);
    return await this.#record(
      () => this.#open.get(key)?.firstSeenAt === item.firstSeenAt,
      (event, expected) => this.#ledger.close(item, event, expected),
      draft,
      () => this.#open.delete(key),
    );
  }

  async #record(
    stillToDo: () => boolean,
    write: (event: AuditEvent, expected: ChainHead) => Promise<boolean>,
    draft: AuditEventDraft,
    after: () => void,
  ): Promise<boolean> {
    const stream = driftAuditStream(this.#provider);
    for (let attempt = 1; attempt <= RECORD_ATTEMPTS; attempt++) {
      if (!stillToDo()) return false;
      const event = chainEvent(stream, this.#head, draft);
      if (await write(event, this.#head)) {
        this.#head = headOf(event);
        after();
        return true;
      }
      const state = await this.#ledger.state(this.#provider);
      this.#open = new Map(state.open.map((open) => [assignmentKey(open), open]));
      this.#head = state.audit;
    }
    throw new Error(`the ${stream} stream kept moving; left for the next sweep`);
  }
}

function toAssignment(item: AccessAssignment): AccessAssignment {
  return { principalId: item.principalId, scope: item.scope };
}

function logFailure(provider: string, target: string, error: unknown) {
  logger.error({ message: 'drift check failed', provider, target, error: String(error) });
}
