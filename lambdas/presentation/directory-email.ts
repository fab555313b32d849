// The notice every director gets when one access-admin makes someone an approver: who, by whom, from when, and
// what to do if it is wrong. Plain words and readable times; names come from the directory, escaped in HTML.
import type { ApproverHold, Principal } from '../core/model.ts';
import type { EmailMessage } from '../core/ports.ts';
import { escapeHtml } from './html.ts';
import { durationInWords, formatDateTime } from './time-words.ts';

export function approverPromotedEmail(args: {
  readonly to: string;
  readonly promoted: Principal;
  readonly hold: ApproverHold;
  readonly delay: string;
}): EmailMessage {
  const { promoted, hold } = args;
  const from = formatDateTime(hold.at);
  const lines = [
    `${hold.madeBy} changed the directory entry of ${promoted.id} (${promoted.grade}, ${promoted.organisation}) so that they can approve access requests.`,
    '',
    `A change one person makes waits ${durationInWords(args.delay)}: ${promoted.id} can approve nothing before ${from}.`,
    'If this change is wrong, ask another access-admin to undo it before then, and tell the Caldicott Guardian.',
  ];
  return {
    to: args.to,
    subject: `Keyholder: ${promoted.id} becomes an approver on ${from}`,
    text: lines.join('\n'),
    html: lines
      .filter((line) => line !== '')
      .map((line) => `<p>${escapeHtml(line)}</p>`)
      .join('\n'),
  };
}
