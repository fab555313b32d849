// Use case: GET /audit.csv, the audit events of a time range across all streams, for auditors.
import { type AuditEvent, canonicalJson } from '../core/audit.ts';
import { mayViewAudit } from '../core/authorization.ts';
import type { CsvColumn } from '../core/csv.ts';
import { ForbiddenError, ValidationError } from '../core/errors.ts';
import type { Principal } from '../core/model.ts';
import type { AuditLedger, Clock } from '../core/ports.ts';
import { boundedCsv } from './access-history.ts';

/** One export covers at most this long a range: each day is one Query plus the streams it touched. */
export const MAX_EXPORT_DAYS = 366;

const AUDIT_COLUMNS: readonly CsvColumn<AuditEvent>[] = [
  { header: 'at', value: (event) => event.at },
  { header: 'stream', value: (event) => event.stream },
  { header: 'seq', value: (event) => event.seq },
  { header: 'action', value: (event) => event.action },
  { header: 'actor_type', value: (event) => event.actor.type },
  { header: 'actor_id', value: (event) => event.actor.id },
  { header: 'request_id', value: (event) => event.subject.requestId },
  { header: 'principal_id', value: (event) => event.subject.principalId },
  { header: 'scopes', value: (event) => event.subject.scopes },
  { header: 'outcome', value: (event) => event.outcome },
  { header: 'reason', value: (event) => event.reason },
  { header: 'details', value: (event) => (event.details ? canonicalJson(event.details) : undefined) },
  { header: 'prev_hash', value: (event) => event.prevHash },
  { header: 'hash', value: (event) => event.hash },
];

export async function auditCsv(
  deps: { readonly ledger: AuditLedger; readonly clock: Clock },
  caller: Principal,
  range: { readonly from: string; readonly to?: string | undefined },
): Promise<{ readonly from: string; readonly to: string; readonly csv: string }> {
  if (!mayViewAudit(caller)) {
    throw new ForbiddenError('NOT_ALLOWED', 'only access-admins and auditors can export the audit trail');
  }
  const to = range.to ?? deps.clock.now();
  if (range.from >= to) throw new ValidationError('from', 'from must be before to');
  if (Date.parse(to) - Date.parse(range.from) > MAX_EXPORT_DAYS * 86_400_000) {
    throw new ValidationError('to', `one export covers at most ${MAX_EXPORT_DAYS} days`);
  }
  const events = await deps.ledger.eventsBetween(range.from, to);
  return { from: range.from, to, csv: boundedCsv(AUDIT_COLUMNS, events) };
}
