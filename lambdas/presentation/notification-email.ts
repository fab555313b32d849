// A Notice as an email (plain text and HTML), and the answers sent back to someone who replied to decide.
import type { EmailMessage, Notice } from '../core/ports.ts';
import { escapeHtml } from './html.ts';
import { oneLine, plainTextFacts } from './plain-text.ts';

export function noticeEmail(to: string, name: string, notice: Notice): EmailMessage {
  const text = [
    `Dear ${oneLine(name)},`,
    '',
    oneLine(notice.headline),
    '',
    // A comment or a reason someone typed is quoted, so a CR/LF in it cannot forge a line of Keyholder's own
    ...plainTextFacts(notice.facts),
    ...(notice.closing ? ['', oneLine(notice.closing)] : []),
  ].join('\n');
  const html = `<p>Dear ${escapeHtml(name)},</p>
<p>${escapeHtml(notice.headline)}</p>
<table>${notice.facts.map(([label, value]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`).join('')}</table>
${notice.closing ? `<p>${escapeHtml(notice.closing)}</p>` : ''}`;
  return { to, subject: notice.subject, text, html };
}

const HOW_TO_REPLY =
  'To decide by email, reply to the approval email itself with "approve" or "deny <reason>" as the first line.';

/** Why a reply decided nothing; sent to the address the reply came from. */
export function replyRefusedEmail(args: {
  readonly to: string;
  readonly subject: string;
  readonly reason: string;
}): EmailMessage {
  const subject = args.subject.toLowerCase().startsWith('re:') ? args.subject : `Re: ${args.subject}`;
  const text = [
    'Your reply to Keyholder did not decide anything.',
    '',
    `Why: ${args.reason}`,
    '',
    HOW_TO_REPLY,
    'You can also use the link in the approval email, or Slack where you have it.',
  ].join('\n');
  const html = `<p>Your reply to Keyholder did not decide anything.</p>
<p><strong>Why:</strong> ${escapeHtml(args.reason)}</p>
<p>${escapeHtml(HOW_TO_REPLY)} You can also use the link in the approval email, or Slack where you have it.</p>`;
  return { to: args.to, subject, text, html };
}

/** The confirmation that a reply was recorded as a decision. */
export function replyRecordedEmail(args: {
  readonly to: string;
  readonly requestId: string;
  readonly decision: 'approve' | 'deny';
  readonly status: string;
}): EmailMessage {
  const what = args.decision === 'approve' ? 'approval' : 'denial';
  const subject = `Recorded: your ${what} of request ${args.requestId}`;
  const text = `Your ${what} of request ${args.requestId} was recorded. The request is now ${args.status}.`;
  return { to: args.to, subject, text, html: `<p>${escapeHtml(text)}</p>` };
}
