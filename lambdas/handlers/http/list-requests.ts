// GET /requests?status=: the caller's own requests and, for approvers, those awaiting their decision.
import { coreDependencies } from '../../commons/core-dependencies.ts';
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';
import { queryOf, verifiedPrincipalId } from '../../http/request.ts';
import { listRequestsQuery } from '../../http/schemas/list-requests.ts';
import { requestView } from '../../http/views.ts';
import { principalOf } from '../../use-cases/context.ts';
import { listVisibleRequests } from '../../use-cases/view-requests.ts';

export const handler = httpHandler(async (event) => {
  const deps = coreDependencies();
  const caller = await principalOf(deps, verifiedPrincipalId(event));
  const { status } = queryOf(event, listRequestsQuery);
  const requests = await listVisibleRequests(deps, caller, status);
  return jsonResponse(200, { requests: requests.map(requestView) });
});
