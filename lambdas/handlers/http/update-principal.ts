// PATCH /principals/{id}: an access-admin changes a principal; a holder who no longer stands loses access now.
import { mailProvisioningDependencies } from '../../commons/mail-provisioning-dependencies.ts';
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';
import { jsonBody, pathParameter, verifiedPrincipalId } from '../../http/request.ts';
import { principalPatchBody } from '../../http/schemas/update-principal.ts';
import { principalView } from '../../http/views.ts';
import { principalOf } from '../../use-cases/context.ts';
import { updatePrincipal } from '../../use-cases/update-principal.ts';

export const handler = httpHandler(async (event) => {
  const deps = mailProvisioningDependencies();
  const caller = await principalOf(deps, verifiedPrincipalId(event));
  const patch = jsonBody(event, principalPatchBody);
  const result = await updatePrincipal(deps, caller, pathParameter(event, 'id'), patch);
  return jsonResponse(200, { ...result, principal: principalView(result.principal) });
});
