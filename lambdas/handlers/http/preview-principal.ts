// POST /principals/{id}/preview: what the same body on PATCH /principals/{id} would do; writes nothing.
import { coreDependencies } from '../../commons/core-dependencies.ts';
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';
import { jsonBody, pathParameter, verifiedPrincipalId } from '../../http/request.ts';
import { principalPatchBody } from '../../http/schemas/update-principal.ts';
import { principalView } from '../../http/views.ts';
import { principalOf } from '../../use-cases/context.ts';
import { previewPrincipalChange } from '../../use-cases/preview-principal.ts';

export const handler = httpHandler(async (event) => {
  const deps = coreDependencies();
  const caller = await principalOf(deps, verifiedPrincipalId(event));
  const patch = jsonBody(event, principalPatchBody);
  const plan = await previewPrincipalChange(deps, caller, pathParameter(event, 'id'), patch);
  return jsonResponse(200, {
    principal: principalView(plan.principal),
    changed: plan.changed,
    revokes: plan.revokes,
    endsPending: plan.endsPending,
    approverEligibility: {
      ...plan.approverEligibility,
      ...(plan.approverHold ? { from: plan.approverHold.at } : {}),
    },
  });
});
