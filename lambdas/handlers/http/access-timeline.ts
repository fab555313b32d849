// GET /access/timeline?from=&to=: grant intervals per scope over a window, and external admins over time.
import { auditDependencies } from '../../commons/audit-dependencies.ts';
import { coreDependencies } from '../../commons/core-dependencies.ts';
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';
import { queryOf, verifiedPrincipalId } from '../../http/request.ts';
import { accessTimelineQuery } from '../../http/schemas/access-timeline.ts';
import { accessTimelineOf } from '../../use-cases/access-timeline.ts';
import { principalOf } from '../../use-cases/context.ts';

export const handler = httpHandler(async (event) => {
  const deps = coreDependencies();
  const caller = await principalOf(deps, verifiedPrincipalId(event));
  const query = queryOf(event, accessTimelineQuery);
  return jsonResponse(200, await accessTimelineOf({ ...deps, ...auditDependencies() }, caller, query));
});
