// An access-admin's change to a catalogue entry (owners, maxConcurrentHolders): validated, and its audit event.
import type { AuditEventDraft } from './audit.ts';
import { groupOwner, ownerGroupOf } from './dataset-owners.ts';
import { mayChangeDirectory } from './directory-changes.ts';
import { ForbiddenError, ValidationError } from './errors.ts';
import type { Dataset, Principal } from './model.ts';

export interface DatasetPatch {
  /** Principal ids, or `group:<display name>` for the members of a SCIM group; [] removes every owner. */
  readonly owners?: readonly string[] | undefined;
  /** null removes the limit. */
  readonly maxConcurrentHolders?: number | null | undefined;
}

export interface DatasetChange {
  readonly dataset: Dataset;
  readonly changed: readonly string[];
  /** Undefined when nothing changed (a retried PATCH): nothing is written, nothing audited. */
  readonly event?: AuditEventDraft | undefined;
}

const sameOwners = (a: readonly string[] | undefined, b: readonly string[] | undefined) =>
  (a ?? []).length === (b ?? []).length && (a ?? []).every((id, index) => b?.[index] === id);

export function planDatasetChange(args: {
  readonly caller: Principal;
  readonly dataset: Dataset;
  readonly patch: DatasetPatch;
  readonly directory: ReadonlyMap<string, Principal>;
  /** The display names of the SCIM groups provisioned now: a `group:` owner must name one of them. */
  readonly groups: readonly string[];
  readonly now: string;
}): DatasetChange {
  const { caller, dataset, patch, directory, groups, now } = args;
  if (!mayChangeDirectory(caller)) {
    throw new ForbiddenError('NOT_ALLOWED', `only access-admins can change dataset owners and limits`);
  }
  let next: Dataset = dataset;
  const changed: string[] = [];
  if (patch.owners !== undefined) {
    const owners = [
      ...new Set(patch.owners.map((owner, index) => knownOwner(owner, index, directory, groups))),
    ].sort();
    if (!sameOwners(owners, dataset.owners)) {
      next = { ...next, owners: owners.length > 0 ? owners : undefined };
      changed.push('owners');
    }
  }
  if (patch.maxConcurrentHolders !== undefined) {
    const limit = patch.maxConcurrentHolders ?? undefined;
    if (limit !== dataset.maxConcurrentHolders) {
      next = { ...next, maxConcurrentHolders: limit };
      changed.push('maxConcurrentHolders');
    }
  }
  if (changed.length === 0) return { dataset, changed };
  const details: Record<string, string | number | readonly string[]> = { changed };
  if (changed.includes('owners')) details.owners = next.owners ?? [];
  if (changed.includes('maxConcurrentHolders')) details.maxConcurrentHolders = next.maxConcurrentHolders ?? 0;
  return {
    dataset: next,
    changed,
    event: {
      action: 'DATASET_UPDATED',
      actor: { type: 'principal', id: caller.id },
      at: now,
      subject: { requestId: '', principalId: '', scopes: [`dataset:${dataset.id}`] },
      outcome: 'success',
      details,
    },
  };
}

/**
 * An owner reference as stored: a principal in the directory and active, or `group:<name>` naming a provisioned
 * group (matched without regard to case, stored as the group is named). Refused naming `owners[i]`.
 */
function knownOwner(
  owner: string,
  index: number,
  directory: ReadonlyMap<string, Principal>,
  groups: readonly string[],
): string {
  const field = `owners[${index}]`;
  const wanted = ownerGroupOf(owner);
  if (wanted !== undefined) {
    const name = wanted.trim().toLowerCase();
    const group = groups.find((candidate) => candidate.toLowerCase() === name);
    if (name === '' || group === undefined) {
      throw new ValidationError(
        field,
        `${field} names the group ${JSON.stringify(wanted.trim())}, which the identity provider has not provisioned`,
      );
    }
    return groupOwner(group);
  }
  const principal = directory.get(owner);
  if (!principal) throw new ValidationError(field, `${field} names ${owner}, who is not in the directory`);
  if (!principal.active) throw new ValidationError(field, `${field} names ${owner}, who is not active`);
  return owner;
}
