// GET /principals: the directory, for access-admins and auditors.
import { coreDependencies } from '../../commons/core-dependencies.ts';
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';
import { verifiedPrincipalId } from '../../http/request.ts';
import { principalView } from '../../http/views.ts';
import { principalOf } from '../../use-cases/context.ts';
import { directoryFor } from '../../use-cases/view-access.ts';

export const handler = httpHandler(async (event) => {
  const deps = coreDependencies();
  const caller = await principalOf(deps, verifiedPrincipalId(event));
  const principals = await directoryFor(deps, caller);
  return jsonResponse(200, { principals: principals.map(principalView) });
});
