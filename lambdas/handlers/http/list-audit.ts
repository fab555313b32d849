// GET /audit?requestId=: one request's audit events, in order.
import { coreDependencies } from '../../commons/core-dependencies.ts';
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';
import { queryOf, verifiedPrincipalId } from '../../http/request.ts';
import { auditQuery } from '../../http/schemas/list-audit.ts';
import { principalOf } from '../../use-cases/context.ts';
import { auditTrailOf } from '../../use-cases/view-access.ts';

export const handler = httpHandler(async (event) => {
  const deps = coreDependencies();
  const caller = await principalOf(deps, verifiedPrincipalId(event));
  const { requestId } = queryOf(event, auditQuery);
  return jsonResponse(200, { events: await auditTrailOf(deps, caller, requestId) });
});
