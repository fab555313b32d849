// Use cases: the public transparency report, computed live (locally, or before a snapshot exists) or read from
// the daily snapshot, and the daily publication.

import { grantsOverRules } from '../core/over-rule.ts';
import type { AnchorStore, AuditLedger, TransparencySnapshots } from '../core/ports.ts';
import { type TransparencyReport, transparencyReport, windowStart } from '../core/transparency.ts';
import type { Dependencies } from './context.ts';
import { verifyAuditTrail } from './verify-audit.ts';

export type TransparencyDependencies = Pick<Dependencies, 'store' | 'clock' | 'policy' | 'driftLedger'> & {
  readonly ledger: AuditLedger;
  readonly anchors?: AnchorStore | undefined;
  readonly snapshots?: TransparencySnapshots | undefined;
};

/** Computes the report from the tables now, verifying the whole trail for its chain head. */
export async function liveTransparencyReport(deps: TransparencyDependencies): Promise<TransparencyReport> {
  const now = deps.clock.now();
  const [seats, activeGrants, events, verdict, outOfBand] = await Promise.all([
    deps.store.externalAdminSeats(),
    deps.store.listActiveGrants(),
    deps.ledger.eventsBetween(windowStart(now), now),
    verifyAuditTrail(deps),
    deps.driftLedger?.listOpen() ?? [],
  ]);
  return transparencyReport({
    now,
    externalAdminCap: deps.policy.externalAdminCap,
    externalAdminSeatsInUse: seats.total,
    activeGrants,
    events,
    verdict,
    outOfBandAccess: outOfBand.length,
    overRules: grantsOverRules(activeGrants, deps.policy, now),
  });
}

/** GET /transparency: the published snapshot where there is one, otherwise the live figures. */
export async function publishedTransparencyReport(
  deps: TransparencyDependencies,
): Promise<TransparencyReport> {
  return (await deps.snapshots?.latest()) ?? liveTransparencyReport(deps);
}

/** The daily scheduled publication. */
export async function publishTransparencyReport(
  deps: TransparencyDependencies & { readonly snapshots: TransparencySnapshots },
): Promise<{ readonly key: string; readonly report: TransparencyReport }> {
  const report = await liveTransparencyReport(deps);
  const { key } = await deps.snapshots.put(report);
  return { key, report };
}
