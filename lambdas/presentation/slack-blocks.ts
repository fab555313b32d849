// Slack Block Kit for Keyholder: the approval prompt (with Approve / Deny while it is the approver's turn), the
// Deny reason dialog, and notices as direct messages. Pure: the Slack adapter posts what these return.
import type { ApprovalPromptView, DenyReasonContext, Notice } from '../core/ports.ts';
import { requestFacts } from './request-summary.ts';

/** Identifiers Slack echoes back in interaction payloads; the interactions handler routes on them. */
export const SLACK_IDS = {
  decisionBlock: 'keyholder_decision',
  approveAction: 'approve',
  denyAction: 'deny',
  denyCallback: 'keyholder_deny',
  reasonBlock: 'reason',
  reasonAction: 'reason',
} as const;

export interface SlackMessage {
  /** The notification and accessibility fallback Slack requires beside blocks. */
  readonly text: string;
  readonly blocks: readonly Record<string, unknown>[];
}

/** Slack mrkdwn treats these three as control characters. */
export function escapeMrkdwn(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

const clip = (value: string, max: number) => (value.length > max ? `${value.slice(0, max - 1)}…` : value);
const plain = (text: string) => ({ type: 'plain_text', text: clip(text, 150), emoji: true });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text: clip(text, 3000) });

function outcomeLine(view: ApprovalPromptView): string | undefined {
  const { request, names } = view;
  const name = (id: string | undefined) => (id ? (names[id] ?? id) : 'someone');
  switch (request.status) {
    case 'PENDING_APPROVAL':
      return undefined;
    case 'APPROVED':
      return ':white_check_mark: *Approved* — access will be granted if a seat is free.';
    case 'ACTIVE':
      return `:white_check_mark: *Approved and granted* until ${request.grant?.expiresAt ?? '?'}.`;
    case 'DENIED':
      return `:no_entry: *Denied* by ${escapeMrkdwn(name(request.closedBy))} at ${request.closedAt ?? '?'}: ${escapeMrkdwn(request.reason ?? '')}`;
    case 'CANCELLED':
      return `:leftwards_arrow_with_hook: *Cancelled* by the requester at ${request.closedAt ?? '?'}.`;
    case 'TIMED_OUT':
      return `:hourglass: *Timed out* at ${request.closedAt ?? '?'}: nobody needs to decide any more.`;
    case 'REJECTED':
      return `:no_entry_sign: *Rejected* (${escapeMrkdwn(request.reason ?? '')}) at ${request.closedAt ?? '?'}.`;
    case 'REVOKED':
      return `:lock: *Revoked* by ${escapeMrkdwn(name(request.closedBy))} at ${request.closedAt ?? '?'}: ${escapeMrkdwn(request.reason ?? '')}`;
    case 'EXPIRED':
      return `:lock: *Expired* at ${request.closedAt ?? '?'}.`;
  }
}

/** The prompt as it should look now: buttons only while the request is pending and this approver has not decided. */
export function approvalPromptMessage(view: ApprovalPromptView): SlackMessage {
  const { request, requester, approver, names } = view;
  const who = requester?.name ?? request.requester;
  const facts = requestFacts(request, requester, view.seats)
    .filter(([label]) => label !== 'Approvals')
    .map(([label, value]): [string, string] =>
      label === 'External admin seats' && view.seats
        ? ['Cap usage', `${view.seats.inUse} of ${view.seats.cap} external admin seats in use`]
        : [label, value],
    );
  const decisions = request.approvals.map((entry) => {
    const icon = entry.decision === 'approve' ? ':white_check_mark:' : ':no_entry:';
    const verb = entry.decision === 'approve' ? 'approved' : 'denied';
    const comment = entry.comment ? `: ${escapeMrkdwn(clip(entry.comment, 300))}` : '';
    return `${icon} ${escapeMrkdwn(names[entry.approverId] ?? entry.approverId)} ${verb} at ${entry.at} (${entry.channel})${comment}`;
  });
  const approved = request.approvals.filter((entry) => entry.decision === 'approve').length;
  const ownDecision = request.approvals.find((entry) => entry.approverId === approver.id);
  const open = request.status === 'PENDING_APPROVAL' && !ownDecision;
  const outcome = outcomeLine(view);
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: plain(`Approval needed: ${who}`) },
    {
      type: 'section',
      text: mrkdwn(`*${escapeMrkdwn(who)}* asks for *${escapeMrkdwn(request.scopes.join(', '))}*.`),
      fields: facts
        .slice(0, 10)
        .map(([label, value]) => mrkdwn(`*${label}*\n${escapeMrkdwn(clip(value, 1900))}`)),
    },
  ];
  if (facts.length > 10) {
    blocks.push({
      type: 'section',
      fields: facts
        .slice(10)
        .map(([label, value]) => mrkdwn(`*${label}*\n${escapeMrkdwn(clip(value, 1900))}`)),
    });
  }
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
        {
          type: 'button',
          action_id: SLACK_IDS.approveAction,
          text: plain('Approve'),
          style: 'primary',
          value: request.id,
        },
        {
          type: 'button',
          action_id: SLACK_IDS.denyAction,
          text: plain('Deny'),
          style: 'danger',
          value: request.id,
        },
      ],
    });
  } else if (request.status === 'PENDING_APPROVAL' && ownDecision) {
    blocks.push({
      type: 'context',
      elements: [
        mrkdwn(`You ${ownDecision.decision === 'approve' ? 'approved' : 'denied'} at ${ownDecision.at}.`),
      ],
    });
  }
  const status = outcome ? ` (${request.status})` : '';
  return {
    text: `Approval needed: ${who} requests ${request.scopes.join(', ')} for ${request.duration} [${request.id}]${status}`,
    blocks,
  };
}

/** The modal that asks for the reason of a deny; the request and prompt travel in private_metadata. */
export function denyReasonModal(context: DenyReasonContext): Record<string, unknown> {
  return {
    type: 'modal',
    callback_id: SLACK_IDS.denyCallback,
    private_metadata: JSON.stringify({
      requestId: context.requestId,
      channel: context.prompt.channel,
      ts: context.prompt.ts,
    }),
    title: plain('Deny request'),
    submit: plain('Deny'),
    close: plain('Cancel'),
    blocks: [
      { type: 'section', text: mrkdwn(escapeMrkdwn(context.summary)) },
      {
        type: 'input',
        block_id: SLACK_IDS.reasonBlock,
        label: plain('Why is it denied? The requester will see this.'),
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
    { type: 'section', text: mrkdwn(`*${escapeMrkdwn(notice.headline)}*`) },
    {
      type: 'section',
      fields: notice.facts
        .slice(0, 10)
        .map(([label, value]) => mrkdwn(`*${label}*\n${escapeMrkdwn(clip(value, 1900))}`)),
    },
  ];
  if (notice.closing) blocks.push({ type: 'context', elements: [mrkdwn(escapeMrkdwn(notice.closing))] });
  return { text: `${notice.headline} [${notice.requestId}]`, blocks };
}
