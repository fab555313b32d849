// POST /requests/{id}/extend: the holder asks for more time; access carries on while approvers decide.
import { queueingDependencies } from '../../commons/queueing-dependencies.ts';
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';
import { jsonBody, pathParameter, verifiedPrincipalId } from '../../http/request.ts';
import { extendBody } from '../../http/schemas/extend-request.ts';
import { requestView } from '../../http/views.ts';
import { principalOf } from '../../use-cases/context.ts';
import { extendAccess } from '../../use-cases/extend-request.ts';

export const handler = httpHandler(async (event) => {
  const deps = queueingDependencies();
  const caller = await principalOf(deps, verifiedPrincipalId(event));
  const input = jsonBody(event, extendBody);
  const request = await extendAccess(deps, caller, pathParameter(event, 'id'), input);
  return jsonResponse(200, requestView(request));
});
