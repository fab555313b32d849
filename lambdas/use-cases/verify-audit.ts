// Use case: verify the whole audit trail (every stream, its recorded head, the latest anchor) for the CLI,
// GET /audit/verify and the transparency report.
import {
  type AuditAnchor,
  anchorMismatch,
  type BrokenLink,
  HeadsDigester,
  headAt,
  type LedgerVerdict,
  sameDigest,
  verifyStream,
} from '../core/audit-verify.ts';
import { mayViewAudit } from '../core/authorization.ts';
import { ForbiddenError } from '../core/errors.ts';
import type { Principal } from '../core/model.ts';
import type { AnchorStore, AuditLedger, Clock } from '../core/ports.ts';

export interface VerifyDependencies {
  readonly ledger: AuditLedger;
  readonly anchors?: AnchorStore | undefined;
  readonly clock: Clock;
}

export interface VerifyOptions {
  /** Streams read at once; a batch is verified before the next is read, so memory stays bounded. @default 64 */
  readonly batchSize?: number;
}

export async function verifyAuditTrail(
  deps: VerifyDependencies,
  options: VerifyOptions = {},
): Promise<LedgerVerdict & { readonly anchor?: { readonly key: string } | undefined }> {
  const batchSize = options.batchSize ?? 64;
  const [heads, latest] = await Promise.all([deps.ledger.listStreamHeads(), deps.anchors?.latest()]);
  heads.sort((a, b) => (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0));
  const current = new HeadsDigester();
  const atAnchor = latest ? new HeadsDigester() : undefined;
  let events = 0;
  const brokenVerdict = (broken: BrokenLink) => ({
    ok: false as const,
    verifiedAt: deps.clock.now(),
    streams: heads.length,
    events,
    broken,
  });
  for (let start = 0; start < heads.length; start += batchSize) {
    const batch = heads.slice(start, start + batchSize);
    const streams = await Promise.all(batch.map((head) => deps.ledger.readAuditStream(head.stream)));
    for (const [index, head] of batch.entries()) {
      const streamEvents = streams[index] ?? [];
      const broken = verifyStream(head, streamEvents, events);
      if (broken) return brokenVerdict(broken);
      events += head.seq;
      current.add(head.stream, head);
      if (latest && atAnchor) atAnchor.add(head.stream, headAt(streamEvents, latest.anchor.at));
    }
  }
  if (latest && atAnchor) {
    const found = atAnchor.result();
    if (!sameDigest(found, latest.anchor)) {
      return brokenVerdict({
        stream: '*',
        position: 0,
        seq: 0,
        eventsBefore: events,
        problem: 'anchor-mismatch',
        detail: `${anchorMismatch(latest.anchor, found)} (anchor ${latest.key})`,
      });
    }
  }
  return {
    ok: true,
    verifiedAt: deps.clock.now(),
    ...current.result(),
    anchor: latest ? { key: latest.key, at: latest.anchor.at, matched: true } : undefined,
  };
}

/** GET /audit/verify: auditors and access-admins only. */
export async function verifyAuditFor(
  deps: VerifyDependencies,
  caller: Principal,
): Promise<Awaited<ReturnType<typeof verifyAuditTrail>>> {
  if (!mayViewAudit(caller)) {
    throw new ForbiddenError('NOT_ALLOWED', 'only access-admins and auditors can verify the audit trail');
  }
  return verifyAuditTrail(deps);
}

export type { AuditAnchor };
