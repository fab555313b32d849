// GET /datasets: the catalogue, for any authenticated caller.
import { coreDependencies } from '../../commons/core-dependencies.ts';
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';
import { verifiedPrincipalId } from '../../http/request.ts';
import { principalOf } from '../../use-cases/context.ts';
import { catalogue } from '../../use-cases/view-access.ts';

export const handler = httpHandler(async (event) => {
  const deps = coreDependencies();
  await principalOf(deps, verifiedPrincipalId(event));
  return jsonResponse(200, { datasets: await catalogue(deps) });
});
