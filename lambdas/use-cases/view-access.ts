// Use cases: who has access now, a request's audit trail, the directory and the catalogue.

import { auditStreamOfRequest } from '../adapters/dynamodb/schema.ts';
import type { AuditEvent } from '../core/audit.ts';
import { mayViewAccess, mayViewAudit, mayViewDirectory } from '../core/authorization.ts';
import { ForbiddenError } from '../core/errors.ts';
import type { Dataset, Principal, Scope } from '../core/model.ts';
import { grantsOverRules, type OverRule } from '../core/over-rule.ts';
import { overRuleInWords } from '../presentation/over-rule-words.ts';
import { type Dependencies, loadRequest } from './context.ts';

export interface AccessHolding {
  readonly principal: { readonly id: string; readonly name: string; readonly organisation: string };
  readonly requestId: string;
  readonly scopes: readonly Scope[];
  readonly grantedAt: string;
  readonly expiresAt: string;
  readonly approvedBy: readonly string[];
  /** The rules in force this grant breaks (it keeps running): a tightened cap or maximum duration. */
  readonly overRules: readonly { readonly rule: OverRule['rule']; readonly reason: string }[];
  /** Granted by break-glass, without approval. */
  readonly breakGlass?: true | undefined;
}

/** Access a platform has that Keyholder never granted, as the sweep last found it (open drift items). */
export interface OutOfBandHolding {
  readonly provider: string;
  readonly principalId: string;
  readonly scope: Scope;
  readonly firstSeenAt: string;
}

/** GET /access now: the grants, and beside them what the platforms hold without one. */
export async function accessNow(
  deps: Pick<Dependencies, 'store' | 'directory' | 'policy' | 'clock' | 'driftLedger'>,
  caller: Principal,
): Promise<{ readonly access: AccessHolding[]; readonly outOfBand: OutOfBandHolding[] }> {
  const access = await whoHasAccess(deps, caller);
  const open = (await deps.driftLedger?.listOpen()) ?? [];
  const outOfBand = open
    .map(({ provider, principalId, scope, firstSeenAt }) => ({ provider, principalId, scope, firstSeenAt }))
    .sort((a, b) => a.firstSeenAt.localeCompare(b.firstSeenAt) || a.provider.localeCompare(b.provider));
  return { access, outOfBand };
}

/** Who holds access right now: one entry per active request, with all its scopes. */
export async function whoHasAccess(
  deps: Pick<Dependencies, 'store' | 'directory' | 'policy' | 'clock'>,
  caller: Principal,
): Promise<AccessHolding[]> {
  const now = deps.clock.now();
  if (!mayViewAccess(caller, deps.policy, now)) {
    throw new ForbiddenError(
      'NOT_ALLOWED',
      'only directors, access-admins and auditors can see who has access',
    );
  }
  const [grants, principals] = await Promise.all([
    deps.store.listActiveGrants(),
    deps.directory.listPrincipals(),
  ]);
  const byId = new Map(principals.map((principal) => [principal.id, principal]));
  const flags = grantsOverRules(grants, deps.policy, now);
  const overRulesOf = (requestId: string) =>
    flags
      .filter((flag) => flag.requestId === requestId)
      .map((flag) => ({ rule: flag.rule, reason: overRuleInWords(flag) }));
  const byRequest = new Map<string, AccessHolding>();
  for (const grant of grants) {
    // A grant whose expiry has passed but whose workflow has not yet closed it is no longer access.
    if (grant.expiresAt <= now) continue;
    const existing = byRequest.get(grant.requestId);
    if (existing) {
      byRequest.set(grant.requestId, { ...existing, scopes: [...existing.scopes, grant.scope] });
      continue;
    }
    const principal = byId.get(grant.principalId);
    byRequest.set(grant.requestId, {
      principal: {
        id: grant.principalId,
        name: principal?.name ?? grant.principalId,
        organisation: grant.organisation,
      },
      requestId: grant.requestId,
      scopes: [grant.scope],
      grantedAt: grant.grantedAt,
      expiresAt: grant.expiresAt,
      approvedBy: grant.approvedBy,
      overRules: overRulesOf(grant.requestId),
      ...(grant.breakGlass ? { breakGlass: true as const } : {}),
    });
  }
  return [...byRequest.values()].sort((a, b) => a.expiresAt.localeCompare(b.expiresAt));
}

export async function auditTrailOf(
  deps: Pick<Dependencies, 'store'>,
  caller: Principal,
  requestId: string,
): Promise<AuditEvent[]> {
  if (!mayViewAudit(caller))
    throw new ForbiddenError('NOT_ALLOWED', 'only access-admins and auditors can read the audit trail');
  await loadRequest(deps, requestId);
  return deps.store.readAuditStream(auditStreamOfRequest(requestId));
}

export async function directoryFor(
  deps: Pick<Dependencies, 'directory'>,
  caller: Principal,
): Promise<Principal[]> {
  if (!mayViewDirectory(caller))
    throw new ForbiddenError('NOT_ALLOWED', 'only access-admins and auditors can read the directory');
  const principals = await deps.directory.listPrincipals();
  return principals.sort((a, b) => a.id.localeCompare(b.id));
}

export async function catalogue(deps: Pick<Dependencies, 'directory'>): Promise<Dataset[]> {
  const datasets = await deps.directory.listDatasets();
  return datasets.sort((a, b) => a.id.localeCompare(b.id));
}
