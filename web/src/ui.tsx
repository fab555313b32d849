// NHS.UK design system pieces (nhsuk-frontend classes) the console's pages share.
import { type ReactNode, useEffect, useRef } from 'react';
import { ApiError } from './api.ts';

export interface FieldError {
  /** The id of the input the error belongs to (the summary links to it). */
  readonly id: string;
  readonly message: string;
}

/** The error summary: focused when it appears, each error a link to its field. */
export function ErrorSummary({
  errors,
  title = 'There is a problem',
}: {
  errors: readonly FieldError[];
  title?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (errors.length > 0) ref.current?.focus();
  }, [errors]);
  if (errors.length === 0) return null;
  return (
    <div
      className="nhsuk-error-summary"
      aria-labelledby="error-summary-title"
      role="alert"
      tabIndex={-1}
      ref={ref}
    >
      <h2 className="nhsuk-error-summary__title" id="error-summary-title">
        {title}
      </h2>
      <div className="nhsuk-error-summary__body">
        <ul className="nhsuk-list nhsuk-error-summary__list">
          {errors.map((error) => (
            <li key={`${error.id}:${error.message}`}>
              {error.id ? <a href={`#${error.id}`}>{error.message}</a> : error.message}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

export function FormGroup(props: {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
  children: (describedBy: string | undefined) => ReactNode;
  labelAs?: 'label' | 'legend';
}) {
  const { id, label, hint, error, children, labelAs = 'label' } = props;
  const describedBy =
    [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const inner = (
    <>
      {hint ? (
        <div className="nhsuk-hint" id={`${id}-hint`}>
          {hint}
        </div>
      ) : null}
      {error ? (
        <span className="nhsuk-error-message" id={`${id}-error`}>
          <span className="nhsuk-u-visually-hidden">Error:</span> {error}
        </span>
      ) : null}
      {children(describedBy)}
    </>
  );
  return (
    <div className={`nhsuk-form-group${error ? ' nhsuk-form-group--error' : ''}`}>
      {labelAs === 'legend' ? (
        <fieldset className="nhsuk-fieldset" aria-describedby={describedBy}>
          <legend className="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">{label}</legend>
          {inner}
        </fieldset>
      ) : (
        <>
          <label className="nhsuk-label nhsuk-label--s" htmlFor={id}>
            {label}
          </label>
          {inner}
        </>
      )}
    </div>
  );
}

const STATUS_TAGS: Record<string, { text: string; colour: string }> = {
  PENDING_APPROVAL: { text: 'Waiting for approval', colour: 'yellow' },
  APPROVED: { text: 'Approved', colour: 'blue' },
  PROVISIONING: { text: 'Being granted', colour: 'blue' },
  ACTIVE: { text: 'Active', colour: 'green' },
  EXPIRED: { text: 'Expired', colour: 'grey' },
  REJECTED: { text: 'Rejected', colour: 'red' },
  DENIED: { text: 'Denied', colour: 'red' },
  TIMED_OUT: { text: 'Timed out', colour: 'grey' },
  CANCELLED: { text: 'Cancelled', colour: 'grey' },
  REVOKED: { text: 'Revoked', colour: 'orange' },
  FAILED: { text: 'Failed', colour: 'red' },
};

export function StatusTag({ status }: { status: string }) {
  const tag = STATUS_TAGS[status] ?? { text: status, colour: 'grey' };
  return (
    <strong className={`nhsuk-tag nhsuk-tag--${tag.colour}`} data-status={status}>
      {tag.text}
    </strong>
  );
}

export function Tag({ colour, children }: { colour: string; children: ReactNode }) {
  return <strong className={`nhsuk-tag nhsuk-tag--${colour}`}>{children}</strong>;
}

export function SummaryList({
  rows,
}: {
  rows: ReadonlyArray<readonly [string, ReactNode] | false | undefined>;
}) {
  return (
    <dl className="nhsuk-summary-list">
      {rows
        .filter((row): row is readonly [string, ReactNode] => Boolean(row))
        .map(([key, value]) => (
          <div className="nhsuk-summary-list__row" key={key}>
            <dt className="nhsuk-summary-list__key">{key}</dt>
            <dd className="nhsuk-summary-list__value">{value}</dd>
          </div>
        ))}
    </dl>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="nhsuk-body" role="status">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="nhsuk-inset-text">{children}</div>;
}

/** An API failure in words, with what to do about it. */
export function Problem({ error, retry }: { error: unknown; retry?: () => void }) {
  const message =
    error instanceof ApiError
      ? error.advice
      : `Something went wrong: ${(error as Error)?.message ?? String(error)}`;
  return (
    <div className="nhsuk-error-summary" role="alert" aria-labelledby="problem-title">
      <h2 className="nhsuk-error-summary__title" id="problem-title">
        There is a problem
      </h2>
      <div className="nhsuk-error-summary__body">
        <p>{message}</p>
        {retry ? (
          <button
            type="button"
            className="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0"
            onClick={retry}
          >
            Try again
          </button>
        ) : null}
      </div>
    </div>
  );
}

/** A polite live region: screen readers hear what changed (a decision recorded, a request cancelled). */
export function Notice({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <div className="nhsuk-inset-text" role="status">
      {children}
    </div>
  );
}

export function scopeLabel(scope: string, titles?: ReadonlyMap<string, string>): string {
  if (scope === 'admin') return 'Admin (the whole safe haven)';
  const id = scope.replace(/^dataset:/, '');
  return titles?.get(id) ?? id;
}
