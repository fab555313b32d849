// Use case: write the hourly anchor, a digest of every stream's head as of a few minutes ago, to the locked bucket.
import { type AuditAnchor, HeadsDigester, headAt } from '../core/audit-verify.ts';
import type { AnchorStore, AuditLedger, Clock } from '../core/ports.ts';

/**
 * The anchor covers events up to now minus this margin: an event's `at` is taken just before its transaction
 * commits (a store retries for seconds at most), so by then every event at or before the cutoff is in the table.
 */
export const ANCHOR_SETTLE_MS = 5 * 60_000;

export interface AnchorDependencies {
  readonly ledger: AuditLedger;
  readonly anchors: AnchorStore;
  readonly clock: Clock;
}

export async function anchorAuditTrail(
  deps: AnchorDependencies,
): Promise<{ readonly key: string; readonly anchor: AuditAnchor }> {
  const createdAt = deps.clock.now();
  const at = new Date(Date.parse(createdAt) - ANCHOR_SETTLE_MS).toISOString();
  const digester = new HeadsDigester();
  for (const head of await deps.ledger.listStreamHeads()) {
    // Only streams that moved since the cutoff are read: every other stream's head is its head at the cutoff.
    if (head.lastAt <= at) digester.add(head.stream, head);
    else digester.add(head.stream, headAt(await deps.ledger.readAuditStream(head.stream), at));
  }
  const anchor: AuditAnchor = { version: 1, at, createdAt, ...digester.result() };
  const { key } = await deps.anchors.put(anchor);
  return { key, anchor };
}
