// Reason codes and statuses Keyholder records, in the words people read in mail, Slack and timelines. JSON and the
// audit trail keep the codes; everything a person reads goes through here, so a new code is worded in one place.
import type { RequestStatus } from './model.ts';

/** Each recorded reason code as a clause that follows "because". */
const REASON_CLAUSES: Readonly<Record<string, string>> = {
  CAP_REACHED: 'the external-admin cap was full',
  HOLDER_LIMIT_REACHED: 'the dataset already had as many holders as it allows',
  APPROVAL_TIMEOUT: 'nobody decided in time',
  NOT_DECIDED_IN_TIME: 'nobody decided it in time',
  EXPIRED: 'the access reached its expiry time',
  CANCELLED_BY_REQUESTER: 'the requester cancelled it',
  PRINCIPAL_INACTIVE: 'the holder was deactivated',
  CLEARANCE_LAPSED: "the holder's clearance lapsed",
  REVIEW_REVOKED: 'a reviewer revoked it',
  REVIEW_OVERDUE: 'nobody answered its review in time',
};

const CODE = /^[A-Z][A-Z0-9_]+$/;

/** True for a recorded code (CAP_REACHED), false for people's or platforms' own text. */
export function isReasonCode(text: string): boolean {
  return CODE.test(text);
}

/** A code as a clause ("the external-admin cap was full"); an unknown code is spelt out in lower case. */
export function reasonClause(code: string): string {
  return REASON_CLAUSES[code] ?? code.toLowerCase().replaceAll('_', ' ');
}

/** A recorded reason as a sentence for a fact line: a code in words, people's text as given, a dash for none. */
export function reasonInWords(reason: string | undefined): string {
  const text = reason?.trim();
  if (!text) return '—';
  if (!isReasonCode(text)) return text;
  const clause = reasonClause(text);
  return `${clause.charAt(0).toUpperCase()}${clause.slice(1)}.`;
}

const STATUS_WORDS: Readonly<Record<RequestStatus, string>> = {
  PENDING_APPROVAL: 'Waiting for approval',
  APPROVED: 'Approved, being granted',
  PROVISIONING: 'Being granted',
  ACTIVE: 'Active',
  EXPIRED: 'Expired',
  REJECTED: 'Rejected',
  DENIED: 'Denied',
  TIMED_OUT: 'Timed out',
  CANCELLED: 'Cancelled',
  REVOKED: 'Revoked',
  FAILED: 'Failed',
};

export function statusInWords(status: RequestStatus): string {
  return STATUS_WORDS[status];
}
