// The public transparency report: aggregate figures only, computed from the active grants, the seat count and the
// audit events of the last 30 days. It names no person and no request, by construction: nothing below copies a
// principal id, a name, an email, a request id or a free-text reason into the report.
import type { AuditEvent } from './audit.ts';
import type { HeadsDigest, LedgerVerdict } from './audit-verify.ts';
import type { Scope } from './model.ts';
import type { OverRule } from './over-rule.ts';

export const TRANSPARENCY_WINDOW_DAYS = 30;

export interface Count<K extends string = string> {
  readonly key: K;
  readonly count: number;
}

export interface TransparencyReport {
  readonly generatedAt: string;
  readonly window: { readonly from: string; readonly to: string; readonly days: number };
  readonly externalAdminSeats: { readonly inUse: number; readonly cap: number };
  readonly activeGrants: {
    readonly total: number;
    readonly byScope: readonly Count[];
    readonly byOrganisation: readonly Count[];
  };
  readonly lastWindow: {
    readonly grants: number;
    readonly denials: number;
    readonly revocations: { readonly total: number; readonly byReason: readonly Count[] };
    readonly timeouts: number;
    readonly capRejections: number;
    readonly expiries: number;
  };
  /** Median of (expiresAt - grantedAt) over the grants made in the window; null when there were none. */
  readonly medianApprovedDurationHours: number | null;
  readonly reviews: { readonly onTime: number; readonly overdue: number };
  /** Access found on the platforms without a Keyholder grant and not yet gone (open drift items, a count). */
  readonly outOfBandAccess: number;
  /** Grants kept running that break the rules in force (a tightened cap or maximum duration); absent in older snapshots. */
  readonly grantsOverRules?: { readonly total: number; readonly byRule: readonly Count[] } | undefined;
  /** Break-glass grants made in the window, and break-glass reviews settled in it: justified on time, or not. */
  readonly breakGlass?: {
    readonly grants: number;
    readonly reviewedOnTime: number;
    readonly notReviewedOnTime: number;
  };
  readonly chainHead:
    | ({ readonly verified: true; readonly verifiedAt: string } & HeadsDigest)
    | { readonly verified: false; readonly verifiedAt: string }
    | null;
}

export interface TransparencyInput {
  readonly now: string;
  readonly externalAdminCap: number;
  readonly externalAdminSeatsInUse: number;
  readonly activeGrants: readonly {
    readonly scope: Scope;
    readonly organisation: string;
    readonly expiresAt: string;
  }[];
  /** Every audit event with `at` in the window (other events are ignored). */
  readonly events: readonly AuditEvent[];
  readonly verdict?: LedgerVerdict | undefined;
  /** Open out-of-band drift items (lambdas/core/drift.ts); none when no provider can drift. */
  readonly outOfBandAccess?: number | undefined;
  /** Active grants the rules in force would not allow (lambdas/core/over-rule.ts), one per grant and rule. */
  readonly overRules?: readonly Pick<OverRule, 'rule' | 'requestId'>[] | undefined;
}

const DAY_MS = 86_400_000;
const REASON_CODE = /^[A-Z][A-Z0-9_]{1,63}$/;

export function windowStart(now: string, days = TRANSPARENCY_WINDOW_DAYS): string {
  return new Date(Date.parse(now) - days * DAY_MS).toISOString();
}

/**
 * A revocation's reason as published: a system code (REVIEW_OVERDUE, CLEARANCE_LAPSED, ...) as is; free text,
 * which may name people, only as who revoked (the holder, or someone else).
 */
export function revocationCategory(event: AuditEvent): string {
  if (event.reason && REASON_CODE.test(event.reason)) return event.reason;
  if (event.actor.type === 'system') return 'SYSTEM';
  return event.actor.id === event.subject.principalId ? 'RELINQUISHED_BY_HOLDER' : 'REVOKED_BY_STAFF';
}

/**
 * How a review event counts. Reviews are recorded as REVIEW_* events (REVIEW_KEPT: a director recertified the
 * grant); one that says it was late (by its action, reason code or `details.overdue`) is overdue, as is the
 * sweep's REVIEW_OVERDUE revocation; one that records a completed review is on time.
 */
export function reviewOutcome(event: AuditEvent): 'on-time' | 'overdue' | undefined {
  // A review nobody answered in time ends in the sweep's revocation, coded REVIEW_OVERDUE.
  if (event.action === 'GRANT_REVOKED') return event.reason === 'REVIEW_OVERDUE' ? 'overdue' : undefined;
  if (!event.action.startsWith('REVIEW_')) return undefined;
  const said = `${event.action} ${event.reason ?? ''}`;
  if (event.details?.overdue === true || /OVERDUE|LAPSED|MISSED|LATE/.test(said)) return 'overdue';
  if (
    /RECERTIFIED|COMPLETED|CONFIRMED|APPROVED|DONE|RENEWED|REVIEWED|KEPT|ENDED|REVOKED/.test(event.action)
  ) {
    return 'on-time';
  }
  return undefined;
}

function counted(keys: Iterable<string>): Count[] {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return [...counts.entries()]
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function transparencyReport(input: TransparencyInput): TransparencyReport {
  const { now } = input;
  const from = windowStart(now);
  const active = input.activeGrants.filter((grant) => grant.expiresAt > now);
  const events = input.events.filter((event) => event.at >= from && event.at < now);
  const withAction = (action: string) => events.filter((event) => event.action === action);
  const revocations = withAction('GRANT_REVOKED');
  const durationsHours = withAction('GRANT_ACTIVATED').flatMap((event) => {
    const expiresAt = event.details?.expiresAt;
    if (typeof expiresAt !== 'string') return [];
    return [(Date.parse(expiresAt) - Date.parse(event.at)) / 3_600_000];
  });
  const medianHours = median(durationsHours);
  const reviews = events.map(reviewOutcome);
  const verdict = input.verdict;
  return {
    generatedAt: now,
    window: { from, to: now, days: TRANSPARENCY_WINDOW_DAYS },
    externalAdminSeats: { inUse: input.externalAdminSeatsInUse, cap: input.externalAdminCap },
    activeGrants: {
      total: active.length,
      byScope: counted(active.map((grant) => grant.scope)),
      byOrganisation: counted(active.map((grant) => grant.organisation)),
    },
    lastWindow: {
      grants: withAction('GRANT_ACTIVATED').length,
      denials: withAction('REQUEST_DENIED').length,
      revocations: { total: revocations.length, byReason: counted(revocations.map(revocationCategory)) },
      timeouts: withAction('REQUEST_TIMED_OUT').length,
      capRejections: withAction('REQUEST_REJECTED').length,
      expiries: withAction('GRANT_EXPIRED').length,
    },
    medianApprovedDurationHours: medianHours === null ? null : Math.round(medianHours * 100) / 100,
    reviews: {
      onTime: reviews.filter((outcome) => outcome === 'on-time').length,
      overdue: reviews.filter((outcome) => outcome === 'overdue').length,
    },
    outOfBandAccess: input.outOfBandAccess ?? 0,
    grantsOverRules: {
      total: new Set((input.overRules ?? []).map((flag) => flag.requestId)).size,
      byRule: counted((input.overRules ?? []).map((flag) => flag.rule)),
    },
    breakGlass: {
      grants: withAction('GRANT_ACTIVATED').filter((event) => event.details?.breakGlass === true).length,
      reviewedOnTime: withAction('BREAK_GLASS_JUSTIFIED').length,
      notReviewedOnTime:
        withAction('BREAK_GLASS_NOT_JUSTIFIED').length + withAction('BREAK_GLASS_UNREVIEWED').length,
    },
    chainHead: !verdict
      ? null
      : verdict.ok
        ? {
            verified: true,
            verifiedAt: verdict.verifiedAt,
            streams: verdict.streams,
            events: verdict.events,
            digest: verdict.digest,
          }
        : // Where it broke names a request: the public learns only that it failed.
          { verified: false, verifiedAt: verdict.verifiedAt },
  };
}
