// The approver's inbox: what waits for my decision (requests, extension rounds, review rounds), refreshed every
// 5 seconds without reloading; approve / deny (a comment required to deny), keep / revoke for reviews; what I decided.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { type Me, useApi, useScopeLabel } from '../App.tsx';
import { ApiError, unwrap } from '../api.ts';
import { Link } from '../router.tsx';
import { durationInWords, formatDateTime, relativeTime } from '../time.ts';
import {
  Empty,
  ErrorSummary,
  type FieldError,
  Loading,
  Notice,
  Problem,
  StatusTag,
  SummaryList,
} from '../ui.tsx';

/** How often the inbox asks for what is new (a new request appears within this, plus one round trip). */
export const INBOX_POLL_MS = 5_000;

function useInbox() {
  const api = useApi();
  return useQuery({
    queryKey: ['inbox'],
    queryFn: () => unwrap(api.GET('/inbox')),
    refetchInterval: INBOX_POLL_MS,
    refetchIntervalInBackground: false,
  });
}

type InboxItem = NonNullable<ReturnType<typeof useInbox>['data']>['items'][number];

interface Decided {
  readonly requestId: string;
  readonly kind: string;
  readonly decision: string;
  readonly what: string;
  readonly at: string;
}

const KIND_HEADINGS: Record<string, string> = {
  request: 'Request for access',
  extension: 'Request for more time',
  review: 'Review of access',
};

function clearanceText(clearance: { level: string; expiresAt: string } | undefined | null): string {
  return clearance ? `${clearance.level}, valid until ${formatDateTime(clearance.expiresAt)}` : 'None';
}

function InboxCard({ item, onDecided }: { item: InboxItem; onDecided: (decided: Decided) => void }) {
  const scopeLabel = useScopeLabel();
  const r = item.request;
  const duration = item.kind === 'extension' && r.extension ? r.extension.duration : r.duration;
  const justification =
    item.kind === 'extension' && r.extension ? r.extension.justification : r.justification;
  const headingId = `item-${item.kind}-${r.id}`;
  return (
    <section className="nhsuk-card" aria-labelledby={headingId} data-request-id={r.id} data-kind={item.kind}>
      <div className="nhsuk-card__content">
        <h2 className="nhsuk-card__heading nhsuk-heading-m" id={headingId}>
          {KIND_HEADINGS[item.kind] ?? item.kind}: {item.requester.name}
        </h2>
        <SummaryList
          rows={[
            ['Requester', `${item.requester.name} (${item.requester.id})`],
            ['Organisation', `${item.requester.organisation}${r.external ? ' (external)' : ''}`],
            ['Clearance', clearanceText(item.requester.clearance)],
            ['Access', r.scopes.map((scope) => scopeLabel(scope)).join(', ')],
            [item.kind === 'extension' ? 'More time asked' : 'Duration', durationInWords(duration)],
            ['Justification', justification],
            r.ticket ? ['Ticket', r.ticket] : undefined,
            item.seats
              ? ['External admin seats', `${item.seats.inUse} of ${item.seats.cap} in use`]
              : undefined,
            r.grant && item.kind !== 'request'
              ? ['Access ends', formatDateTime(r.grant.expiresAt)]
              : undefined,
            item.kind === 'request'
              ? ['Approvals', `${r.approvals.length} of ${r.approvalsRequired}`]
              : undefined,
            ['Decide by', `${formatDateTime(item.dueBy)} (${relativeTime(item.dueBy)})`],
          ]}
        />
        <DecisionForm
          kind={item.kind}
          requestId={r.id}
          onDecided={(decision) =>
            onDecided({
              requestId: r.id,
              kind: item.kind,
              decision,
              what: `${item.requester.name}: ${r.scopes.map((scope) => scopeLabel(scope)).join(', ')}`,
              at: new Date().toISOString(),
            })
          }
        />
      </div>
    </section>
  );
}

/** Approve / deny (or keep / revoke for a review), with a comment that deny and revoke require. */
export function DecisionForm(props: {
  kind: string;
  requestId: string;
  onDecided: (decision: string) => void;
}) {
  const api = useApi();
  const queryClient = useQueryClient();
  const { kind, requestId: id } = props;
  const [comment, setComment] = useState('');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const commentId = `comment-${kind}-${id}`;
  const decide = useMutation({
    mutationFn: async (decision: string) => {
      const body = comment.trim() ? { decision, comment: comment.trim() } : { decision };
      if (kind === 'review') {
        return unwrap(
          api.POST('/requests/{id}/reviews', {
            params: { path: { id } },
            body: body as { decision: 'keep' | 'revoke'; comment?: string },
          }),
        );
      }
      return unwrap(
        api.POST('/requests/{id}/decisions', {
          params: { path: { id } },
          body: body as { decision: 'approve' | 'deny'; comment?: string },
        }),
      );
    },
    onSuccess: async (_answer, decision) => {
      props.onDecided(decision);
      await queryClient.invalidateQueries({ queryKey: ['inbox'] });
      await queryClient.invalidateQueries({ queryKey: ['request', id] });
    },
    onError: async (error) => {
      setErrors([
        {
          id: error instanceof ApiError && error.field === 'comment' ? commentId : '',
          message: error instanceof ApiError ? error.advice : String(error),
        },
      ]);
      if (error instanceof ApiError && error.status === 409)
        await queryClient.invalidateQueries({ queryKey: ['inbox'] });
    },
  });
  const submit = (decision: string) => (event: FormEvent) => {
    event.preventDefault();
    if ((decision === 'deny' || decision === 'revoke') && comment.trim() === '') {
      setErrors([
        {
          id: commentId,
          message: `Enter a comment saying why you ${decision === 'deny' ? 'deny' : 'revoke'}`,
        },
      ]);
      return;
    }
    setErrors([]);
    decide.mutate(decision);
  };
  const [yes, no] = kind === 'review' ? ['keep', 'revoke'] : ['approve', 'deny'];
  const commentError = errors.find((error) => error.id === commentId)?.message;
  return (
    <>
      <ErrorSummary errors={errors} title="Your decision was not recorded" />
      <form noValidate onSubmit={submit(yes as string)}>
        <div className={`nhsuk-form-group${commentError ? ' nhsuk-form-group--error' : ''}`}>
          <label className="nhsuk-label" htmlFor={commentId}>
            Comment
          </label>
          <div className="nhsuk-hint" id={`${commentId}-hint`}>
            {kind === 'review' ? 'Required to revoke.' : 'Required to deny; optional to approve.'}
          </div>
          {commentError ? (
            <span className="nhsuk-error-message" id={`${commentId}-error`}>
              <span className="nhsuk-u-visually-hidden">Error:</span> {commentError}
            </span>
          ) : null}
          <textarea
            className={`nhsuk-textarea${commentError ? ' nhsuk-textarea--error' : ''}`}
            id={commentId}
            rows={2}
            value={comment}
            onChange={(event) => setComment(event.target.value)}
            aria-describedby={`${commentId}-hint${commentError ? ` ${commentId}-error` : ''}`}
          />
        </div>
        <div className="kh-actions">
          <button type="submit" className="nhsuk-button" disabled={decide.isPending}>
            {yes === 'approve' ? 'Approve' : 'Keep access'}
          </button>
          <button
            type="button"
            className="nhsuk-button nhsuk-button--warning"
            disabled={decide.isPending}
            onClick={(event) => submit(no as string)(event)}
          >
            {no === 'deny' ? 'Deny' : 'Revoke access'}
          </button>
        </div>
      </form>
    </>
  );
}

export function InboxPage({ me }: { me: Me }) {
  const inbox = useInbox();
  const [decided, setDecided] = useState<Decided[]>([]);
  const last = decided[0];
  return (
    <>
      <h1>Inbox</h1>
      <p>
        What waits for your decision, soonest due first. It refreshes by itself every {INBOX_POLL_MS / 1000}{' '}
        seconds.
      </p>
      <Notice>
        {last
          ? `You ${last.decision === 'approve' ? 'approved' : last.decision === 'deny' ? 'denied' : last.decision === 'keep' ? 'kept' : 'revoked'} ${last.what}.`
          : ''}
      </Notice>
      {/* Screen readers hear when the count changes by itself (a new request, one decided elsewhere). */}
      <p className="nhsuk-u-visually-hidden" aria-live="polite">
        {inbox.data ? `${inbox.data.items.length} waiting for your decision` : ''}
      </p>
      {inbox.isPending ? <Loading what="your inbox" /> : null}
      {inbox.error ? <Problem error={inbox.error} retry={() => void inbox.refetch()} /> : null}
      {inbox.data && inbox.data.items.length === 0 ? (
        <Empty>Nothing waits for you, {me.principal.name}. New requests appear here by themselves.</Empty>
      ) : null}
      {inbox.data?.items.map((item) => (
        <InboxCard
          key={`${item.kind}:${item.request.id}`}
          item={item}
          onDecided={(d) => setDecided((all) => [d, ...all])}
        />
      ))}
      <h2>What I decided</h2>
      {decided.length === 0 ? (
        <Empty>Your decisions in this session appear here.</Empty>
      ) : (
        <ul className="nhsuk-list">
          {decided.map((d) => (
            <li key={`${d.requestId}-${d.at}`}>
              <Link href={`/requests/${encodeURIComponent(d.requestId)}`}>{d.what}</Link>: {d.decision}{' '}
              {relativeTime(d.at)} <DecidedStatus id={d.requestId} />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function DecidedStatus({ id }: { id: string }) {
  const api = useApi();
  const request = useQuery({
    queryKey: ['request', id],
    queryFn: () => unwrap(api.GET('/requests/{id}', { params: { path: { id } } })),
    staleTime: 5_000,
  });
  return request.data ? <StatusTag status={request.data.status} /> : null;
}
