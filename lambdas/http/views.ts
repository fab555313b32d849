// What leaves the API: stored records mapped to their public shapes (no chain heads, task tokens or hashes).
import type { Principal } from '../core/model.ts';
import type { StoredRequest } from '../core/ports.ts';

export function requestView(request: StoredRequest) {
  const { audit: _audit, taskToken: _taskToken, notified: _notified, ...view } = request;
  return view;
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
