// The notice outbox's rules: which notices a committed transition owes, how each is named (its idempotency key),
// and when one that was never marked sent is handed to the queue again. Pure: no I/O, no clock of its own.
import type { Actor } from './audit.ts';
import type { RequestStatus } from './model.ts';

/** The committed outcome a notification is about. `decision` is any approve or deny, whatever the channel. */
export type OutcomeEvent =
  | 'decision'
  | 'granted'
  | 'rejected'
  | 'timed-out'
  | 'cancelled'
  | 'revoked'
  | 'expired'
  | 'failed'
  /** A break-glass grant started: the URGENT notice to every eligible director. */
  | 'break-glass'
  /** The approval step began: every needed approver not yet asked gets their mail (a link of their own) and prompt. */
  | 'approval-prompt'
  /** A grant's review round opened: each reviewer's mail (a single-use link) and Slack DM. */
  | 'review-prompt'
  /** The holder asked for more time: each eligible approver's mail with a single-use link. */
  | 'extension-prompt'
  /** A grant expires within the policy's reminder lead: the holder is reminded, once per expiry time. */
  | 'expiry-reminder';

/** What the queue carries: where the due notice lives, nothing a reader could act on without the table. */
export interface NoticeRef {
  readonly requestId: string;
  /** The notice's idempotency key, unique per request: `<audit seq>:<outcome>`. */
  readonly key: string;
}

/** A notice recorded as due in the same transaction as the change that causes it; marked sent once delivered. */
export interface DueNotice extends NoticeRef {
  readonly event: OutcomeEvent;
  /** Who the delivery audit events name as sending. */
  readonly actor: Actor;
  readonly dueAt: string;
  /** For `rejected`: the rejection's detail (the cap message), which the request itself does not keep. */
  readonly detail?: string | undefined;
  /** Parts already delivered by an earlier attempt (`channel:recipient:kind`): a redelivery sends only the rest. */
  readonly delivered?: readonly string[] | undefined;
}

/** The name of one message of a notice, as `delivered` keeps it. */
export function partOf(delivery: {
  readonly channel: string;
  readonly recipient: string;
  readonly kind: string;
}): string {
  return `${delivery.channel}:${delivery.recipient}:${delivery.kind}`;
}

/** The status a transition enters -> the notice it owes (ending, granting, failing). */
const OUTCOME_OF_STATUS: Readonly<Partial<Record<RequestStatus, OutcomeEvent>>> = {
  ACTIVE: 'granted',
  REJECTED: 'rejected',
  TIMED_OUT: 'timed-out',
  CANCELLED: 'cancelled',
  REVOKED: 'revoked',
  EXPIRED: 'expired',
  FAILED: 'failed',
};

/**
 * The notices a transition owes by the status it enters: none when the status stays (an audit-only event, an
 * extension, a recorded platform failure), one per outcome otherwise, and a break-glass grant also owes the
 * directors' URGENT notice. A decision (approve or deny) owes `decision` whatever it leads to: its caller says so.
 */
export function outcomesOfTransition(
  before: { readonly status: RequestStatus } | undefined,
  after: { readonly status: RequestStatus; readonly breakGlass?: unknown },
): OutcomeEvent[] {
  if (before?.status === after.status) return [];
  const outcome = OUTCOME_OF_STATUS[after.status];
  if (!outcome) return [];
  return outcome === 'granted' && after.breakGlass ? ['granted', 'break-glass'] : [outcome];
}

/** A due notice not marked sent this long after it was due is handed to the queue again (a lost enqueue). */
export const NOTICE_RESEND_AFTER_MS = 60_000;

/** How long one delivery attempt holds a notice: a duplicate message inside it sends nothing. */
export const NOTICE_LEASE_MS = 60_000;

/**
 * The notices a transition owes, one per outcome, keyed by the transition's audit sequence number: a retried
 * commit (the same event) owes the same keys, a later transition new ones.
 */
export function noticesOf(
  transition: { readonly requestId: string; readonly seq: number; readonly at: string },
  outcomes: readonly OutcomeEvent[],
  actor: Actor,
  detail?: string,
): DueNotice[] {
  return [...new Set(outcomes)].map((event) => ({
    requestId: transition.requestId,
    key: `${transition.seq}:${event}`,
    event,
    actor,
    dueAt: transition.at,
    ...(detail === undefined ? {} : { detail }),
  }));
}

/**
 * The expiry reminder, owed by no change of the request: keyed by the expiry it is about, so the sweep records it
 * once per expiry time (an extension that moves the expiry earns a new one).
 */
export function expiryReminderOf(
  grant: { readonly requestId: string; readonly expiresAt: string },
  actor: Actor,
  at: string,
): DueNotice {
  return {
    requestId: grant.requestId,
    key: `expiry-reminder:${grant.expiresAt}`,
    event: 'expiry-reminder',
    actor,
    dueAt: at,
  };
}

/** The latest due time of a notice that should be handed to the queue again, as of `now`. */
export function resendCutoff(now: string): string {
  return new Date(Date.parse(now) - NOTICE_RESEND_AFTER_MS).toISOString();
}

/** What a delivery attempt found: the notice to send, or why there is nothing to send. */
export type NoticeLease =
  | { readonly kind: 'leased'; readonly notice: DueNotice }
  | { readonly kind: 'sent' | 'in-flight' | 'missing' };

/** A queue message's body as a notice reference; undefined when it is not one (nothing to deliver). */
export function parseNoticeRef(body: string): NoticeRef | undefined {
  try {
    const value = JSON.parse(body) as Partial<NoticeRef> | null;
    if (typeof value?.requestId !== 'string' || typeof value.key !== 'string') return undefined;
    if (value.requestId === '' || value.key === '') return undefined;
    return { requestId: value.requestId, key: value.key };
  } catch {
    return undefined;
  }
}
