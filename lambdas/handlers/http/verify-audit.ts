// GET /audit/verify: walk every hash chain, compare each stream with its recorded head and the latest anchor.
import { auditDependencies } from '../../commons/audit-dependencies.ts';
import { coreDependencies } from '../../commons/core-dependencies.ts';
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';
import { queryOf, verifiedPrincipalId } from '../../http/request.ts';
import { emptyQuery } from '../../http/schemas/verify-audit.ts';
import { principalOf } from '../../use-cases/context.ts';
import { verifyAuditFor } from '../../use-cases/verify-audit.ts';

export const handler = httpHandler(async (event) => {
  const deps = coreDependencies();
  const caller = await principalOf(deps, verifiedPrincipalId(event));
  queryOf(event, emptyQuery);
  return jsonResponse(200, await verifyAuditFor({ ...auditDependencies(), clock: deps.clock }, caller));
});
