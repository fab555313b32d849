// PATCH /datasets/{id}: an access-admin sets a dataset's owners and its limit of concurrent holders.
import { coreDependencies } from '../../commons/core-dependencies.ts';
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';
import { jsonBody, pathParameter, verifiedPrincipalId } from '../../http/request.ts';
import { datasetPatchBody } from '../../http/schemas/update-dataset.ts';
import { datasetView } from '../../http/views.ts';
import { principalOf } from '../../use-cases/context.ts';
import { updateDataset } from '../../use-cases/update-dataset.ts';

export const handler = httpHandler(async (event) => {
  const deps = coreDependencies();
  const caller = await principalOf(deps, verifiedPrincipalId(event));
  const patch = jsonBody(event, datasetPatchBody);
  const { dataset, changed } = await updateDataset(deps, caller, pathParameter(event, 'id'), patch);
  const names = new Map((await deps.directory.listPrincipals()).map((who) => [who.id, who.name]));
  return jsonResponse(200, { dataset: datasetView(dataset, names), changed });
});
