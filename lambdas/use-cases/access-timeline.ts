// Use case: GET /access/timeline, who held which scope over a window (at most 90 days, the last 7 by default), from
// the recorded access history: the intervals held at the window's start (the time buckets, 12 Queries) and those
// started in it (a key range of each scope's partition), never a Scan.
import { accessTimeline, type TimelineInterval } from '../core/access-history.ts';
import { mayViewAccess } from '../core/authorization.ts';
import { addDuration, parseDuration } from '../core/duration.ts';
import { ForbiddenError, ValidationError } from '../core/errors.ts';
import type { Principal, Scope } from '../core/model.ts';
import type { AccessHistory } from '../core/ports.ts';
import type { Dependencies } from './context.ts';

export const MAX_TIMELINE_WINDOW = 'P90D';
export const DEFAULT_TIMELINE_WINDOW = 'P7D';

export interface AccessTimelineView {
  readonly from: string;
  readonly to: string;
  readonly cap: number;
  readonly intervals: Array<
    Omit<TimelineInterval, 'principalId' | 'organisation' | 'external'> & {
      readonly principal: {
        readonly id: string;
        readonly name: string;
        readonly organisation: string;
        readonly external: boolean;
      };
    }
  >;
  readonly adminsOverTime: Array<{ readonly at: string; readonly count: number }>;
}

type TimelineDependencies = Pick<Dependencies, 'clock' | 'policy' | 'directory'> & {
  readonly history: AccessHistory;
};

/** The window asked for, defaulted and bounded; errors name the parameter. */
export function timelineWindow(
  query: { readonly from?: string | undefined; readonly to?: string | undefined },
  now: string,
): { readonly from: string; readonly to: string } {
  const to = query.to ?? now;
  const from = query.from ?? new Date(Date.parse(to) - parseDuration(DEFAULT_TIMELINE_WINDOW)).toISOString();
  if (from >= to) throw new ValidationError('from', 'from must be before to');
  if (addDuration(from, MAX_TIMELINE_WINDOW) < to) {
    throw new ValidationError('to', `the window from ${from} to ${to} is longer than 90 days`);
  }
  return { from, to };
}

export async function accessTimelineOf(
  deps: TimelineDependencies,
  caller: Principal,
  query: { readonly from?: string | undefined; readonly to?: string | undefined },
): Promise<AccessTimelineView> {
  const now = deps.clock.now();
  if (!mayViewAccess(caller, deps.policy, now)) {
    throw new ForbiddenError(
      'NOT_ALLOWED',
      'only directors, access-admins and auditors can see who has access',
    );
  }
  const { from, to } = timelineWindow(query, now);
  const [datasets, principals] = await Promise.all([
    deps.directory.listDatasets(),
    deps.directory.listPrincipals(),
  ]);
  const scopes: Scope[] = ['admin', ...datasets.map((dataset) => `dataset:${dataset.id}` as Scope)];
  const [heldAtStart, started] = await Promise.all([
    deps.history.intervalsAt(from),
    Promise.all(scopes.map((scope) => deps.history.intervalsOfScopeStartedBetween(scope, from, to))),
  ]);
  const timeline = accessTimeline([...heldAtStart, ...started.flat()], from, to, now);
  const names = new Map(principals.map((principal) => [principal.id, principal.name]));
  return {
    from,
    to,
    cap: deps.policy.externalAdminCap,
    intervals: timeline.intervals.map(({ principalId, organisation, external, ...interval }) => ({
      requestId: interval.requestId,
      principal: { id: principalId, name: names.get(principalId) ?? principalId, organisation, external },
      scope: interval.scope,
      from: interval.from,
      to: interval.to,
      endReason: interval.endReason,
    })),
    adminsOverTime: timeline.adminsOverTime,
  };
}
