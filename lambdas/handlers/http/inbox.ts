// GET /inbox: what waits for the calling director to decide (requests, extensions, reviews), soonest due first.
import { coreDependencies } from '../../commons/core-dependencies.ts';
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';
import { verifiedPrincipalId } from '../../http/request.ts';
import { requestView } from '../../http/views.ts';
import { principalOf } from '../../use-cases/context.ts';
import { inboxOf } from '../../use-cases/inbox.ts';

export const handler = httpHandler(async (event) => {
  const deps = coreDependencies();
  const caller = await principalOf(deps, verifiedPrincipalId(event));
  const items = await inboxOf(deps, caller);
  return jsonResponse(200, {
    items: items.map((item) => ({ ...item, request: requestView(item.request) })),
  });
});
