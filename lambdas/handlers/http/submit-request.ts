// POST /requests: a principal asks for access.
import { coreDependencies } from '../../commons/core-dependencies.ts';
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';
import { jsonBody, verifiedPrincipalId } from '../../http/request.ts';
import { submitRequestBody } from '../../http/schemas/submit-request.ts';
import { requestView } from '../../http/views.ts';
import { principalOf } from '../../use-cases/context.ts';
import { submitAccessRequest } from '../../use-cases/submit-request.ts';

export const handler = httpHandler(async (event) => {
  const deps = coreDependencies();
  const caller = await principalOf(deps, verifiedPrincipalId(event));
  const body = jsonBody(event, submitRequestBody);
  const request = await submitAccessRequest(deps, caller, body);
  return jsonResponse(201, requestView(request), { location: `/requests/${request.id}` });
});
