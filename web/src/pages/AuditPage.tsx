// The audit trail: verify the whole trail (every hash chain, the recorded heads, the anchor) with its verdict, and one
// request's events with their chain checked link by link.
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useApi } from '../App.tsx';
import { unwrap } from '../api.ts';
import { formatDateTime } from '../time.ts';
import { Empty, Loading, Problem, SummaryList, Tag } from '../ui.tsx';
import { RequestTimeline } from './RequestsPage.tsx';

function VerifySection() {
  const api = useApi();
  const verify = useQuery({
    queryKey: ['verify'],
    queryFn: () => unwrap(api.GET('/audit/verify')),
    enabled: false,
  });
  return (
    <section aria-labelledby="verify-heading">
      <h2 id="verify-heading">Verify the whole trail</h2>
      <p>Checks every event's hash and link, every stream's recorded head and the latest anchor.</p>
      <button
        type="button"
        className="nhsuk-button nhsuk-button--secondary"
        onClick={() => void verify.refetch()}
        disabled={verify.isFetching}
      >
        {verify.isFetching ? 'Verifying…' : 'Verify the audit trail'}
      </button>
      {verify.isFetching ? <Loading what="the verdict" /> : null}
      {verify.error ? <Problem error={verify.error} retry={() => void verify.refetch()} /> : null}
      {verify.data ? (
        <div role="status" data-testid="verify-verdict">
          <h3>
            {verify.data.ok ? <Tag colour="green">Intact</Tag> : <Tag colour="red">Broken</Tag>}{' '}
            {verify.data.ok ? 'The audit trail is intact' : 'The audit trail has been tampered with'}
          </h3>
          <SummaryList
            rows={[
              ['Verified', formatDateTime(verify.data.verifiedAt)],
              ['Streams', String(verify.data.streams)],
              ['Events', String(verify.data.events)],
              verify.data.anchor
                ? [
                    'Anchor',
                    `${verify.data.anchor.matched ? 'matches' : 'does not match'} (${formatDateTime(verify.data.anchor.at)})`,
                  ]
                : undefined,
              verify.data.broken
                ? [
                    'Where',
                    `${verify.data.broken.stream}, event ${verify.data.broken.seq}: ${verify.data.broken.problem.replaceAll('-', ' ')} (${verify.data.broken.detail})`,
                  ]
                : undefined,
            ]}
          />
        </div>
      ) : null}
    </section>
  );
}

function TrailSection() {
  const api = useApi();
  const [input, setInput] = useState('');
  const [requestId, setRequestId] = useState<string>();
  const [error, setError] = useState('');
  const trail = useQuery({
    queryKey: ['audit', requestId],
    enabled: requestId !== undefined,
    queryFn: () => unwrap(api.GET('/audit', { params: { query: { requestId: requestId as string } } })),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!input.trim()) return setError('Enter the request reference');
    setError('');
    setRequestId(input.trim());
  };
  const events = trail.data?.events ?? [];
  // Each event names the hash of the one before it on its stream: a gap or an edit breaks a link.
  const broken = events.findIndex((event, index) => {
    const before = events
      .slice(0, index)
      .filter((other) => other.stream === event.stream)
      .at(-1);
    return before !== undefined && (before.hash !== event.prevHash || before.seq + 1 !== event.seq);
  });
  return (
    <section aria-labelledby="trail-heading">
      <h2 id="trail-heading">One request's audit trail</h2>
      <form onSubmit={submit} noValidate className="kh-actions">
        <div className={`nhsuk-form-group${error ? ' nhsuk-form-group--error' : ''}`}>
          <label className="nhsuk-label" htmlFor="trail-request">
            Request reference
          </label>
          {error ? (
            <span className="nhsuk-error-message" id="trail-request-error">
              <span className="nhsuk-u-visually-hidden">Error:</span> {error}
            </span>
          ) : null}
          <input
            className="nhsuk-input nhsuk-input--width-20"
            id="trail-request"
            value={input}
            onChange={(e) => setInput(e.target.value)}
            aria-describedby={error ? 'trail-request-error' : undefined}
          />
        </div>
        <button type="submit" className="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-top-5">
          Show the trail
        </button>
      </form>
      {trail.isFetching ? <Loading what="the trail" /> : null}
      {trail.error ? <Problem error={trail.error} /> : null}
      {requestId && trail.data && events.length === 0 ? <Empty>No events for {requestId}.</Empty> : null}
      {events.length > 0 ? (
        <>
          <p data-testid="chain-verdict">
            {broken === -1 ? <Tag colour="green">Chain intact</Tag> : <Tag colour="red">Chain broken</Tag>}{' '}
            {broken === -1
              ? `${events.length} events, each linked to the one before it.`
              : `The link before event ${events[broken]?.seq} does not match.`}
          </p>
          <RequestTimeline id={requestId as string} />
          <details className="nhsuk-details">
            <summary className="nhsuk-details__summary">
              <span className="nhsuk-details__summary-text">The events as recorded</span>
            </summary>
            <div className="nhsuk-details__text kh-table-scroll">
              <table className="nhsuk-table">
                <thead className="nhsuk-table__head">
                  <tr className="nhsuk-table__row">
                    <th className="nhsuk-table__header" scope="col">
                      Seq
                    </th>
                    <th className="nhsuk-table__header" scope="col">
                      When
                    </th>
                    <th className="nhsuk-table__header" scope="col">
                      Action
                    </th>
                    <th className="nhsuk-table__header" scope="col">
                      Actor
                    </th>
                    <th className="nhsuk-table__header" scope="col">
                      Hash
                    </th>
                  </tr>
                </thead>
                <tbody className="nhsuk-table__body">
                  {events.map((event) => (
                    <tr className="nhsuk-table__row" key={`${event.stream}-${event.seq}`}>
                      <td className="nhsuk-table__cell">{event.seq}</td>
                      <td className="nhsuk-table__cell">{formatDateTime(event.at)}</td>
                      <td className="nhsuk-table__cell">{event.action.toLowerCase().replaceAll('_', ' ')}</td>
                      <td className="nhsuk-table__cell">{event.actor.id}</td>
                      <td className="nhsuk-table__cell">
                        <code>{event.hash.slice(0, 12)}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      ) : null}
    </section>
  );
}

export function AuditPage() {
  return (
    <>
      <h1>Audit</h1>
      <VerifySection />
      <TrailSection />
    </>
  );
}
