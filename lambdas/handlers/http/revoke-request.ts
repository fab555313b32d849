// POST /requests/{id}/revoke: access ends now, with a reason (202 while the platform's removal is pending).
import { provisioningDependencies } from '../../commons/provisioning-dependencies.ts';
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';
import { jsonBody, pathParameter, verifiedPrincipalId } from '../../http/request.ts';
import { revokeBody } from '../../http/schemas/revoke-request.ts';
import { requestView } from '../../http/views.ts';
import { principalOf } from '../../use-cases/context.ts';
import { revokeAccess } from '../../use-cases/revoke-request.ts';

export const handler = httpHandler(async (event) => {
  const deps = provisioningDependencies();
  const caller = await principalOf(deps, verifiedPrincipalId(event));
  const requestId = pathParameter(event, 'id');
  const { reason } = jsonBody(event, revokeBody);
  const request = await revokeAccess(deps, caller, requestId, reason);
  // Still ACTIVE: the platform has not removed the access yet; the revocation is recorded and retried.
  if (request.status === 'ACTIVE') {
    const message = 'removal on the platform failed; the revocation is pending and retried until it succeeds';
    return jsonResponse(202, { ...requestView(request), message });
  }
  return jsonResponse(200, requestView(request));
});
