// The email that asks one approver to decide a holder's request for more time on an ACTIVE grant.
import type { AccessRequest, Principal } from '../core/model.ts';
import type { EmailMessage } from '../core/ports.ts';
import { escapeHtml } from './html.ts';
import { oneLine, plainTextFacts } from './plain-text.ts';
import { type DatasetCatalogue, scopesInWords } from './request-summary.ts';
import { grantFacts } from './review-page.ts';
import { durationInWords, formatDateTime } from './time-words.ts';

export function extensionFacts(request: AccessRequest): Array<[string, string]> {
  const extension = request.extension;
  if (!extension) return [];
  return [
    ['Extension asked for', durationInWords(extension.duration)],
    ['New expiry if approved', formatDateTime(extension.expiresAt)],
    ['Why', extension.justification],
    [
      'Approvals',
      `${extension.approvals.filter((entry) => entry.decision === 'approve').length} of ${extension.approvalsRequired} required`,
    ],
    ['Decide by', formatDateTime(extension.deadline)],
  ];
}

export function extensionEmail(args: {
  readonly request: AccessRequest;
  readonly holder: Principal | undefined;
  readonly approver: Principal;
  readonly link: string;
  /** The catalogue, so datasets read by title and sensitivity (`catalogueOf`). */
  readonly datasets: DatasetCatalogue;
}): EmailMessage {
  const { request, holder, approver, link } = args;
  const who = holder?.name ?? request.requester;
  const facts = [...extensionFacts(request), ...grantFacts(request, holder, args.datasets)];
  const subject = `Extension needs approval: ${who} asks for ${request.extension ? durationInWords(request.extension.duration) : 'more time'} on ${oneLine(scopesInWords(request.scopes, args.datasets))} [${request.id}]`;
  const text = [
    `Dear ${approver.name},`,
    '',
    `${oneLine(who)} asks to extend access that is active now. Access carries on meanwhile; without enough approvals the original expiry stands.`,
    '',
    `Review and decide: ${link}`,
    '',
    ...plainTextFacts(facts),
    '',
    'The link is personal to you, works once, and expires when the extension window closes.',
    'Opening it decides nothing: you choose Approve or Deny on the page.',
  ].join('\n');
  const html = `<p>Dear ${escapeHtml(approver.name)},</p>
<p>${escapeHtml(who)} asks to extend access that is active now. Without enough approvals the original expiry stands.</p>
<table>${facts.map(([label, value]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`).join('')}</table>
<p><a href="${escapeHtml(link)}">Review and decide</a></p>
<p>The link is personal to you, works once, and expires when the extension window closes. Opening it decides nothing.</p>`;
  return { to: approver.email, subject, text, html };
}

/** The confirmation after an approver decided an extension round. */
export function extensionOutcome(request: AccessRequest, decision: 'approve' | 'deny'): string {
  const extension = request.extension;
  if (decision === 'deny') return 'You denied the extension. The original expiry stands.';
  if (extension?.status === 'APPROVED') {
    return `You approved the extension. Access now runs until ${formatDateTime(request.grant?.expiresAt ?? extension.expiresAt)}.`;
  }
  const approved = extension?.approvals.filter((entry) => entry.decision === 'approve').length ?? 0;
  return `You approved the extension. It now has ${approved} of ${extension?.approvalsRequired ?? 0} approvals.`;
}
