// Who held which scope when: grant intervals, their placement in time buckets (so "who had access at T" reads a
// few small partitions instead of the whole history), and the answers built from them.
import type { AccessRequest, Scope } from './model.ts';

/** One scope held by one principal through one request, from grant to end. */
export interface AccessInterval {
  readonly requestId: string;
  readonly principalId: string;
  readonly organisation: string;
  readonly external: boolean;
  readonly scope: Scope;
  readonly from: string;
  /** The planned end (expiresAt) while open; the actual end once closed. Access is [from, until). */
  readonly until: string;
  /** Set when the interval was closed: the instant access ended. */
  readonly to?: string | undefined;
  /** EXPIRED, REVOKED, ...: the request status that ended the interval. */
  readonly endReason?: string | undefined;
  /** The reason recorded on the request (a revocation's text, a sweep's code). */
  readonly reason?: string | undefined;
  readonly approvedBy: readonly string[];
}

const HOUR_MS = 3_600_000;
/** Bucket sizes 1 h, 4 h, 16 h, ... 4^11 h (about 478 years): an interval lives in the smallest bucket that holds it. */
export const BUCKET_LEVELS = 12;
const BUCKET_BASE = 4;

function bucketIndex(instantMs: number, level: number): number {
  return Math.floor(instantMs / (HOUR_MS * BUCKET_BASE ** level));
}

/**
 * The one bucket an interval is stored in: the smallest power-of-4-hours window containing [from, until).
 * A point-in-time query then reads one bucket per level, and every bucket it reads holds only intervals no
 * longer than the bucket, so it reads about as many items as there are holders at that instant.
 * An interval only ever shrinks (revocation), so it stays inside the bucket chosen when it opened.
 */
export function bucketOf(from: string, until: string): string {
  const start = Date.parse(from);
  const last = Math.max(start, Date.parse(until) - 1);
  for (let level = 0; level < BUCKET_LEVELS; level++) {
    const index = bucketIndex(start, level);
    if (index === bucketIndex(last, level)) return `L${level}#${index}`;
  }
  throw new Error(`interval ${from}..${until} is longer than the largest bucket`);
}

/** The buckets (one per level) that can hold an interval covering `at`. */
export function bucketsAt(at: string): string[] {
  const instant = Date.parse(at);
  return Array.from({ length: BUCKET_LEVELS }, (_, level) => `L${level}#${bucketIndex(instant, level)}`);
}

export function isActiveAt(interval: AccessInterval, at: string): boolean {
  return interval.from <= at && at < interval.until;
}

/** The intervals a grant opens: one per scope, planned to end at the grant's expiry. */
export function openedIntervals(request: AccessRequest): AccessInterval[] {
  const grant = request.grant;
  if (!grant) return [];
  return request.scopes.map((scope) => ({
    requestId: request.id,
    principalId: request.requester,
    organisation: request.requesterOrganisation,
    external: request.external,
    scope,
    from: grant.grantedAt,
    until: grant.expiresAt,
    approvedBy: grant.approvedBy,
  }));
}

/** When access really ended: a late expiry step does not extend access past expiresAt. */
export function endOf(request: AccessRequest, at: string): string {
  const closedAt = request.closedAt ?? at;
  const expiresAt = request.grant?.expiresAt;
  return expiresAt !== undefined && expiresAt < closedAt ? expiresAt : closedAt;
}

const byStartThenRequest = (a: AccessInterval, b: AccessInterval) =>
  a.from.localeCompare(b.from) || a.requestId.localeCompare(b.requestId) || a.scope.localeCompare(b.scope);

export function sortHistory(intervals: readonly AccessInterval[]): AccessInterval[] {
  return [...intervals].sort(byStartThenRequest);
}

/** Who held what at `at`, from candidate intervals (a bucket read returns some that ended earlier). */
export function holdersAt(candidates: readonly AccessInterval[], at: string): AccessInterval[] {
  return sortHistory(candidates.filter((interval) => isActiveAt(interval, at)));
}

/** One interval as the access timeline shows it: `to` and `endReason` null while access runs. */
export interface TimelineInterval {
  readonly requestId: string;
  readonly principalId: string;
  readonly organisation: string;
  readonly external: boolean;
  readonly scope: Scope;
  readonly from: string;
  readonly to: string | null;
  readonly endReason: string | null;
}

export interface AccessTimeline {
  readonly intervals: TimelineInterval[];
  /** External admins (the ones counted against the cap) at the window's start and after each change in it. */
  readonly adminsOverTime: Array<{ readonly at: string; readonly count: number }>;
}

/** Intervals that overlap [from, to): started before `to` and not ended by `from`. */
export function overlaps(interval: AccessInterval, from: string, to: string): boolean {
  return interval.from < to && interval.until > from;
}

/**
 * The access timeline of a window from candidate intervals (those held at `from` and those started in the window;
 * duplicates and non-overlapping ones are dropped). An interval never closed whose planned end has passed ended by
 * expiry (the workflow closes it a moment later).
 */
export function accessTimeline(
  candidates: readonly AccessInterval[],
  from: string,
  to: string,
  now: string,
): AccessTimeline {
  const unique = new Map<string, AccessInterval>();
  for (const interval of candidates) {
    if (overlaps(interval, from, to)) unique.set(`${interval.requestId}#${interval.scope}`, interval);
  }
  const kept = [...unique.values()].sort(
    (a, b) =>
      a.scope.localeCompare(b.scope) ||
      a.from.localeCompare(b.from) ||
      a.requestId.localeCompare(b.requestId),
  );
  const intervals = kept.map((interval) => {
    const ended = interval.to ?? (interval.until <= now ? interval.until : undefined);
    return {
      requestId: interval.requestId,
      principalId: interval.principalId,
      organisation: interval.organisation,
      external: interval.external,
      scope: interval.scope,
      from: interval.from,
      to: ended ?? null,
      endReason: interval.endReason ?? (ended === undefined ? null : 'EXPIRED'),
    };
  });
  const admins = kept.filter((interval) => interval.external && interval.scope === 'admin');
  const changes = new Map<string, number>();
  let count = 0;
  for (const interval of admins) {
    if (interval.from <= from) count += 1;
    else changes.set(interval.from, (changes.get(interval.from) ?? 0) + 1);
    if (interval.until < to) changes.set(interval.until, (changes.get(interval.until) ?? 0) - 1);
  }
  const adminsOverTime = [{ at: from, count }];
  for (const at of [...changes.keys()].sort()) {
    const delta = changes.get(at) ?? 0;
    if (delta === 0) continue;
    count += delta;
    adminsOverTime.push({ at, count });
  }
  return { intervals, adminsOverTime };
}
