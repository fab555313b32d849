// Use cases: who held which scopes at an instant, one principal's or one scope's history, and the CSV export.
import type { AccessInterval } from '../core/access-history.ts';
import { mayViewAccess } from '../core/authorization.ts';
import { type CsvColumn, CsvWriter } from '../core/csv.ts';
import { ForbiddenError, KeyholderError, ValidationError } from '../core/errors.ts';
import type { Principal, Scope } from '../core/model.ts';
import type { AccessHistory, RequestStore } from '../core/ports.ts';
import type { Dependencies } from './context.ts';

export interface AccessIntervalView {
  readonly principal: { readonly id: string; readonly name: string; readonly organisation: string };
  readonly requestId: string;
  readonly scope: Scope;
  readonly from: string;
  /** Planned end while the grant runs, actual end once it ended. */
  readonly until: string;
  readonly to?: string | undefined;
  readonly endReason?: string | undefined;
  readonly reason?: string | undefined;
  readonly approvedBy: readonly string[];
}

export interface AccessHistoryQuery {
  readonly at?: string | undefined;
  readonly principal?: string | undefined;
  readonly scope?: Scope | undefined;
}

type HistoryDependencies = Pick<Dependencies, 'clock' | 'policy' | 'directory'> & {
  readonly history: AccessHistory;
};

/** A Lambda response is buffered and limited to 6 MB; leave room for headers and base64-free framing. */
export const MAX_EXPORT_BYTES = 5_500_000;

function assertMayView(deps: HistoryDependencies, caller: Principal): void {
  if (!mayViewAccess(caller, deps.policy, deps.clock.now())) {
    throw new ForbiddenError(
      'NOT_ALLOWED',
      'only directors, access-admins and auditors can see who has access',
    );
  }
}

function assertPast(at: string, now: string, field: string): void {
  if (at > now) throw new ValidationError(field, `${field} must not be in the future`);
}

/** Intervals answering the query: an instant (optionally narrowed), or the history of a principal or a scope. */
async function intervalsFor(deps: HistoryDependencies, query: AccessHistoryQuery): Promise<AccessInterval[]> {
  if (query.at !== undefined) {
    assertPast(query.at, deps.clock.now(), 'at');
    const holders = await deps.history.intervalsAt(query.at);
    return holders.filter(
      (interval) =>
        (query.principal === undefined || interval.principalId === query.principal) &&
        (query.scope === undefined || interval.scope === query.scope),
    );
  }
  if (query.principal !== undefined) {
    const history = await deps.history.intervalsOfPrincipal(query.principal);
    return query.scope === undefined ? history : history.filter((interval) => interval.scope === query.scope);
  }
  if (query.scope !== undefined) return deps.history.intervalsOfScope(query.scope);
  return deps.history.intervalsAt(deps.clock.now());
}

async function viewsOf(
  deps: HistoryDependencies,
  intervals: readonly AccessInterval[],
): Promise<AccessIntervalView[]> {
  const principals = new Map((await deps.directory.listPrincipals()).map((entry) => [entry.id, entry]));
  return intervals.map((interval) => ({
    principal: {
      id: interval.principalId,
      name: principals.get(interval.principalId)?.name ?? interval.principalId,
      organisation: interval.organisation,
    },
    requestId: interval.requestId,
    scope: interval.scope,
    from: interval.from,
    until: interval.until,
    to: interval.to,
    endReason: interval.endReason,
    reason: interval.reason,
    approvedBy: interval.approvedBy,
  }));
}

export async function accessHistory(
  deps: HistoryDependencies,
  caller: Principal,
  query: AccessHistoryQuery,
): Promise<AccessIntervalView[]> {
  assertMayView(deps, caller);
  return viewsOf(deps, await intervalsFor(deps, query));
}

/** A row of the access export: the interval and the justification of the request that granted it. */
type AccessCsvRow = AccessIntervalView & { readonly justification?: string | undefined };

const ACCESS_COLUMNS: readonly CsvColumn<AccessCsvRow>[] = [
  { header: 'principal_id', value: (row) => row.principal.id },
  { header: 'principal_name', value: (row) => row.principal.name },
  { header: 'organisation', value: (row) => row.principal.organisation },
  { header: 'scope', value: (row) => row.scope },
  { header: 'request_id', value: (row) => row.requestId },
  { header: 'from', value: (row) => row.from },
  { header: 'until', value: (row) => row.until },
  { header: 'ended_at', value: (row) => row.to },
  { header: 'end_reason', value: (row) => row.endReason },
  { header: 'reason', value: (row) => row.reason },
  { header: 'approved_by', value: (row) => row.approvedBy },
  // Free text the requester wrote: csvField quotes it and defuses a leading = + - @ like every other field.
  { header: 'justification', value: (row) => row.justification },
];

/** GET /access.csv: holders now or at `at`, one row per scope held, with each request's justification. */
export async function accessCsv(
  deps: HistoryDependencies & { readonly store: Pick<RequestStore, 'getRequests'> },
  caller: Principal,
  at: string | undefined,
): Promise<{ readonly at: string; readonly csv: string }> {
  assertMayView(deps, caller);
  const instant = at ?? deps.clock.now();
  const views = await viewsOf(deps, await intervalsFor(deps, { at: instant }));
  // One batched read for every request (a request with several scopes is several rows): 100 keys a round trip.
  const requests = await deps.store.getRequests(views.map((view) => view.requestId));
  const rows = views.map((view) => ({ ...view, justification: requests.get(view.requestId)?.justification }));
  return { at: instant, csv: boundedCsv(ACCESS_COLUMNS, rows) };
}

/** Writes rows until the Lambda response limit; past it the caller must narrow the query. */
export function boundedCsv<T>(columns: readonly CsvColumn<T>[], rows: Iterable<T>): string {
  const writer = new CsvWriter(columns);
  for (const row of rows) {
    writer.write(row);
    if (writer.byteLength > MAX_EXPORT_BYTES) {
      throw new KeyholderError(
        'validation',
        'EXPORT_TOO_LARGE',
        `the export passed ${MAX_EXPORT_BYTES} bytes after ${writer.rows} rows; narrow the time range`,
      );
    }
  }
  return writer.toString();
}
