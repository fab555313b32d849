// POST /requests/{id}/revoke: access ends now, with a reason.
import { dependencies } from '../../commons/dependencies.ts';
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';
import { jsonBody, pathParameter, verifiedSubject } from '../../http/request.ts';
import { revokeBody } from '../../http/schemas.ts';
import { requestView } from '../../http/views.ts';
import { principalOf } from '../../use-cases/context.ts';
import { revokeAccess } from '../../use-cases/revoke-request.ts';

export const handler = httpHandler(async (event) => {
  const deps = dependencies();
  const caller = await principalOf(deps, verifiedSubject(event));
  const requestId = pathParameter(event, 'id');
  const { reason } = jsonBody(event, revokeBody);
  const request = await revokeAccess(deps, caller, requestId, reason);
  return jsonResponse(200, requestView(request));
});
