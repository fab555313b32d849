// POST /requests/{id}/cancel: the requester withdraws a pending request.
import { queueingDependencies } from '../../commons/queueing-dependencies.ts';
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';
import { pathParameter, verifiedPrincipalId } from '../../http/request.ts';
import { requestView } from '../../http/views.ts';
import { cancelAccessRequest } from '../../use-cases/cancel-request.ts';
import { principalOf } from '../../use-cases/context.ts';

export const handler = httpHandler(async (event) => {
  const deps = queueingDependencies();
  const caller = await principalOf(deps, verifiedPrincipalId(event));
  const request = await cancelAccessRequest(deps, caller, pathParameter(event, 'id'));
  return jsonResponse(200, requestView(request));
});
