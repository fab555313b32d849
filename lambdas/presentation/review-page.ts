// The HTML pages behind a review link: the grant with Keep / Revoke, the confirmation, and errors.
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { AccessRequest, Principal } from '../core/model.ts';
import type { StoredRequest } from '../core/ports.ts';
import type { ReviewLinkView } from '../use-cases/review-link.ts';
import { escapeHtml, factList, htmlResponse, linkErrorPage, page, recordedPage } from './html.ts';
import { type DatasetCatalogue, personFacts, scopesInWords } from './request-summary.ts';
import { durationInWords, formatDateTime, spanInWords } from './time-words.ts';

/** A time as people read it, or a dash when there is none. */
export const inWords = (at: string | undefined): string => (at ? formatDateTime(at) : '—');

/** How long the grant runs in all, from grant to expiry (an extension included), else as requested. */
function grantLength(request: AccessRequest): Array<[string, string]> {
  const grant = request.grant;
  const span = grant ? Date.parse(grant.expiresAt) - Date.parse(grant.grantedAt) : Number.NaN;
  return [['Duration', Number.isFinite(span) ? spanInWords(span) : durationInWords(request.duration)]];
}

/** What a reviewer needs to know about a grant, as (label, value) rows for emails and pages. */
export function grantFacts(
  request: AccessRequest,
  holder: Principal | undefined,
  datasets?: DatasetCatalogue,
): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    ['Request', request.id],
    ['Holder', holder ? `${holder.name} (${holder.id}, ${holder.email})` : request.requester],
    ['Organisation', `${request.requesterOrganisation}${request.external ? ' (external)' : ''}`],
    ...(datasets ? personFacts(holder) : []),
    [request.scopes.length === 1 ? 'Scope' : 'Scopes', scopesInWords(request.scopes, datasets)],
    ...(datasets ? grantLength(request) : []),
    ['Justification', request.justification],
    ['Ticket', request.ticket ?? '—'],
    ['Granted', inWords(request.grant?.grantedAt)],
    ['Approved by', request.grant?.approvedBy.join(', ') ?? '—'],
    ['Expires', inWords(request.grant?.expiresAt)],
  ];
  if (request.review) rows.push(['Answer by', formatDateTime(request.review.deadline)]);
  return rows;
}

export function reviewPage(view: ReviewLinkView): APIGatewayProxyStructuredResultV2 {
  const body = `<p>${escapeHtml(view.reviewer.name)}, should this access be kept?</p>
${factList(grantFacts(view.request, view.holder, view.datasets))}
<form method="post">
<label for="comment">Comment (required to revoke)</label>
<textarea id="comment" name="comment" maxlength="4000"></textarea>
<button class="approve" type="submit" name="decision" value="keep">Keep</button>
<button class="deny" type="submit" name="decision" value="revoke">Revoke</button>
</form>`;
  return htmlResponse(200, page(`Review access of ${view.holder?.name ?? view.request.requester}`, body));
}

export function reviewRecordedPage(
  request: StoredRequest,
  decision: 'keep' | 'revoke',
): APIGatewayProxyStructuredResultV2 {
  const outcome =
    decision === 'revoke'
      ? 'You revoked the access. It has ended, and the holder will be told.'
      : `You kept the access. It will be reviewed again by ${request.grant?.nextReviewAt ? formatDateTime(request.grant.nextReviewAt) : 'its next review date'}.`;
  return recordedPage('Review recorded', outcome, request);
}

export function reviewErrorPage(error: unknown): APIGatewayProxyStructuredResultV2 {
  return linkErrorPage(error, 'review', 'You cannot review this access');
}
