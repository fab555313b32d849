// GET /requests/{id}: one request, for those allowed to see it.
import { coreDependencies } from '../../commons/core-dependencies.ts';
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';
import { pathParameter, verifiedPrincipalId } from '../../http/request.ts';
import { requestView } from '../../http/views.ts';
import { principalOf } from '../../use-cases/context.ts';
import { visibleRequest } from '../../use-cases/view-requests.ts';

export const handler = httpHandler(async (event) => {
  const deps = coreDependencies();
  const caller = await principalOf(deps, verifiedPrincipalId(event));
  const request = await visibleRequest(deps, caller, pathParameter(event, 'id'));
  return jsonResponse(200, requestView(request));
});
