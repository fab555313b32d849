// The facts an approver needs about a request, as (label, value) rows for emails and pages.
import type { AccessRequest, Dataset, Principal, Scope } from '../core/model.ts';
import { datasetIdOf } from '../core/scopes.ts';
import { durationInWords, formatDate, formatDateTime } from './time-words.ts';

export interface SeatUsage {
  readonly inUse: number;
  readonly cap: number;
}

/** The catalogue by dataset id, as `catalogueOf` (lambdas/use-cases/context.ts) gives it. */
export type DatasetCatalogue = ReadonlyMap<string, Dataset>;

/**
 * A scope as people read it: `dataset:hes-apc` -> "Hospital Episode Statistics (identifiable)", `admin` -> "Admin: the whole
 * safe haven". Without a catalogue the scope is shown as stored; a dataset the catalogue lacks shows its bare id.
 */
export function scopeInWords(scope: Scope | string, datasets?: DatasetCatalogue): string {
  if (scope === 'admin') return datasets ? 'Admin: the whole safe haven' : scope;
  if (!datasets) return scope;
  const id = datasetIdOf(scope as Scope);
  if (id === undefined) return scope;
  const dataset = datasets.get(id);
  if (!dataset) return `${id} (not in the catalogue)`;
  // A title that already says its sensitivity ("A&E Attendances (aggregate)") is not told it twice.
  return dataset.title.toLowerCase().includes(dataset.sensitivity)
    ? dataset.title
    : `${dataset.title} (${dataset.sensitivity})`;
}

export function scopesInWords(scopes: readonly (Scope | string)[], datasets?: DatasetCatalogue): string {
  return scopes.map((scope) => scopeInWords(scope, datasets)).join(', ');
}

/** Who the requester is beyond their name: grade and clearance (with its expiry), for the pages. */
export function personFacts(person: Principal | undefined): Array<[string, string]> {
  if (!person) return [];
  return [
    ['Grade', person.grade],
    [
      'Clearance',
      person.clearance
        ? `${person.clearance.level}, valid until ${formatDate(person.clearance.expiresAt)}`
        : 'none',
    ],
  ];
}

export function requestFacts(
  request: AccessRequest,
  requester: Principal | undefined,
  seats?: SeatUsage,
  datasets?: DatasetCatalogue,
): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    ['Request', request.id],
    ['Requester', requester ? `${requester.name} (${requester.id}, ${requester.email})` : request.requester],
    ['Organisation', `${request.requesterOrganisation}${request.external ? ' (external)' : ''}`],
    ...(datasets ? personFacts(requester) : []),
    [request.scopes.length === 1 ? 'Scope' : 'Scopes', scopesInWords(request.scopes, datasets)],
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
