// POST /requests/{id}/decisions: an approver approves or denies through the API.
import { queueingDependencies } from '../../commons/queueing-dependencies.ts';
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';
import { jsonBody, pathParameter, verifiedPrincipalId } from '../../http/request.ts';
import { decisionBody } from '../../http/schemas/decide-request.ts';
import { requestView } from '../../http/views.ts';
import { principalOf } from '../../use-cases/context.ts';
import { decideOnRequest } from '../../use-cases/decide-request.ts';

export const handler = httpHandler(async (event) => {
  const deps = queueingDependencies();
  const approver = await principalOf(deps, verifiedPrincipalId(event));
  const requestId = pathParameter(event, 'id');
  const body = jsonBody(event, decisionBody);
  const request = await decideOnRequest(deps, { requestId, approver, ...body, channel: 'api' });
  return jsonResponse(200, requestView(request));
});
