// Verifying the whole audit trail: every stream's hash chain, each stream's last event against the head recorded
// outside the stream (so a deleted stream or a truncated tail shows), and the digest of all heads against an
// anchor written where nobody in the stack can rewrite it.
import { createHash } from 'node:crypto';
import { type AuditEvent, type ChainHead, GENESIS_HASH, verifyChain } from './audit.ts';

/** A stream's head as recorded beside the stream, in the same transaction as each of its events. */
export interface StreamHead extends ChainHead {
  readonly stream: string;
  /** `at` of the head event. */
  readonly lastAt: string;
}

export type LedgerProblem =
  | 'missing-or-reordered'
  | 'edited'
  | 'broken-link'
  | 'truncated'
  | 'head-mismatch'
  | 'anchor-mismatch';

export interface BrokenLink {
  readonly stream: string;
  /** Index of the first bad event in its stream (0-based); for `truncated`, the index of the first missing one. */
  readonly position: number;
  /** The sequence number found there (or, for `truncated`, the one expected). */
  readonly seq: number;
  /** Events verified before this one, across all streams walked in order: its position in the whole trail. */
  readonly eventsBefore: number;
  readonly problem: LedgerProblem;
  readonly detail: string;
}

/** A digest of many stream heads: what an anchor records and what verify recomputes. */
export interface HeadsDigest {
  readonly streams: number;
  readonly events: number;
  readonly digest: string;
}

export interface AuditAnchor extends HeadsDigest {
  readonly version: 1;
  /** The digest covers every event with `at` at or before this instant. */
  readonly at: string;
  readonly createdAt: string;
}

export type LedgerVerdict =
  | ({ readonly ok: true; readonly verifiedAt: string } & HeadsDigest & {
        readonly anchor?: { readonly key: string; readonly at: string; readonly matched: true } | undefined;
      })
  | {
      readonly ok: false;
      readonly verifiedAt: string;
      readonly streams: number;
      readonly events: number;
      readonly broken: BrokenLink;
    };

/** The stream's events up to its recorded head, checked link by link and against that head. */
export function verifyStream(
  head: StreamHead,
  events: readonly AuditEvent[],
  eventsBefore: number,
): BrokenLink | undefined {
  // Events past the recorded head were appended after the heads were read: the next walk covers them.
  const upToHead = events.filter((event) => event.seq <= head.seq);
  const chain = verifyChain(upToHead);
  const broken = (problem: LedgerProblem, position: number, seq: number, detail: string): BrokenLink => ({
    stream: head.stream,
    position,
    seq,
    eventsBefore: eventsBefore + position,
    problem,
    detail,
  });
  if (!chain.ok) {
    const detail = {
      'missing-or-reordered': `expected seq ${(upToHead[chain.position - 1]?.seq ?? 0) + 1}, found ${chain.seq}`,
      'broken-link': `prevHash does not match the hash of event ${chain.seq - 1}`,
      edited: `event ${chain.seq} does not hash to its recorded hash`,
    }[chain.problem];
    return broken(chain.problem, chain.position, chain.seq, detail);
  }
  if (chain.head.seq < head.seq) {
    return broken(
      'truncated',
      upToHead.length,
      chain.head.seq + 1,
      chain.head.seq === 0
        ? `the stream is gone; its recorded head is event ${head.seq}`
        : `the stream ends at event ${chain.head.seq}; its recorded head is event ${head.seq}`,
    );
  }
  if (chain.head.hash !== head.hash) {
    return broken(
      'head-mismatch',
      upToHead.length - 1,
      head.seq,
      `event ${head.seq} does not carry the hash recorded as the stream's head`,
    );
  }
  return undefined;
}

/** The stream's head at `at`: the longest prefix of events all at or before that instant. */
export function headAt(events: readonly AuditEvent[], at: string): ChainHead {
  let head: ChainHead = { seq: 0, hash: GENESIS_HASH };
  for (const event of events) {
    if (event.at > at) break;
    head = { seq: event.seq, hash: event.hash };
  }
  return head;
}

/** Feeds heads in any order; the digest is over the heads sorted by stream, empty streams left out. */
export class HeadsDigester {
  readonly #heads: { readonly stream: string; readonly head: ChainHead }[] = [];

  add(stream: string, head: ChainHead): void {
    if (head.seq > 0) this.#heads.push({ stream, head });
  }

  result(): HeadsDigest {
    const sorted = [...this.#heads].sort((a, b) => (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0));
    const hash = createHash('sha256');
    let events = 0;
    for (const { stream, head } of sorted) {
      hash.update(`${stream}\t${head.seq}\t${head.hash}\n`);
      events += head.seq;
    }
    return { streams: sorted.length, events, digest: hash.digest('hex') };
  }
}

export function sameDigest(a: HeadsDigest, b: HeadsDigest): boolean {
  return a.streams === b.streams && a.events === b.events && a.digest === b.digest;
}

/** What an anchor and the trail disagree on, in words an auditor can act on. */
export function anchorMismatch(anchor: AuditAnchor, found: HeadsDigest): string {
  return (
    `the anchor of ${anchor.at} records ${anchor.events} events in ${anchor.streams} streams (digest ` +
    `${anchor.digest.slice(0, 12)}…); the trail up to that instant has ${found.events} events in ` +
    `${found.streams} streams (digest ${found.digest.slice(0, 12)}…)`
  );
}
