// What leaves the API: stored records mapped to their public shapes (no chain heads, task tokens or hashes).
import type { Dataset, Principal } from '../core/model.ts';
import type { StoredRequest } from '../core/ports.ts';

export function requestView(request: StoredRequest) {
  const { audit: _audit, taskToken: _taskToken, notified: _notified, ...view } = request;
  return view;
}

/** A catalogue entry with its owners by name (an owner who left the directory shows their id). */
export function datasetView(dataset: Dataset, names: ReadonlyMap<string, string>) {
  return {
    id: dataset.id,
    title: dataset.title,
    sensitivity: dataset.sensitivity,
    owners: (dataset.owners ?? []).map((id) => ({ id, name: names.get(id) ?? id })),
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
