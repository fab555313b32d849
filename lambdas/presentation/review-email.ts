// The email that asks one director to recertify one ACTIVE grant (Keep or Revoke), with their personal link.
import type { AccessRequest, Principal } from '../core/model.ts';
import type { EmailMessage } from '../core/ports.ts';
import { escapeHtml } from './html.ts';
import { oneLine, plainTextFacts } from './plain-text.ts';
import { type DatasetCatalogue, scopesInWords } from './request-summary.ts';
import { grantFacts } from './review-page.ts';
import { formatDateTime } from './time-words.ts';

export function reviewEmail(args: {
  readonly request: AccessRequest;
  readonly holder: Principal | undefined;
  readonly reviewer: Principal;
  readonly link: string;
  /** The catalogue, so datasets read by title and sensitivity (`catalogueOf`). */
  readonly datasets: DatasetCatalogue;
}): EmailMessage {
  const { request, holder, reviewer, link } = args;
  const facts = grantFacts(request, holder, args.datasets);
  const who = holder?.name ?? request.requester;
  const deadline = request.review ? formatDateTime(request.review.deadline) : 'the deadline';
  const subject = `Review needed: should ${who} keep ${oneLine(scopesInWords(request.scopes, args.datasets))}? [${request.id}]`;
  const text = [
    `Dear ${reviewer.name},`,
    '',
    `${oneLine(who)}'s access is due for its regular review. Please decide whether it should be kept or revoked.`,
    `Without an answer by ${deadline} it is revoked automatically.`,
    '',
    `Review: ${link}`,
    '',
    ...plainTextFacts(facts),
    '',
    'The link is personal to you and works once. Opening it decides nothing: you choose Keep or Revoke on the page.',
  ].join('\n');
  const html = `<p>Dear ${escapeHtml(reviewer.name)},</p>
<p>${escapeHtml(who)}'s access is due for its regular review. Without an answer by ${escapeHtml(deadline)} it is revoked automatically.</p>
<table>${facts.map(([label, value]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`).join('')}</table>
<p><a href="${escapeHtml(link)}">Review and decide</a></p>
<p>The link is personal to you and works once. Opening it decides nothing.</p>`;
  return { to: reviewer.email, subject, text, html };
}
