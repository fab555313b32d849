// The requester's own requests: a table with status tags; one request with its timeline, its expiry counting down,
// cancel while pending and extend while active.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { type Me, useApi, useScopeLabel } from '../App.tsx';
import { ApiError, unwrap } from '../api.ts';
import { Link } from '../router.tsx';
import { countdownInWords, durationInWords, formatDateTime, relativeTime } from '../time.ts';
import {
  Empty,
  ErrorSummary,
  type FieldError,
  FormGroup,
  Loading,
  Notice,
  Problem,
  StatusTag,
  SummaryList,
} from '../ui.tsx';
import { DecisionForm } from './InboxPage.tsx';
import { isoDuration } from './RequestPage.tsx';

const OPEN = new Set(['PENDING_APPROVAL', 'APPROVED', 'PROVISIONING', 'ACTIVE']);

export function RequestsPage() {
  const scopeLabel = useScopeLabel();
  const api = useApi();
  const requests = useQuery({
    queryKey: ['requests'],
    queryFn: () => unwrap(api.GET('/requests')),
    refetchInterval: (query) => (query.state.data?.requests.some((r) => OPEN.has(r.status)) ? 10_000 : false),
  });
  const me = useQuery<Me>({ queryKey: ['me'], enabled: false });
  const mine = requests.data?.requests.filter((request) => request.requester === me.data?.principal.id) ?? [];
  return (
    <>
      <h1>My requests</h1>
      <p>
        <Link href="/request" className="nhsuk-button nhsuk-button--secondary">
          Ask for access
        </Link>
      </p>
      {requests.isPending ? <Loading what="your requests" /> : null}
      {requests.error ? <Problem error={requests.error} retry={() => void requests.refetch()} /> : null}
      {requests.data && mine.length === 0 ? <Empty>You have not asked for access yet.</Empty> : null}
      {mine.length > 0 ? (
        <div className="kh-table-scroll">
          <table className="nhsuk-table">
            <caption className="nhsuk-table__caption nhsuk-u-visually-hidden">
              Your requests, newest first
            </caption>
            <thead className="nhsuk-table__head">
              <tr className="nhsuk-table__row">
                <th className="nhsuk-table__header" scope="col">
                  Access
                </th>
                <th className="nhsuk-table__header" scope="col">
                  Status
                </th>
                <th className="nhsuk-table__header" scope="col">
                  Asked
                </th>
              </tr>
            </thead>
            <tbody className="nhsuk-table__body">
              {[...mine]
                .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
                .map((request) => (
                  <tr className="nhsuk-table__row" key={request.id}>
                    <td className="nhsuk-table__cell">
                      <Link href={`/requests/${encodeURIComponent(request.id)}`}>
                        {request.scopes.map((scope) => scopeLabel(scope)).join(', ')} for{' '}
                        {durationInWords(request.duration)}
                      </Link>
                    </td>
                    <td className="nhsuk-table__cell">
                      <StatusTag status={request.status} />
                    </td>
                    <td className="nhsuk-table__cell">{relativeTime(request.createdAt)}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}

/** Ticks every second while mounted: for countdowns. */
function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

function Countdown({ expiresAt }: { expiresAt: string }) {
  const now = useNow();
  const left = new Date(expiresAt).getTime() - now;
  return (
    <span data-testid="countdown">
      {left > 0 ? `Ends ${countdownInWords(expiresAt, now)}` : 'Ending now'} ({formatDateTime(expiresAt)})
    </span>
  );
}

/** `version` changes whenever the request does (its status, its rounds): the timeline is read again then. */
export function RequestTimeline({ id, version = '' }: { id: string; version?: string }) {
  const api = useApi();
  const timeline = useQuery({
    queryKey: ['timeline', id, version],
    placeholderData: (previous) => previous,
    queryFn: () => unwrap(api.GET('/requests/{id}/timeline', { params: { path: { id } } })),
    refetchInterval: 10_000,
  });
  if (timeline.isPending) return <Loading what="the timeline" />;
  if (timeline.error) return <Problem error={timeline.error} retry={() => void timeline.refetch()} />;
  const events = timeline.data.events;
  if (events.length === 0) return <Empty>Nothing has happened yet.</Empty>;
  return (
    <ol className="kh-timeline" aria-label="Timeline">
      {events.map((event) => (
        <li key={`${event.at}-${event.type}-${event.summary}`}>
          <p className="nhsuk-body nhsuk-u-margin-bottom-1">
            <strong>{event.summary}</strong>
          </p>
          <p className="nhsuk-body-s nhsuk-u-secondary-text-colour nhsuk-u-margin-bottom-0">
            {formatDateTime(event.at)} ({relativeTime(event.at)})
          </p>
        </li>
      ))}
    </ol>
  );
}

export function RequestDetailPage({ id, me }: { id: string; me: Me }) {
  const scopeLabel = useScopeLabel();
  const api = useApi();
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState('');
  const request = useQuery({
    queryKey: ['request', id],
    queryFn: () => unwrap(api.GET('/requests/{id}', { params: { path: { id } } })),
    refetchInterval: (query) => (query.state.data && OPEN.has(query.state.data.status) ? 3_000 : false),
  });
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: ['request', id] });
    await queryClient.invalidateQueries({ queryKey: ['timeline', id] });
    await queryClient.invalidateQueries({ queryKey: ['requests'] });
  };
  const cancel = useMutation({
    mutationFn: () => unwrap(api.POST('/requests/{id}/cancel', { params: { path: { id } } })),
    onSuccess: async () => {
      setNotice('Your request was cancelled.');
      await refresh();
    },
    onError: () => void refresh(),
  });
  if (request.isPending) return <Loading what="the request" />;
  if (request.error) return <Problem error={request.error} retry={() => void request.refetch()} />;
  const r = request.data;
  const mine = r.requester === me.principal.id;
  return (
    <>
      <Link className="nhsuk-back-link" href="/requests">
        My requests
      </Link>
      <h1>
        {r.scopes.map((scope) => scopeLabel(scope)).join(', ')} <StatusTag status={r.status} />
      </h1>
      <Notice>{notice}</Notice>
      {cancel.error ? <Problem error={cancel.error} /> : null}
      <SummaryList
        rows={[
          ['Reference', r.id],
          ['Requester', `${r.requester} (${r.requesterOrganisation}${r.external ? ', external' : ''})`],
          ['Duration', durationInWords(r.duration)],
          ['Justification', r.justification],
          r.ticket ? ['Ticket', r.ticket] : undefined,
          ['Asked', `${formatDateTime(r.createdAt)} (${relativeTime(r.createdAt)})`],
          r.status === 'PENDING_APPROVAL'
            ? [
                'Approvals',
                `${r.approvals.length} of ${r.approvalsRequired}, needed by ${formatDateTime(r.approvalDeadline)}`,
              ]
            : undefined,
          r.grant ? ['Granted', formatDateTime(r.grant.grantedAt)] : undefined,
          r.grant && r.status === 'ACTIVE'
            ? ['Access ends', <Countdown key="c" expiresAt={r.grant.expiresAt} />]
            : undefined,
          r.grant && r.status !== 'ACTIVE'
            ? ['Ended', formatDateTime(r.closedAt ?? r.grant.expiresAt)]
            : undefined,
          r.reason ? ['Reason', r.reason] : undefined,
        ]}
      />
      {mine && r.status === 'PENDING_APPROVAL' ? (
        <button
          type="button"
          className="nhsuk-button nhsuk-button--warning"
          onClick={() => cancel.mutate()}
          disabled={cancel.isPending}
        >
          Cancel this request
        </button>
      ) : null}
      {me.capabilities.canApprove &&
      r.status === 'PENDING_APPROVAL' &&
      !r.approvals.some((approval) => approval.approverId === me.principal.id) ? (
        // The API is the judge of who may decide (it refuses the requester, among others) and says why.
        <section aria-labelledby="decide-heading">
          <h2 id="decide-heading">Your decision</h2>
          <DecisionForm
            kind="request"
            requestId={id}
            onDecided={(decision) =>
              setNotice(`You ${decision === 'approve' ? 'approved' : 'denied'} the request.`)
            }
          />
        </section>
      ) : null}
      {mine && r.status === 'ACTIVE' && r.extension?.status !== 'PENDING' ? (
        <ExtendForm id={id} me={me} onDone={refresh} setNotice={setNotice} />
      ) : null}
      {r.extension?.status === 'PENDING' ? (
        <Notice>
          You asked for {durationInWords(r.extension.duration)} more: {r.extension.approvals.length} of{' '}
          {r.extension.approvalsRequired} approvals so far.
        </Notice>
      ) : null}
      <h2>Timeline</h2>
      <RequestTimeline
        id={id}
        version={[
          r.status,
          r.approvals.length,
          r.extension?.status,
          r.extension?.approvals.length,
          r.grant?.expiresAt,
        ].join(':')}
      />
    </>
  );
}

function ExtendForm(props: {
  id: string;
  me: Me;
  onDone: () => Promise<void>;
  setNotice: (text: string) => void;
}) {
  const api = useApi();
  const [amount, setAmount] = useState('');
  const [unit, setUnit] = useState('H');
  const [justification, setJustification] = useState('');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const extend = useMutation({
    mutationFn: (body: { duration: string; justification: string }) =>
      unwrap(api.POST('/requests/{id}/extend', { params: { path: { id: props.id } }, body })),
    onSuccess: async () => {
      props.setNotice('You asked for more time. Directors have been told.');
      setErrors([]);
      await props.onDone();
    },
    onError: (error) =>
      setErrors([
        {
          id:
            error instanceof ApiError && error.field === 'justification'
              ? 'extend-justification'
              : 'extend-amount',
          message: error instanceof ApiError ? error.advice : String(error),
        },
      ]),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const count = Number(amount);
    const found: FieldError[] = [];
    if (!Number.isInteger(count) || count <= 0)
      found.push({ id: 'extend-amount', message: 'Enter how much longer, as a whole number' });
    if (justification.trim() === '')
      found.push({ id: 'extend-justification', message: 'Enter why you need more time' });
    setErrors(found);
    if (found.length === 0)
      extend.mutate({ duration: isoDuration(count, unit), justification: justification.trim() });
  };
  const errorOf = (id: string) => errors.find((error) => error.id === id)?.message;
  return (
    <details className="nhsuk-details">
      <summary className="nhsuk-details__summary">
        <span className="nhsuk-details__summary-text">Ask for more time</span>
      </summary>
      <div className="nhsuk-details__text">
        <ErrorSummary errors={errors} />
        <form onSubmit={submit} noValidate>
          <FormGroup
            id="extend-amount"
            label="How much longer?"
            hint={`At least ${durationInWords(props.me.limits.minDuration)}.`}
            error={errorOf('extend-amount')}
          >
            {(describedBy) => (
              <div className="kh-actions">
                <input
                  className="nhsuk-input nhsuk-input--width-4"
                  id="extend-amount"
                  inputMode="numeric"
                  value={amount}
                  onChange={(event) => setAmount(event.target.value)}
                  aria-describedby={describedBy}
                />
                <select
                  className="nhsuk-select"
                  aria-label="Unit"
                  value={unit}
                  onChange={(event) => setUnit(event.target.value)}
                >
                  <option value="M">minutes</option>
                  <option value="H">hours</option>
                  <option value="D">days</option>
                </select>
              </div>
            )}
          </FormGroup>
          <FormGroup
            id="extend-justification"
            label="Why do you need more time?"
            hint={`At least ${props.me.limits.justificationMinLength} characters.`}
            error={errorOf('extend-justification')}
          >
            {(describedBy) => (
              <textarea
                className="nhsuk-textarea"
                id="extend-justification"
                rows={3}
                value={justification}
                onChange={(event) => setJustification(event.target.value)}
                aria-describedby={describedBy}
              />
            )}
          </FormGroup>
          <button type="submit" className="nhsuk-button nhsuk-button--secondary" disabled={extend.isPending}>
            Send the request for more time
          </button>
        </form>
      </div>
    </details>
  );
}
