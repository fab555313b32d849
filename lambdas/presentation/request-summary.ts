// The facts an approver needs about a request, as (label, value) rows for emails and pages.
import type { AccessRequest, Principal } from '../core/model.ts';
import { durationInWords, formatDateTime } from './time-words.ts';

export interface SeatUsage {
  readonly inUse: number;
  readonly cap: number;
}

export function requestFacts(
  request: AccessRequest,
  requester: Principal | undefined,
  seats?: SeatUsage,
): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    ['Request', request.id],
    ['Requester', requester ? `${requester.name} (${requester.id}, ${requester.email})` : request.requester],
    ['Organisation', `${request.requesterOrganisation}${request.external ? ' (external)' : ''}`],
    ['Scopes', request.scopes.join(', ')],
    ['Duration', durationInWords(request.duration)],
    ['Justification', request.justification],
    ['Ticket', request.ticket ?? '—'],
    [
      'Approvals',
      `${request.approvals.filter((entry) => entry.decision === 'approve').length} of ${request.approvalsRequired} required`,
    ],
    ['Decide by', formatDateTime(request.approvalDeadline)],
  ];
  if (request.countsAgainstCap && seats) {
    rows.push(['External admin seats', `${seats.inUse} of ${seats.cap} in use`]);
  }
  return rows;
}
