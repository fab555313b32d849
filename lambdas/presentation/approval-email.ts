// The email that asks one approver to decide one request, with their personal link.
import type { AccessRequest, Principal } from '../core/model.ts';
import type { EmailMessage } from '../core/ports.ts';
import { escapeHtml } from './html.ts';
import { oneLine, plainTextFacts } from './plain-text.ts';
import { type DatasetCatalogue, requestFacts, type SeatUsage, scopesInWords } from './request-summary.ts';
import { durationInWords } from './time-words.ts';

const REPLY_HINT =
  'Or reply to this email with "approve" or "deny <reason>" as the first line; the reply must come from this address.';

export function approvalEmail(args: {
  readonly request: AccessRequest;
  readonly requester: Principal | undefined;
  readonly approver: Principal;
  readonly link: string;
  readonly seats?: SeatUsage | undefined;
  /** The approver's personal reply-to-decide address, when email replies are enabled. */
  readonly replyTo?: string | undefined;
  /** The catalogue, so datasets read by title and sensitivity (`catalogueOf`). */
  readonly datasets: DatasetCatalogue;
}): EmailMessage {
  const { request, requester, approver, link } = args;
  const facts = requestFacts(request, requester, args.seats, args.datasets);
  const who = requester?.name ?? request.requester;
  const subject = `Approval needed: ${who} requests ${oneLine(scopesInWords(request.scopes, args.datasets))} for ${durationInWords(request.duration)} [${request.id}]`;
  const text = [
    `Dear ${approver.name},`,
    '',
    `${oneLine(who)} asks for access that needs your approval.`,
    '',
    `Review and decide: ${link}`,
    ...(args.replyTo ? ['', REPLY_HINT] : []),
    '',
    ...plainTextFacts(facts),
    '',
    'The link is personal to you, works once, and expires when the approval window closes.',
    'Opening it decides nothing: you choose Approve or Deny on the page.',
  ].join('\n');
  const html = `<p>Dear ${escapeHtml(approver.name)},</p>
<p>${escapeHtml(who)} asks for access that needs your approval.</p>
<table>${facts.map(([label, value]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`).join('')}</table>
<p><a href="${escapeHtml(link)}">Review and decide</a></p>
${args.replyTo ? `<p>${escapeHtml(REPLY_HINT)}</p>` : ''}
<p>The link is personal to you, works once, and expires when the approval window closes. Opening it decides nothing.</p>`;
  return { to: approver.email, subject, text, html, replyTo: args.replyTo };
}
