// An access-admin's change to a catalogue entry (owners, maxConcurrentHolders): validated, and its audit event.
import type { AuditEventDraft } from './audit.ts';
import { mayChangeDirectory } from './directory-changes.ts';
import { ForbiddenError, ValidationError } from './errors.ts';
import type { Dataset, Principal } from './model.ts';

export interface DatasetPatch {
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
  readonly now: string;
}): DatasetChange {
  const { caller, dataset, patch, directory, now } = args;
  if (!mayChangeDirectory(caller)) {
    throw new ForbiddenError('NOT_ALLOWED', `only access-admins can change dataset owners and limits`);
  }
  let next: Dataset = dataset;
  const changed: string[] = [];
  if (patch.owners !== undefined) {
    const owners = [...new Set(patch.owners)].sort();
    for (const id of owners) {
      const owner = directory.get(id);
      if (!owner) throw new ValidationError('owners', `owners names ${id}, who is not in the directory`);
      if (!owner.active) throw new ValidationError('owners', `owners names ${id}, who is not active`);
    }
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
