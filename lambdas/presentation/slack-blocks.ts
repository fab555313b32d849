// Slack Block Kit for Keyholder: the approval prompt (with Approve / Deny while it is the approver's turn), the
// review prompt (Keep / Revoke while the round is open), the reason dialog for a Deny or a Revoke, and notices as
// direct messages. Pure: the Slack adapter posts what these return.

import type { ApprovalPromptView, DenyReasonContext, Notice, ReviewPromptView } from '../core/ports.ts';
import { reasonInWords } from '../core/reason-words.ts';
import { FREE_TEXT, oneLine, textLines } from './plain-text.ts';
import { requestFacts, scopesInWords } from './request-summary.ts';
import { grantFacts } from './review-page.ts';
import { SLACK_IDS } from './slack-ids.ts';
import { durationInWords, formatDateTime } from './time-words.ts';

export interface SlackMessage {
  /** The notification and accessibility fallback Slack requires beside blocks. */
  readonly text: string;
  readonly blocks: readonly Record<string, unknown>[];
}

/** Slack mrkdwn treats these three as control characters. */
export function escapeMrkdwn(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** A value on one line, escaped: a line break in a name or a comment cannot start a line of its own. */
const inline = (value: string): string => escapeMrkdwn(oneLine(value));

/**
 * Free text a requester or a decider typed, as a mrkdwn quote: every line of it behind "> " (escaping turns their
 * own `>` into `&gt;`), so none of it can begin a line that reads as Keyholder's ("*Approvals:* 2 of 2 required").
 */
const quoted = (value: string): string =>
  textLines(value)
    .map((line) => `> ${escapeMrkdwn(line)}`)
    .join('\n');

/** A time as people read it, or a question mark when it is not known. */
const when = (at: string | undefined): string => (at ? formatDateTime(at) : '?');

/**
 * Block Kit's documented limits (api.slack.com/reference/block-kit): a message over any of them is refused whole
 * (`invalid_blocks`), so a long justification could keep the prompt from reaching the directors.
 */
export const SLACK_LIMITS = {
  sectionText: 3000,
  sectionField: 2000,
  sectionFields: 10,
  headerText: 150,
  contextText: 3000,
  buttonText: 75,
  buttonValue: 2000,
  modalTitle: 24,
  modalButton: 24,
  inputLabel: 2000,
  privateMetadata: 3000,
  blocksPerMessage: 50,
  blocksPerModal: 100,
  messageText: 4000,
} as const;

/** At most `max` characters (code units), an ellipsis where cut; never half an `&lt;` entity or a split surrogate. */
export function clip(value: string, max: number): string {
  if (value.length <= max) return value;
  let cut = value.slice(0, max - 1);
  cut = cut.replace(/&[a-z]{0,3}$/, '');
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}
const plain = (text: string, max: number = SLACK_LIMITS.headerText) => ({
  type: 'plain_text',
  text: clip(text, max),
  emoji: true,
});
/** Escaped text goes in already escaped: clipped after escaping, so the limit holds on what Slack counts. */
const mrkdwn = (text: string, max: number = SLACK_LIMITS.sectionText) => ({
  type: 'mrkdwn',
  text: clip(text, max),
});
/** A labelled fact as a section field: the escaped value clipped so the whole field stays within Slack's limit. */
const field = (label: string, value: string) => {
  const head = `*${label}*\n`;
  return mrkdwn(
    `${head}${clip(FREE_TEXT.has(label) ? quoted(value) : inline(value), SLACK_LIMITS.sectionField - head.length)}`,
    SLACK_LIMITS.sectionField,
  );
};

/** Facts as section fields, ten per section (Slack's limit), under an opening line. */
function factSections(
  opening: string,
  facts: readonly (readonly [string, string])[],
): Record<string, unknown>[] {
  const fields = facts.map(([label, value]) => field(label, value));
  const sections: Record<string, unknown>[] = [
    { type: 'section', text: mrkdwn(opening), fields: fields.slice(0, 10) },
  ];
  if (fields.length > 10) sections.push({ type: 'section', fields: fields.slice(10) });
  return sections;
}

const button = (actionId: string, text: string, style: 'primary' | 'danger', value: string) => ({
  type: 'button',
  action_id: actionId,
  text: plain(text, SLACK_LIMITS.buttonText),
  style,
  value: clip(value, SLACK_LIMITS.buttonValue),
});

function outcomeLine(view: ApprovalPromptView): string | undefined {
  const { request, names } = view;
  const name = (id: string | undefined) => (id ? (names[id] ?? id) : 'someone');
  switch (request.status) {
    case 'PENDING_APPROVAL':
      return undefined;
    case 'APPROVED':
      return ':white_check_mark: *Approved* — access will be granted if a seat is free.';
    case 'ACTIVE':
      return `:white_check_mark: *Approved and granted* until ${when(request.grant?.expiresAt)}.`;
    case 'DENIED':
      return `:no_entry: *Denied* by ${inline(name(request.closedBy))} at ${when(request.closedAt)}: ${inline(request.reason ?? '')}`;
    case 'CANCELLED':
      return request.reason === 'PRINCIPAL_INACTIVE'
        ? `:leftwards_arrow_with_hook: *Cancelled* at ${when(request.closedAt)}: the requester was deactivated by ${inline(name(request.closedBy))}.`
        : `:leftwards_arrow_with_hook: *Cancelled* by the requester at ${when(request.closedAt)}.`;
    case 'TIMED_OUT':
      return `:hourglass: *Timed out* at ${when(request.closedAt)}: nobody needs to decide any more.`;
    case 'REJECTED':
      return `:no_entry_sign: *Rejected* at ${when(request.closedAt)}: ${inline(reasonInWords(request.reason))}`;
    case 'REVOKED':
      return `:lock: *Revoked* by ${inline(name(request.closedBy))} at ${when(request.closedAt)}: ${inline(reasonInWords(request.reason))}`;
    case 'EXPIRED':
      return `:lock: *Expired* at ${when(request.closedAt)}.`;
  }
}

/** The prompt as it should look now: buttons only while the request is pending and this approver has not decided. */
export function approvalPromptMessage(view: ApprovalPromptView): SlackMessage {
  const { request, requester, approver, names } = view;
  const who = requester?.name ?? request.requester;
  const scopes = scopesInWords(request.scopes, view.datasets);
  const facts = requestFacts(request, requester, view.seats, view.datasets)
    .filter(([label]) => label !== 'Approvals')
    .map(([label, value]): [string, string] =>
      label === 'External admin seats' && view.seats
        ? ['Cap usage', `${view.seats.inUse} of ${view.seats.cap} external admin seats in use`]
        : [label, value],
    );
  const decisions = request.approvals.map((entry) => {
    const icon = entry.decision === 'approve' ? ':white_check_mark:' : ':no_entry:';
    const verb = entry.decision === 'approve' ? 'approved' : 'denied';
    const comment = entry.comment ? `: ${clip(inline(entry.comment), 300)}` : '';
    return `${icon} ${inline(names[entry.approverId] ?? entry.approverId)} ${verb} at ${formatDateTime(entry.at)} (${entry.channel})${comment}`;
  });
  const approved = request.approvals.filter((entry) => entry.decision === 'approve').length;
  const ownDecision = request.approvals.find((entry) => entry.approverId === approver.id);
  const open = request.status === 'PENDING_APPROVAL' && !ownDecision;
  const outcome = outcomeLine(view);
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: plain(`Approval needed: ${who}`) },
    ...factSections(`*${inline(who)}* asks for *${inline(scopes)}*.`, facts),
  ];
  blocks.push({
    type: 'context',
    elements: [mrkdwn(`Approvals: ${approved} of ${request.approvalsRequired} required`)],
  });
  if (decisions.length > 0) blocks.push({ type: 'section', text: mrkdwn(decisions.join('\n')) });
  if (outcome) blocks.push({ type: 'section', text: mrkdwn(outcome) });
  if (open) {
    blocks.push({
      type: 'actions',
      block_id: SLACK_IDS.decisionBlock,
      elements: [
        button(SLACK_IDS.approveAction, 'Approve', 'primary', request.id),
        button(SLACK_IDS.denyAction, 'Deny', 'danger', request.id),
      ],
    });
  } else if (request.status === 'PENDING_APPROVAL' && ownDecision) {
    blocks.push({
      type: 'context',
      elements: [
        mrkdwn(
          `You ${ownDecision.decision === 'approve' ? 'approved' : 'denied'} at ${formatDateTime(ownDecision.at)}.`,
        ),
      ],
    });
  }
  const status = outcome ? ` (${request.status})` : '';
  return {
    text: clip(
      `Approval needed: ${inline(who)} requests ${inline(scopes)} for ${durationInWords(request.duration)} [${request.id}]${status}`,
      SLACK_LIMITS.messageText,
    ),
    blocks,
  };
}

/** The review prompt as it should look now: Keep / Revoke only while the round is open. */
export function reviewPromptMessage(view: ReviewPromptView): SlackMessage {
  const { request, holder } = view;
  const who = holder?.name ?? request.requester;
  const scopes = scopesInWords(request.scopes, view.datasets);
  const open = request.status === 'ACTIVE' && request.review !== undefined;
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: plain(`Review needed: ${who}`) },
    ...factSections(
      `Should *${inline(who)}* keep *${inline(scopes)}*? Without an answer in time it is revoked automatically.`,
      grantFacts(request, holder, view.datasets),
    ),
  ];
  const answered = request.reviews?.at(-1);
  if (open) {
    blocks.push({
      type: 'actions',
      block_id: SLACK_IDS.reviewBlock,
      elements: [
        button(SLACK_IDS.keepAction, 'Keep', 'primary', request.id),
        button(SLACK_IDS.revokeAction, 'Revoke', 'danger', request.id),
      ],
    });
  } else if (request.status === 'ACTIVE' && answered) {
    blocks.push({
      type: 'section',
      text: mrkdwn(
        `:white_check_mark: *Kept* by ${answered.reviewerId === view.reviewer.id ? 'you' : escapeMrkdwn(answered.reviewerId)} at ${formatDateTime(answered.at)}; next review ${when(request.grant?.nextReviewAt)}.`,
      ),
    });
  } else {
    const outcome = outcomeLine({
      request,
      requester: holder,
      approver: view.reviewer,
      names: {},
      datasets: view.datasets,
    });
    if (outcome) blocks.push({ type: 'section', text: mrkdwn(outcome) });
  }
  const status = open ? '' : ` (${request.status})`;
  return {
    text: clip(
      `Review needed: should ${inline(who)} keep ${inline(scopes)}? [${request.id}]${status}`,
      SLACK_LIMITS.messageText,
    ),
    blocks,
  };
}

const REASON_DIALOGS = {
  deny: {
    callback: SLACK_IDS.denyCallback,
    title: 'Deny request',
    submit: 'Deny',
    label: 'Why is it denied? The requester will see this.',
  },
  revoke: {
    callback: SLACK_IDS.revokeCallback,
    title: 'Revoke access',
    submit: 'Revoke',
    label: 'Why is the access revoked? The holder will see this.',
  },
} as const;

/** The modal that asks for the reason of a deny or a revoke; the request and prompt travel in private_metadata. */
export function denyReasonModal(context: DenyReasonContext): Record<string, unknown> {
  const dialog = REASON_DIALOGS[context.decision ?? 'deny'];
  return {
    type: 'modal',
    callback_id: dialog.callback,
    private_metadata: JSON.stringify({
      requestId: context.requestId,
      channel: context.prompt.channel,
      ts: context.prompt.ts,
    }),
    title: plain(dialog.title, SLACK_LIMITS.modalTitle),
    submit: plain(dialog.submit, SLACK_LIMITS.modalButton),
    close: plain('Cancel', SLACK_LIMITS.modalButton),
    blocks: [
      { type: 'section', text: mrkdwn(escapeMrkdwn(context.summary)) },
      {
        type: 'input',
        block_id: SLACK_IDS.reasonBlock,
        label: plain(dialog.label, SLACK_LIMITS.inputLabel),
        element: {
          type: 'plain_text_input',
          action_id: SLACK_IDS.reasonAction,
          multiline: true,
          min_length: 1,
          max_length: 3000,
        },
      },
    ],
  };
}

export function noticeMessage(notice: Notice): SlackMessage {
  const blocks: Record<string, unknown>[] = [
    { type: 'section', text: mrkdwn(`*${inline(notice.headline)}*`) },
    {
      type: 'section',
      fields: notice.facts.slice(0, SLACK_LIMITS.sectionFields).map(([label, value]) => field(label, value)),
    },
  ];
  if (notice.closing) blocks.push({ type: 'context', elements: [mrkdwn(inline(notice.closing))] });
  return { text: clip(`${inline(notice.headline)} [${notice.requestId}]`, SLACK_LIMITS.messageText), blocks };
}
