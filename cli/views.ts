// What the commands print for people (not for --json): pure functions of the API's answers, the time now and the
// style, so every line is unit-tested. Durations in words, times relative and absolute, datasets by title.
import {
  type DatasetCatalogue,
  scopeInWords as scopeInTheSameWords,
} from '../lambdas/presentation/request-summary.ts';
import {
  dateTimeInWords,
  durationInWords,
  formatDateTime,
  relativeTime,
  whenInWords,
} from '../lambdas/presentation/time-words.ts';
import type { AccessHistory, AccessNow, DatasetList, MeView, RequestView, TimelineView } from './api.ts';
import { fields, type Style, table, truncate } from './output.ts';

/** The catalogue by dataset id; undefined when it could not be read (then scopes show as stored). */
export type Titles = DatasetCatalogue | undefined;

export function titlesOf(list: DatasetList | undefined): Titles {
  // Only what names a dataset: the API's owners are {id, name}, the catalogue's principal ids.
  return list && new Map(list.datasets.map(({ id, title, sensitivity }) => [id, { id, title, sensitivity }]));
}

/** A scope in the words mail and the console use (lambdas/presentation/request-summary.ts), or as stored. */
export function scopeInWords(scope: string, titles: Titles): string {
  return scopeInTheSameWords(scope, titles);
}

export function statusInColour(status: string, style: Style): string {
  switch (status) {
    case 'ACTIVE':
      return style.green(status);
    case 'PENDING_APPROVAL':
    case 'APPROVED':
    case 'PROVISIONING':
      return style.yellow(status);
    case 'DENIED':
    case 'REJECTED':
    case 'REVOKED':
    case 'FAILED':
      return style.red(status);
    default:
      return style.dim(status);
  }
}

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Where a request stands, in one clause: 'expires in 3 h 12 min, 14:05 UTC', '1 of 2 approvals, ...'. */
export function standing(request: RequestView, now: number): string {
  switch (request.status) {
    case 'PENDING_APPROVAL':
      return (
        `${request.approvals.length} of ${count(request.approvalsRequired, 'approval')}, ` +
        `times out ${whenInWords(request.approvalDeadline, now)}`
      );
    case 'APPROVED':
    case 'PROVISIONING':
      return 'approved; access is being granted';
    case 'ACTIVE': {
      const expires = request.grant ? `expires ${whenInWords(request.grant.expiresAt, now)}` : 'active';
      const extension = request.extension?.status === 'PENDING' ? '; extension awaiting approval' : '';
      const revocation = request.revocation ? '; revocation pending on the platform' : '';
      return `${expires}${extension}${revocation}`;
    }
    default: {
      const when = request.closedAt ? ` ${relativeTime(request.closedAt, now)}` : '';
      const reason = request.reason ? ` (${request.reason})` : '';
      return `${request.status.toLowerCase().replaceAll('_', ' ')}${when}${reason}`;
    }
  }
}

export function requestsTable(
  requests: readonly RequestView[],
  context: { now: number; style: Style; titles: Titles },
): string {
  if (requests.length === 0) return 'No requests.';
  const rows = requests.map((request) => [
    request.id,
    statusInColour(request.status, context.style),
    truncate(request.scopes.map((scope) => scopeInWords(scope, context.titles)).join(', '), 48),
    durationInWords(request.duration),
    request.requester,
    standing(request, context.now),
  ]);
  return table(['ID', 'STATUS', 'ACCESS', 'FOR', 'REQUESTER', 'WHERE IT STANDS'], rows, context.style);
}

/** ISO instants and durations in the API's sentences, in words. */
export function humanise(text: string): string {
  return text
    .replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g, (iso) =>
      formatDateTime(iso),
    )
    .replace(/\bP(?=\d|T\d)[0-9WDTHMS.,]*[WDHMS]\b/g, (iso) => durationInWords(iso));
}

const BREAK_GLASS_OUTCOMES: Readonly<Record<string, string>> = {
  OPEN: 'waiting for review',
  JUSTIFIED: 'reviewed: justified',
  NOT_JUSTIFIED: 'reviewed: not justified',
  UNREVIEWED: 'not reviewed in time',
};

/** Emergency access granted without approval: how far its after-the-fact review has got. */
function breakGlassLine(record: NonNullable<RequestView['breakGlass']>, now: number): string {
  const justified = record.reviews.filter((review) => review.verdict === 'justified').length;
  const state = BREAK_GLASS_OUTCOMES[record.outcome] ?? record.outcome;
  const due = record.outcome === 'OPEN' ? `, by ${dateTimeInWords(record.reviewDeadline, now)}` : '';
  return `granted without approval; ${state} (${justified} of ${record.reviewersRequired} justified${due})`;
}

function decisions(approvals: RequestView['approvals'], required: number, now: number): string | undefined {
  const lines = approvals.map(
    (approval) =>
      `${approval.decision === 'approve' ? 'approved' : 'denied'} by ${approval.approverId}, ` +
      `${relativeTime(approval.at, now)} (${approval.channel})${approval.comment ? `: "${approval.comment}"` : ''}`,
  );
  return [`${approvals.filter((a) => a.decision === 'approve').length} of ${required}`, ...lines].join('\n');
}

export function requestDetail(
  request: RequestView,
  context: { now: number; style: Style; titles: Titles; headline?: string },
): string {
  const { now, style, titles } = context;
  const access = request.scopes
    .map((scope) =>
      scope === 'admin' || !titles ? scopeInWords(scope, titles) : `${scope}  ${scopeInWords(scope, titles)}`,
    )
    .join('\n');
  const grant = request.grant;
  const extension = request.extension;
  const lines: Array<readonly [string, string | undefined]> = [
    ['access', access],
    ['for', durationInWords(request.duration)],
    [
      'requester',
      `${request.requester} (${request.requesterOrganisation}${request.external ? ', external' : ''})`,
    ],
    ['why', request.justification],
    ['ticket', request.ticket],
    ['asked', dateTimeInWords(request.createdAt, now)],
    [
      'approvals',
      request.breakGlass ? undefined : decisions(request.approvals, request.approvalsRequired, now),
    ],
    ['break-glass', request.breakGlass && breakGlassLine(request.breakGlass, now)],
    [
      'decide by',
      request.status === 'PENDING_APPROVAL' ? dateTimeInWords(request.approvalDeadline, now) : undefined,
    ],
    ['granted', grant ? dateTimeInWords(grant.grantedAt, now) : undefined],
    [
      request.status === 'ACTIVE' ? 'expires' : 'was to expire',
      grant ? dateTimeInWords(grant.expiresAt, now) : undefined,
    ],
    [
      'next review',
      grant && request.status === 'ACTIVE' ? dateTimeInWords(grant.nextReviewAt, now) : undefined,
    ],
    [
      'review',
      request.review
        ? `open: reviewers ${request.review.reviewers.join(', ')}, by ${dateTimeInWords(request.review.deadline, now)}`
        : undefined,
    ],
    [
      'extension',
      extension
        ? `${extension.status}: ${durationInWords(extension.duration)} more (to ${formatDateTime(extension.expiresAt)}), ` +
          `${extension.approvals.length} of ${count(extension.approvalsRequired, 'approval')}` +
          (extension.status === 'PENDING' ? `, to be decided ${whenInWords(extension.deadline, now)}` : '') +
          `\nwhy: ${extension.justification}`
        : undefined,
    ],
    [
      'revocation',
      request.revocation
        ? `pending on the platform since ${relativeTime(request.revocation.requestedAt, now)} ` +
          `(${request.revocation.attempts} attempts; last error: ${request.revocation.lastError})`
        : undefined,
    ],
    ['ended', request.closedAt ? dateTimeInWords(request.closedAt, now) : undefined],
    ['by', request.closedBy],
    ['reason', request.reason],
  ];
  const headline =
    context.headline ??
    `${style.bold(request.id)}  ${statusInColour(request.status, style)}  ${standing(request, now)}`;
  return `${headline}\n${fields(lines, style)}${request.message ? `\n\n${request.message}` : ''}`;
}

/** The request's events in words; notifications (one per person and channel) only with `all`, else counted. */
export function timelineLines(
  timeline: TimelineView,
  context: { now: number; style: Style; all?: boolean },
): string {
  const isNotification = (type: string) => type.startsWith('NOTIFICATION_');
  const shown = context.all
    ? timeline.events
    : timeline.events.filter((event) => !isNotification(event.type));
  const hidden = timeline.events.length - shown.length;
  const note =
    hidden > 0
      ? `\n${context.style.dim(`(${count(hidden, 'notification')} not shown: --all shows them)`)}`
      : '';
  if (shown.length === 0) return `No events.${note}`;
  return (
    table(
      ['WHEN', '', 'WHAT'],
      shown.map((event) => [
        formatDateTime(event.at),
        context.style.dim(relativeTime(event.at, context.now)),
        humanise(event.summary),
      ]),
      context.style,
    ) + note
  );
}

export function accessNowTable(
  answer: AccessNow,
  context: { now: number; style: Style; titles: Titles; atGiven: boolean },
): string {
  const { now, style, titles } = context;
  const heading = context.atGiven
    ? `Who held access at ${dateTimeInWords(answer.at, now)}:`
    : `Who holds access now (${formatDateTime(answer.at)}):`;
  const body =
    answer.access.length === 0
      ? 'Nobody.'
      : table(
          ['WHO', 'ORGANISATION', 'ACCESS', 'GRANTED', 'EXPIRES', 'APPROVED BY', 'REQUEST'],
          answer.access.map((row) => [
            `${row.principal.name} (${row.principal.id})`,
            row.principal.organisation,
            truncate(row.scopes.map((scope) => scopeInWords(scope, titles)).join(', '), 48),
            relativeTime(row.grantedAt, now),
            whenInWords(row.expiresAt, now),
            row.approvedBy.join(', '),
            row.requestId,
          ]),
          style,
        );
  const outOfBand =
    answer.outOfBandCount > 0
      ? `\n\n${style.red(`${count(answer.outOfBandCount, 'access', 'accesses')} held on a platform without a Keyholder grant:`)}\n` +
        table(
          ['PROVIDER', 'WHO', 'ACCESS', 'FIRST SEEN'],
          answer.outOfBand.map((row) => [
            row.provider,
            row.principalId,
            scopeInWords(row.scope, titles),
            dateTimeInWords(row.firstSeenAt, now),
          ]),
          style,
        )
      : '';
  return `${heading}\n${body}${outOfBand}`;
}

export function accessHistoryTable(
  answer: AccessHistory,
  context: { now: number; style: Style; titles: Titles },
): string {
  const { style, titles } = context;
  const about = [answer.principal, answer.scope && scopeInWords(answer.scope, titles)]
    .filter(Boolean)
    .join(', ');
  const heading = `Access history${about ? ` of ${about}` : ''}${answer.at ? ` at ${formatDateTime(answer.at)}` : ''}:`;
  if (answer.intervals.length === 0) return `${heading}\nNone.`;
  return `${heading}\n${table(
    ['WHO', 'ACCESS', 'FROM', 'TO', 'ENDED', 'REQUEST'],
    answer.intervals.map((row) => [
      `${row.principal.name} (${row.principal.id})`,
      truncate(scopeInWords(row.scope, titles), 48),
      formatDateTime(row.from),
      row.to ? formatDateTime(row.to) : style.green(`active, until ${formatDateTime(row.until)}`),
      row.endReason ?? '',
      row.requestId,
    ]),
    style,
  )}`;
}

export function datasetsTable(list: DatasetList, style: Style): string {
  if (list.datasets.length === 0) return 'The catalogue is empty.';
  return table(
    ['SCOPE', 'TITLE', 'SENSITIVITY'],
    list.datasets.map((dataset) => [`dataset:${dataset.id}`, dataset.title, dataset.sensitivity]),
    style,
  );
}

export function meDetail(
  me: MeView,
  context: { now: number; style: Style; api: string; session: string },
): string {
  const { principal, capabilities, limits } = me;
  const may = [
    capabilities.canRequest && 'request access',
    capabilities.canApprove && 'approve',
    capabilities.canAudit && 'audit',
    capabilities.canAdminister && 'administer the directory',
  ].filter(Boolean);
  return `${context.style.bold(`${principal.name} (${principal.id})`)}${principal.active ? '' : context.style.red(' — inactive')}\n${fields(
    [
      ['email', principal.email],
      ['organisation', `${principal.organisation}${me.external ? ' (external)' : ''}`],
      ['grade', principal.grade],
      [
        'clearance',
        principal.clearance
          ? `${principal.clearance.level}, until ${dateTimeInWords(principal.clearance.expiresAt, context.now)}`
          : 'none',
      ],
      ['roles', principal.roles.length > 0 ? principal.roles.join(', ') : 'none'],
      ['may', may.length > 0 ? may.join(', ') : 'nothing'],
      [
        'limits',
        `${durationInWords(limits.minDuration)} to ${durationInWords(limits.maxDuration.dataset)} for datasets, ` +
          `${durationInWords(limits.maxDuration.admin)} for admin; a reason of ${limits.justificationMinLength}+ ` +
          `characters${limits.requireTicket ? ' and a ticket' : ''}`,
      ],
      ['API', context.api],
      ['signed in', context.session],
    ],
    context.style,
  )}`;
}
