// What leaves the API: stored records mapped to their public shapes (no chain heads, task tokens or hashes).
import { ownerGroupOf } from '../core/dataset-owners.ts';
import type { Dataset, Principal } from '../core/model.ts';
import type { StoredRequest } from '../core/ports.ts';

export function requestView(request: StoredRequest) {
  const { audit: _audit, taskToken: _taskToken, notified: _notified, ...view } = request;
  return view;
}

/** An owner reference in words: a principal by name (their id once they left the directory), a group's members. */
export function ownerInWords(owner: string, names: ReadonlyMap<string, string>): string {
  const group = ownerGroupOf(owner);
  return group === undefined ? (names.get(owner) ?? owner) : `Members of ${group}`;
}

/** A catalogue entry with its owners in words (ownerInWords); `id` is the reference as PATCH takes it. */
export function datasetView(dataset: Dataset, names: ReadonlyMap<string, string>) {
  return {
    id: dataset.id,
    title: dataset.title,
    sensitivity: dataset.sensitivity,
    owners: (dataset.owners ?? []).map((id) => ({ id, name: ownerInWords(id, names) })),
    maxConcurrentHolders: dataset.maxConcurrentHolders,
  };
}

export function principalView(principal: Principal) {
  return {
    id: principal.id,
    name: principal.name,
    email: principal.email,
    organisation: principal.organisation,
    grade: principal.grade,
    clearance: principal.clearance,
    slackUserId: principal.slackUserId,
    roles: principal.roles,
    active: principal.active,
    approverFrom: principal.approverFrom,
    breakGlassSuspended: principal.breakGlassSuspended,
  };
}
