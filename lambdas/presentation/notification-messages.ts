// What requesters and approvers are told when a request moves on: one channel-neutral Notice per outcome,
// rendered by each channel (notification-email.ts, slack-blocks.ts).
import { REASONS } from '../core/lifecycle.ts';
import type { AccessRequest } from '../core/model.ts';
import type { Notice } from '../core/ports.ts';
import { reasonClause, reasonInWords, statusInWords } from '../core/reason-words.ts';
import { type DatasetCatalogue, scopesInWords } from './request-summary.ts';
import { inWords } from './review-page.ts';
import { durationInWords, formatDateTime } from './time-words.ts';

/** Display names by principal id; an id stands in for anyone missing. */
export type Names = Readonly<Record<string, string>>;

const nameOf = (names: Names, id: string | undefined) => (id ? (names[id] ?? id) : 'someone');

function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function base(request: AccessRequest, datasets: DatasetCatalogue): Array<[string, string]> {
  return [
    ['Request', request.id],
    [request.scopes.length === 1 ? 'Scope' : 'Scopes', scopesInWords(request.scopes, datasets)],
  ];
}

function notice(
  kind: string,
  request: AccessRequest,
  datasets: DatasetCatalogue,
  subject: string,
  headline: string,
  facts: Array<[string, string]>,
  closing?: string,
): Notice {
  return {
    kind,
    requestId: request.id,
    subject: `${subject} [${request.id}]`,
    headline,
    facts: [...base(request, datasets), ...facts],
    closing,
  };
}

export function grantedNotice(request: AccessRequest, names: Names, datasets: DatasetCatalogue): Notice {
  const grant = request.grant;
  const approvers = listOf((grant?.approvedBy ?? []).map((id) => nameOf(names, id)));
  return notice(
    'granted',
    request,
    datasets,
    `Access granted: ${scopesInWords(request.scopes, datasets)} until ${grant ? formatDateTime(grant.expiresAt) : '?'}`,
    `Your request was approved by ${approvers} and access is granted.`,
    [
      ['Approved by', approvers],
      ['Granted at', inWords(grant?.grantedAt)],
      ['Expires at', inWords(grant?.expiresAt)],
      ['Next review', inWords(grant?.nextReviewAt)],
    ],
    'Access ends by itself at the expiry time; you will be reminded before then.',
  );
}

export function deniedNotice(request: AccessRequest, names: Names, datasets: DatasetCatalogue): Notice {
  const by = nameOf(names, request.closedBy);
  return notice('denied', request, datasets, `Request denied by ${by}`, `Your request was denied by ${by}.`, [
    ['Denied by', by],
    ['Comment', request.reason ?? '—'],
    ['Decided at', inWords(request.closedAt)],
  ]);
}

export function timedOutNotice(request: AccessRequest, datasets: DatasetCatalogue): Notice {
  const approved = request.approvals.filter((entry) => entry.decision === 'approve').length;
  return notice(
    'timed-out',
    request,
    datasets,
    'Request timed out without a decision',
    'Your request was not decided before the approval window closed, so it has ended.',
    [
      ['Approvals', `${approved} of ${request.approvalsRequired} required`],
      ['Window closed at', formatDateTime(request.approvalDeadline)],
    ],
    'Submit a new request if you still need access.',
  );
}

export function rejectedNotice(
  request: AccessRequest,
  detail: string | undefined,
  datasets: DatasetCatalogue,
): Notice {
  const capFull = request.reason === REASONS.capReached;
  return notice(
    'rejected',
    request,
    datasets,
    capFull ? 'Request approved but not granted: the external admin cap is full' : 'Request rejected',
    capFull
      ? 'Your request was approved, but every external admin seat was in use when access was to be granted.'
      : 'Your request was rejected because it can no longer be granted.',
    [
      ['Reason', reasonInWords(request.reason)],
      ['Detail', detail ?? '—'],
      ['At', inWords(request.closedAt)],
    ],
    capFull ? 'Try again when a seat is released.' : undefined,
  );
}

export function failedNotice(request: AccessRequest, datasets: DatasetCatalogue): Notice {
  return notice(
    'failed',
    request,
    datasets,
    'Request approved but not granted: the platform refused the access',
    'Your request was approved, but the platform that provides the access could not grant it, so it has ended.',
    [
      ['Reason', reasonInWords(request.reason)],
      ['At', inWords(request.closedAt)],
    ],
    'Nothing was granted. Submit a new request once the platform is working again, or ask an access-admin.',
  );
}

export function revokedNotice(request: AccessRequest, names: Names, datasets: DatasetCatalogue): Notice {
  const by = nameOf(names, request.closedBy);
  return notice(
    'revoked',
    request,
    datasets,
    `Access revoked by ${by}`,
    `Your access was revoked by ${by}.`,
    [
      ['Revoked by', by],
      ['Reason', reasonInWords(request.reason)],
      ['At', inWords(request.closedAt)],
    ],
  );
}

export function expiredNotice(request: AccessRequest, datasets: DatasetCatalogue): Notice {
  return notice('expired', request, datasets, 'Access ended', 'Your access has ended at its expiry time.', [
    ['Ended at', inWords(request.closedAt ?? request.grant?.expiresAt)],
  ]);
}

export function expiryReminderNotice(request: AccessRequest, datasets: DatasetCatalogue): Notice {
  const expiresAt = inWords(request.grant?.expiresAt);
  return notice(
    'expiry-reminder',
    request,
    datasets,
    `Access expires at ${expiresAt}`,
    `Your access expires at ${expiresAt}.`,
    [['Expires at', expiresAt]],
    'Ask for an extension before then if you still need it; otherwise nothing needs doing.',
  );
}

/** To an approver who had not decided: the prompt they hold is stale, nothing is left for them to do. */
export function decidedElsewhereNotice(
  request: AccessRequest,
  names: Names,
  datasets: DatasetCatalogue,
): Notice {
  const approvers = request.approvals
    .filter((entry) => entry.decision === 'approve')
    .map((entry) => nameOf(names, entry.approverId));
  const outcome =
    request.status === 'DENIED'
      ? `denied by ${nameOf(names, request.closedBy)}`
      : request.status === 'CANCELLED'
        ? request.reason === 'PRINCIPAL_INACTIVE'
          ? `cancelled: the requester was deactivated by ${nameOf(names, request.closedBy)}`
          : 'cancelled by the requester'
        : request.status === 'TIMED_OUT'
          ? 'timed out'
          : request.status === 'REJECTED'
            ? `rejected because ${request.reason ? reasonClause(request.reason) : 'it could no longer be granted'}`
            : `approved by ${listOf(approvers)}`;
  return notice(
    'decided-elsewhere',
    request,
    datasets,
    `No action needed: request ${outcome}`,
    `Request ${request.id} no longer needs your decision: it was ${outcome}.`,
    [
      ['Requester', nameOf(names, request.requester)],
      ['Status', statusInWords(request.status)],
    ],
    'The approval link and buttons you were sent no longer do anything.',
  );
}

/** To every eligible director the moment break-glass access starts: urgent, and what they must do about it. */
export function breakGlassNotice(request: AccessRequest, names: Names, datasets: DatasetCatalogue): Notice {
  const holder = nameOf(names, request.requester);
  const scopes = scopesInWords(request.scopes, datasets);
  const record = request.breakGlass;
  return notice(
    'break-glass',
    request,
    datasets,
    `URGENT: break-glass access by ${holder} to ${scopes}`,
    `URGENT: ${holder} used break-glass and holds ${scopes} now, without approval.`,
    [
      ['Holder', `${holder} (${request.requesterOrganisation})`],
      ['Why', request.justification],
      ['For', durationInWords(request.duration)],
      ['Expires at', inWords(request.grant?.expiresAt)],
      ['Review by', inWords(record?.reviewDeadline)],
      ['Reviews needed', `${record?.reviewersRequired ?? 0} directors`],
    ],
    'Record whether it was justified, with a comment: POST /requests/{id}/break-glass-reviews. Not justified, or not reviewed in time, and the holder loses break-glass until an access-admin restores it.'.replace(
      '{id}',
      request.id,
    ),
  );
}
