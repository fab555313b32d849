// GET /datasets: the catalogue with each dataset's owners by name and its holder limit, for any authenticated caller.
import { coreDependencies } from '../../commons/core-dependencies.ts';
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';
import { verifiedPrincipalId } from '../../http/request.ts';
import { datasetView } from '../../http/views.ts';
import { principalOf } from '../../use-cases/context.ts';
import { catalogue } from '../../use-cases/view-access.ts';

export const handler = httpHandler(async (event) => {
  const deps = coreDependencies();
  await principalOf(deps, verifiedPrincipalId(event));
  const [datasets, principals] = await Promise.all([catalogue(deps), deps.directory.listPrincipals()]);
  const names = new Map(principals.map((who) => [who.id, who.name]));
  return jsonResponse(200, { datasets: datasets.map((dataset) => datasetView(dataset, names)) });
});
