// A request's audit events told as a timeline for people: when, what, who (by name) and one plain-English sentence.
// No hashes, no message ids, no email addresses: the requester may read their own request's timeline.
import type { AuditAction, AuditEvent } from './audit.ts';
import { isReasonCode, reasonClause } from './reason-words.ts';
import { REVIEW_REASONS } from './review.ts';

export interface TimelineEntry {
  readonly at: string;
  readonly type: AuditAction;
  /** The person who acted; null when Keyholder itself did (the workflow, the sweep). */
  readonly actor: { readonly id: string; readonly name: string } | null;
  readonly summary: string;
}

const EMAIL = /[^\s@<>"'(),;:]+@[^\s@<>"'(),;:]+\.[^\s@<>"'(),;:]+/g;

/** Free text from people or platforms, as it may appear in a sentence: one line, bounded, no addresses. */
function quoted(text: string | undefined): string {
  const line = (text ?? '').replace(/\s+/g, ' ').trim().replace(EMAIL, '[email address]');
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

/** A recorded reason after a sentence: a code in words (core/reason-words.ts), people's text quoted. */
function because(text: string | undefined): string {
  const line = quoted(text);
  if (!line) return '';
  if (!isReasonCode(line)) return `: "${line}"`;
  return line === REVIEW_REASONS.revoked ? ' on review' : ` because ${reasonClause(line)}`;
}

const CHANNELS: Readonly<Record<string, string>> = {
  api: 'through the API',
  console: 'in the console',
  'email-link': 'through the emailed link',
  'email-reply': 'by email reply',
  slack: 'in Slack',
  email: 'by email',
};

function channelOf(event: AuditEvent): string {
  const channel = event.details?.channel;
  return typeof channel === 'string' && CHANNELS[channel] ? ` ${CHANNELS[channel]}` : '';
}

function detail(event: AuditEvent, key: string): string | undefined {
  const value = event.details?.[key];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/** The rules a policy event names (`externalAdminCap, maxDuration.admin`). */
function changedRules(event: AuditEvent): string {
  const changed = event.details?.changed;
  return Array.isArray(changed) && changed.length > 0 ? changed.join(', ') : 'no rules named';
}

/** One sentence per event; `name` turns principal ids into display names. */
export function summarise(event: AuditEvent, name: (id: string) => string): string {
  const who = event.actor.type === 'principal' ? name(event.actor.id) : 'Keyholder';
  const scopes = event.subject.scopes.join(', ') || 'the request';
  const holder = event.subject.principalId ? name(event.subject.principalId) : 'the requester';
  const via = channelOf(event);
  switch (event.action) {
    case 'REQUEST_SUBMITTED':
      return `${who} ${event.details?.breakGlass === true ? 'used break-glass for' : 'requested'} ${scopes}${detail(event, 'duration') ? ` for ${detail(event, 'duration')}` : ''}.`;
    case 'APPROVAL_REQUESTED':
      return 'Keyholder asked the eligible directors to decide.';
    case 'NOTIFICATION_SENT':
    case 'NOTIFICATION_FAILED': {
      const recipient = detail(event, 'recipient');
      const to = recipient ? name(recipient) : 'someone';
      return event.action === 'NOTIFICATION_SENT'
        ? `Keyholder notified ${to}${via}.`
        : `Keyholder could not notify ${to}${via}.`;
    }
    case 'APPROVAL_RECORDED':
      return `${who} approved${via}; more approvals are needed.`;
    case 'REQUEST_APPROVED':
      return `${who} approved${via}; the request is approved.`;
    case 'REQUEST_DENIED':
      return `${who} denied the request${via}${because(event.reason)}.`;
    case 'REQUEST_CANCELLED':
      return `${who} cancelled the request.`;
    case 'REQUEST_TIMED_OUT':
      return 'Nobody decided before the approval deadline; the request timed out.';
    case 'REQUEST_REJECTED':
      return `Keyholder could not grant the request${because(event.reason)}.`;
    case 'PROVISIONING_STARTED':
      return `Keyholder started granting ${scopes} on the platform.`;
    case 'PROVISIONING_FAILED':
      return `The platform failed to grant ${scopes}${because(event.reason)}.`;
    case 'GRANT_ACTIVATED':
      return `${holder} was granted ${scopes}${detail(event, 'expiresAt') ? ` until ${detail(event, 'expiresAt')}` : ''}.`;
    case 'GRANT_EXPIRED':
      return `${holder}'s access to ${scopes} expired.`;
    case 'GRANT_REVOKED': {
      const comment = detail(event, 'comment');
      return `${who} revoked ${holder}'s access to ${scopes}${because(event.reason)}${comment ? `: "${quoted(comment)}"` : ''}.`;
    }
    case 'DEPROVISIONING_FAILED':
      return `The platform failed to remove ${scopes}; Keyholder will retry${because(event.reason)}.`;
    case 'GRANT_REAPPLIED':
      return `Keyholder re-applied ${scopes} on the platform, where it had gone missing.`;
    case 'REVIEW_REQUESTED':
      return `Keyholder asked the directors to review ${holder}'s access${detail(event, 'deadline') ? ` by ${detail(event, 'deadline')}` : ''}.`;
    case 'REVIEW_KEPT':
      return `${who} reviewed the access and kept it${via}${detail(event, 'nextReviewAt') ? `; next review ${detail(event, 'nextReviewAt')}` : ''}.`;
    case 'EXTENSION_REQUESTED':
      return `${who} asked for ${detail(event, 'duration') ?? 'more time'} more${because(event.reason)}.`;
    case 'EXTENSION_APPROVAL_RECORDED':
      return `${who} approved the extension${via}; more approvals are needed.`;
    case 'EXTENSION_APPROVED':
      return `${who} approved the extension${via}; access now runs until ${detail(event, 'expiresAt') ?? 'later'}.`;
    case 'EXTENSION_DENIED':
      return `${who} denied the extension${via}${because(event.reason)}.`;
    case 'EXTENSION_TIMED_OUT':
      return 'Nobody decided the extension before its deadline; access ends as planned.';
    case 'POLICY_CHANGE_PROPOSED':
      return `${who} proposed changing the policy (${changedRules(event)})${because(event.reason)}.`;
    case 'POLICY_CHANGE_APPROVED':
      return `${who} approved the policy change${because(event.reason)}.`;
    case 'POLICY_CHANGE_DENIED':
      return `${who} denied the policy change${because(event.reason)}.`;
    case 'POLICY_CHANGE_EXPIRED':
      return `The policy change expired${because(event.reason)}.`;
    case 'POLICY_ACTIVATED':
      return `Policy version ${detail(event, 'version') ?? 'new'} came into force (${changedRules(event)}).`;
    case 'BREAK_GLASS_REVIEW_RECORDED':
    case 'BREAK_GLASS_JUSTIFIED':
      return `${who} found the break-glass access justified${event.action === 'BREAK_GLASS_JUSTIFIED' ? '; the review is complete' : '; more reviews are needed'}: "${quoted(detail(event, 'comment'))}".`;
    case 'BREAK_GLASS_NOT_JUSTIFIED':
      return `${who} found the break-glass access not justified: "${quoted(detail(event, 'comment'))}"; ${holder} loses break-glass until an access-admin restores it.`;
    case 'BREAK_GLASS_UNREVIEWED':
      return `Not enough directors reviewed the break-glass access in time; ${holder} loses break-glass until an access-admin restores it.`;
    default:
      return `${who}: ${event.action.toLowerCase().replaceAll('_', ' ')}.`;
  }
}

export function timelineOf(
  events: readonly AuditEvent[],
  names: ReadonlyMap<string, string>,
): TimelineEntry[] {
  const name = (id: string) => names.get(id) ?? id;
  return [...events]
    .sort((a, b) => a.seq - b.seq)
    .map((event) => ({
      at: event.at,
      type: event.action,
      actor: event.actor.type === 'principal' ? { id: event.actor.id, name: name(event.actor.id) } : null,
      summary: summarise(event, name),
    }));
}
