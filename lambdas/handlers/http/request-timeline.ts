// GET /requests/{id}/timeline: what happened to the request, one plain sentence per audit event.
import { coreDependencies } from '../../commons/core-dependencies.ts';
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';
import { pathParameter, verifiedPrincipalId } from '../../http/request.ts';
import { principalOf } from '../../use-cases/context.ts';
import { requestTimeline } from '../../use-cases/request-timeline.ts';

export const handler = httpHandler(async (event) => {
  const deps = coreDependencies();
  const caller = await principalOf(deps, verifiedPrincipalId(event));
  const events = await requestTimeline(deps, caller, pathParameter(event, 'id'));
  return jsonResponse(200, { events });
});
