// Who has access: now (filter by scope, organisation and principal; CSV), at a chosen time, and a picture of a
// window: grants per scope as bars (external admins highlighted) and external admins over time against the cap.
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useMemo, useState } from 'react';
import { useApi, useConfig, useScopeLabel } from '../App.tsx';
import { ApiError, unwrap } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { formatDateTime, relativeTime, spanInWords } from '../time.ts';
import { Empty, FormGroup, Loading, Problem, Tag } from '../ui.tsx';

const WINDOWS = [
  { value: 'PT5M', text: 'the last 5 minutes', seconds: 300 },
  { value: 'PT1H', text: 'the last hour', seconds: 3_600 },
  { value: 'P1D', text: 'the last day', seconds: 86_400 },
  { value: 'P7D', text: 'the last 7 days', seconds: 7 * 86_400 },
  { value: 'P30D', text: 'the last 30 days', seconds: 30 * 86_400 },
] as const;

/** A datetime-local value (the browser's local time) as an ISO instant. */
function instantOf(local: string): string | undefined {
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function Th({ children }: { children: string }) {
  return (
    <th className="nhsuk-table__header" scope="col">
      {children}
    </th>
  );
}

function NowSection() {
  const scopeLabel = useScopeLabel();
  const api = useApi();
  const auth = useAuth();
  const config = useConfig();
  const [scope, setScope] = useState('');
  const [organisation, setOrganisation] = useState('');
  const [principal, setPrincipal] = useState('');
  const [csvError, setCsvError] = useState<unknown>();
  const access = useQuery({
    queryKey: ['access'],
    // Without a query GET /access answers who holds what now (with ?at, ?principal or ?scope: a history).
    queryFn: async () => {
      const answer = await unwrap(api.GET('/access'));
      if (!('access' in answer))
        throw new Error('GET /access answered a history instead of who has access now');
      return answer;
    },
    refetchInterval: 15_000,
  });
  const rows = useMemo(() => {
    const all = access.data?.access ?? [];
    return all.filter(
      (row) =>
        (!scope || row.scopes.includes(scope)) &&
        (!organisation || row.principal.organisation === organisation) &&
        (!principal ||
          `${row.principal.id} ${row.principal.name}`.toLowerCase().includes(principal.trim().toLowerCase())),
    );
  }, [access.data, scope, organisation, principal]);
  const scopes = [...new Set(access.data?.access.flatMap((row) => row.scopes) ?? [])].sort();
  const organisations = [
    ...new Set(access.data?.access.map((row) => row.principal.organisation) ?? []),
  ].sort();
  const download = async () => {
    setCsvError(undefined);
    try {
      const response = await fetch(`${config.apiUrl.replace(/\/$/, '')}/access.csv`, {
        headers: { authorization: `Bearer ${auth.accessToken() ?? ''}` },
      });
      if (!response.ok) throw new ApiError(response.status, String(response.status), response.statusText);
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement('a');
      link.href = url;
      link.download = `keyholder-access-${new Date().toISOString().slice(0, 19).replaceAll(':', '')}.csv`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      setCsvError(error);
    }
  };
  return (
    <section aria-labelledby="now-heading">
      <h2 id="now-heading">Who has access now</h2>
      <div className="kh-actions">
        <FormGroup id="filter-scope" label="Scope">
          {() => (
            <select
              className="nhsuk-select"
              id="filter-scope"
              value={scope}
              onChange={(e) => setScope(e.target.value)}
            >
              <option value="">Any scope</option>
              {scopes.map((s) => (
                <option key={s} value={s}>
                  {scopeLabel(s)}
                </option>
              ))}
            </select>
          )}
        </FormGroup>
        <FormGroup id="filter-organisation" label="Organisation">
          {() => (
            <select
              className="nhsuk-select"
              id="filter-organisation"
              value={organisation}
              onChange={(e) => setOrganisation(e.target.value)}
            >
              <option value="">Any organisation</option>
              {organisations.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
          )}
        </FormGroup>
        <FormGroup id="filter-principal" label="Person">
          {() => (
            <input
              className="nhsuk-input nhsuk-input--width-10"
              id="filter-principal"
              value={principal}
              onChange={(e) => setPrincipal(e.target.value)}
            />
          )}
        </FormGroup>
      </div>
      <button type="button" className="nhsuk-button nhsuk-button--secondary" onClick={() => void download()}>
        Download as CSV
      </button>
      {csvError ? <Problem error={csvError} /> : null}
      {access.isPending ? <Loading what="who has access" /> : null}
      {access.error ? <Problem error={access.error} retry={() => void access.refetch()} /> : null}
      {access.data && rows.length === 0 ? (
        <Empty>
          Nobody has access{scope || organisation || principal ? ' matching these filters' : ''} right now.
        </Empty>
      ) : null}
      {rows.length > 0 ? (
        <div className="kh-table-scroll">
          <table className="nhsuk-table" data-testid="access-now">
            <caption className="nhsuk-table__caption nhsuk-table__caption--s">
              {rows.length} {rows.length === 1 ? 'grant' : 'grants'} at{' '}
              {formatDateTime(access.data?.at ?? new Date())}
            </caption>
            <thead className="nhsuk-table__head">
              <tr className="nhsuk-table__row">
                <Th>Person</Th>
                <Th>Organisation</Th>
                <Th>Access</Th>
                <Th>Ends</Th>
              </tr>
            </thead>
            <tbody className="nhsuk-table__body">
              {rows.map((row) => (
                <tr className="nhsuk-table__row" key={row.requestId}>
                  <td className="nhsuk-table__cell">
                    {row.principal.name} ({row.principal.id})
                  </td>
                  <td className="nhsuk-table__cell">{row.principal.organisation}</td>
                  <td className="nhsuk-table__cell">
                    {row.scopes.map((s) => scopeLabel(s)).join(', ')}
                    {row.breakGlass ? (
                      <>
                        {' '}
                        <strong className="nhsuk-tag nhsuk-tag--red">Break-glass</strong>
                      </>
                    ) : null}
                    {row.overRules.map((flag) => (
                      <p className="nhsuk-body-s nhsuk-u-margin-bottom-0" key={flag.rule}>
                        <strong className="nhsuk-tag nhsuk-tag--orange">Over the rules</strong> {flag.reason}
                      </p>
                    ))}
                  </td>
                  <td className="nhsuk-table__cell">
                    {relativeTime(row.expiresAt)} ({formatDateTime(row.expiresAt)})
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function AtSection() {
  const scopeLabel = useScopeLabel();
  const api = useApi();
  const [local, setLocal] = useState('');
  const [at, setAt] = useState<string>();
  const [error, setError] = useState('');
  const history = useQuery({
    queryKey: ['access-at', at],
    enabled: at !== undefined,
    queryFn: () => unwrap(api.GET('/access', { params: { query: { at: at as string } } })),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const instant = instantOf(local);
    if (!instant) return setError('Enter a date and time, for example 6 December 2026 09:00');
    setError('');
    setAt(instant);
  };
  const intervals = history.data && 'intervals' in history.data ? history.data.intervals : [];
  return (
    <section aria-labelledby="at-heading">
      <h2 id="at-heading">Who had access at a chosen time</h2>
      <form onSubmit={submit} noValidate className="kh-actions">
        <div className={`nhsuk-form-group${error ? ' nhsuk-form-group--error' : ''}`}>
          <label className="nhsuk-label" htmlFor="at-time">
            Date and time
          </label>
          <div className="nhsuk-hint" id="at-time-hint">
            In your local time.
          </div>
          {error ? (
            <span className="nhsuk-error-message" id="at-time-error">
              <span className="nhsuk-u-visually-hidden">Error:</span> {error}
            </span>
          ) : null}
          <input
            className="nhsuk-input nhsuk-input--width-20"
            id="at-time"
            type="datetime-local"
            step="1"
            value={local}
            onChange={(e) => setLocal(e.target.value)}
            aria-describedby={`at-time-hint${error ? ' at-time-error' : ''}`}
          />
        </div>
        <button type="submit" className="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-top-5">
          Show
        </button>
      </form>
      {history.isFetching ? <Loading what="the history" /> : null}
      {history.error ? <Problem error={history.error} /> : null}
      {at && history.data && intervals.length === 0 ? (
        <Empty>Nobody had access at {formatDateTime(at)}.</Empty>
      ) : null}
      {at && intervals.length > 0 ? (
        <div className="kh-table-scroll">
          <table className="nhsuk-table" data-testid="access-at">
            <caption className="nhsuk-table__caption nhsuk-table__caption--s">
              Access at {formatDateTime(at)}
            </caption>
            <thead className="nhsuk-table__head">
              <tr className="nhsuk-table__row">
                <Th>Person</Th>
                <Th>Organisation</Th>
                <Th>Access</Th>
                <Th>From</Th>
                <Th>Until</Th>
              </tr>
            </thead>
            <tbody className="nhsuk-table__body">
              {intervals.map((row) => (
                <tr className="nhsuk-table__row" key={`${row.requestId}-${row.scope}`}>
                  <td className="nhsuk-table__cell">
                    {row.principal.name} ({row.principal.id})
                  </td>
                  <td className="nhsuk-table__cell">{row.principal.organisation}</td>
                  <td className="nhsuk-table__cell">{scopeLabel(row.scope)}</td>
                  <td className="nhsuk-table__cell">{formatDateTime(row.from)}</td>
                  <td className="nhsuk-table__cell">
                    {formatDateTime(row.to ?? row.until)}
                    {row.endReason ? ` (${row.endReason.toLowerCase().replaceAll('_', ' ')})` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

const COLOURS = { external: '#d5281b', staff: '#005eb8', cap: '#d5281b', line: '#007f3b', grid: '#d8dde0' };

function TimelineSection() {
  const api = useApi();
  const [range, setRange] = useState<string>('PT1H');
  const seconds = WINDOWS.find((w) => w.value === range)?.seconds ?? 3600;
  const timeline = useQuery({
    queryKey: ['access-timeline', range],
    queryFn: () => {
      const to = new Date();
      const from = new Date(to.getTime() - seconds * 1000);
      return unwrap(
        api.GET('/access/timeline', {
          params: { query: { from: from.toISOString(), to: to.toISOString() } },
        }),
      );
    },
    refetchInterval: 30_000,
  });
  const data = timeline.data;
  return (
    <section aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">Access over time</h2>
      <div className="nhsuk-form-group">
        <label className="nhsuk-label" htmlFor="timeline-window">
          Show
        </label>
        <select
          className="nhsuk-select"
          id="timeline-window"
          value={range}
          onChange={(e) => setRange(e.target.value)}
        >
          {WINDOWS.map((w) => (
            <option key={w.value} value={w.value}>
              {w.text}
            </option>
          ))}
        </select>
      </div>
      {timeline.isPending ? <Loading what="the timeline" /> : null}
      {timeline.error ? <Problem error={timeline.error} retry={() => void timeline.refetch()} /> : null}
      {data && data.intervals.length === 0 ? (
        <Empty>Nobody had access in {spanInWords(seconds * 1000)}.</Empty>
      ) : null}
      {data && data.intervals.length > 0 ? <GrantsChart data={data} /> : null}
      {data ? <AdminsChart data={data} /> : null}
    </section>
  );
}

type TimelineData = {
  from: string;
  to: string;
  cap: number;
  intervals: Array<{
    requestId: string;
    principal: { id: string; name: string; organisation: string; external: boolean };
    scope: string;
    from: string;
    to: string | null;
    endReason: string | null;
  }>;
  adminsOverTime: Array<{ at: string; count: number }>;
};

/** At most `length` characters, with an ellipsis when cut (lane labels have a fixed width). */
const truncate = (text: string, length: number) =>
  text.length > length ? `${text.slice(0, length - 1)}…` : text;

function axisTicks(from: number, to: number): number[] {
  return [0, 0.25, 0.5, 0.75, 1].map((f) => from + (to - from) * f);
}

const shortTime = (ms: number, span: number) =>
  new Date(ms).toLocaleString(
    'en-GB',
    span > 2 * 86_400_000 ? { day: 'numeric', month: 'short' } : { hour: '2-digit', minute: '2-digit' },
  );

function GrantsChart({ data }: { data: TimelineData }) {
  const scopeLabel = useScopeLabel();
  const from = new Date(data.from).getTime();
  const to = new Date(data.to).getTime();
  const span = Math.max(1, to - from);
  const scopes = [...new Set(data.intervals.map((i) => i.scope))].sort();
  const left = 150;
  const width = 800;
  const plot = width - left - 20;
  const laneHeight = 28;
  const rowsPerScope = new Map(scopes.map((s) => [s, data.intervals.filter((i) => i.scope === s)]));
  let y = 10;
  const lanes = scopes.map((scope) => {
    const items = rowsPerScope.get(scope) ?? [];
    const top = y;
    y += Math.max(1, items.length) * laneHeight + 10;
    return { scope, items, top };
  });
  const height = y + 30;
  const x = (ms: number) => left + ((Math.min(Math.max(ms, from), to) - from) / span) * plot;
  const described = data.intervals
    .map(
      (i) =>
        `${i.principal.name} (${i.principal.organisation}) held ${scopeLabel(i.scope)} from ${formatDateTime(i.from)} ${i.to ? `to ${formatDateTime(i.to)}` : 'and still does'}`,
    )
    .join('; ');
  return (
    <figure className="nhsuk-u-margin-bottom-6">
      <figcaption className="nhsuk-body-s">
        Grants per scope from {formatDateTime(data.from)} to {formatDateTime(data.to)}.{' '}
        <span className="kh-legend-swatch" style={{ background: COLOURS.external }} aria-hidden="true" />{' '}
        external admin{' '}
        <span className="kh-legend-swatch" style={{ background: COLOURS.staff }} aria-hidden="true" /> other
        access
      </figcaption>
      <svg
        className="kh-chart"
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={`Grants per scope: ${described}`}
        data-testid="grants-chart"
      >
        {lanes.map((lane) => (
          <g key={lane.scope}>
            <text x={4} y={lane.top + 18}>
              {truncate(lane.scope === 'admin' ? 'Admin' : scopeLabel(lane.scope), 22)}
            </text>
            <line x1={left} x2={left + plot} y1={lane.top - 5} y2={lane.top - 5} stroke={COLOURS.grid} />
            {lane.items.map((interval, index) => {
              const start = x(new Date(interval.from).getTime());
              const end = x(interval.to ? new Date(interval.to).getTime() : to);
              const externalAdmin = interval.principal.external && interval.scope === 'admin';
              return (
                <g key={`${interval.requestId}-${interval.scope}`}>
                  <rect
                    x={start}
                    y={lane.top + index * laneHeight}
                    width={Math.max(3, end - start)}
                    height={laneHeight - 6}
                    fill={externalAdmin ? COLOURS.external : COLOURS.staff}
                    rx={3}
                  >
                    <title>
                      {interval.principal.name}: {formatDateTime(interval.from)} to{' '}
                      {interval.to ? formatDateTime(interval.to) : 'now'}
                    </title>
                  </rect>
                  <text
                    x={Math.min(start + 4, left + plot - 120)}
                    y={lane.top + index * laneHeight + 16}
                    style={{ fill: '#fff' }}
                    className="kh-bar-label"
                  >
                    {Math.max(3, end - start) > 90 ? interval.principal.name : ''}
                  </text>
                </g>
              );
            })}
          </g>
        ))}
        {axisTicks(from, to).map((tick) => (
          <text key={tick} x={x(tick)} y={height - 8} textAnchor="middle">
            {shortTime(tick, span)}
          </text>
        ))}
      </svg>
    </figure>
  );
}

function AdminsChart({ data }: { data: TimelineData }) {
  const from = new Date(data.from).getTime();
  const to = new Date(data.to).getTime();
  const span = Math.max(1, to - from);
  const width = 800;
  const height = 220;
  const left = 40;
  const plot = width - left - 20;
  const top = 20;
  const bottom = height - 30;
  const max = Math.max(data.cap, ...data.adminsOverTime.map((p) => p.count)) + 1;
  const x = (ms: number) => left + ((Math.min(Math.max(ms, from), to) - from) / span) * plot;
  const y = (count: number) => bottom - (count / max) * (bottom - top);
  let path = '';
  data.adminsOverTime.forEach((point, index) => {
    const px = x(new Date(point.at).getTime());
    path += index === 0 ? `M${px},${y(point.count)}` : `H${px}V${y(point.count)}`;
  });
  path += `H${x(to)}`;
  const latest = data.adminsOverTime.at(-1)?.count ?? 0;
  const peak = Math.max(0, ...data.adminsOverTime.map((p) => p.count));
  return (
    <figure>
      <figcaption className="nhsuk-body-s">
        External admins over time: {latest} now, at most {peak} in this window; the cap is {data.cap}.{' '}
        <Tag colour={peak >= data.cap ? 'red' : 'green'}>
          {peak >= data.cap ? 'cap reached' : 'under the cap'}
        </Tag>
      </figcaption>
      <svg
        className="kh-chart"
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={`External admins over time: ${latest} now, peak ${peak}, cap ${data.cap}`}
        data-testid="admins-chart"
      >
        {Array.from({ length: max + 1 }, (_, n) => n).map((n) => (
          <g key={`count-${n}`}>
            <line x1={left} x2={left + plot} y1={y(n)} y2={y(n)} stroke={COLOURS.grid} />
            <text x={left - 8} y={y(n) + 4} textAnchor="end">
              {n}
            </text>
          </g>
        ))}
        <line
          x1={left}
          x2={left + plot}
          y1={y(data.cap)}
          y2={y(data.cap)}
          stroke={COLOURS.cap}
          strokeWidth={2}
          strokeDasharray="8 4"
          data-testid="cap-line"
        />
        <text x={left + plot} y={y(data.cap) - 6} textAnchor="end" style={{ fill: COLOURS.cap }}>
          cap {data.cap}
        </text>
        <path d={path} fill="none" stroke={COLOURS.line} strokeWidth={3} />
        {axisTicks(from, to).map((tick) => (
          <text key={tick} x={x(tick)} y={height - 8} textAnchor="middle">
            {shortTime(tick, span)}
          </text>
        ))}
      </svg>
    </figure>
  );
}

export function AccessPage() {
  return (
    <>
      <h1>Who has access</h1>
      <NowSection />
      <AtSection />
      <TimelineSection />
    </>
  );
}
