// GET /access: who holds which access right now; with ?at, ?principal or ?scope, from the recorded history.
import { auditDependencies } from '../../commons/audit-dependencies.ts';
import { coreDependencies } from '../../commons/core-dependencies.ts';
import { driftDependencies } from '../../commons/drift-dependencies.ts';
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';
import { queryOf, verifiedPrincipalId } from '../../http/request.ts';
import { accessQuery } from '../../http/schemas/list-access.ts';
import { accessHistory } from '../../use-cases/access-history.ts';
import { principalOf } from '../../use-cases/context.ts';
import { accessNow } from '../../use-cases/view-access.ts';

export const handler = httpHandler(async (event) => {
  const deps = coreDependencies();
  const caller = await principalOf(deps, verifiedPrincipalId(event));
  const query = queryOf(event, accessQuery);
  if (query.at === undefined && query.principal === undefined && query.scope === undefined) {
    const { access, outOfBand } = await accessNow({ ...deps, ...driftDependencies() }, caller);
    return jsonResponse(200, { at: deps.clock.now(), access, outOfBand, outOfBandCount: outOfBand.length });
  }
  const intervals = await accessHistory({ ...deps, ...auditDependencies() }, caller, query);
  return jsonResponse(200, { ...query, intervals });
});
