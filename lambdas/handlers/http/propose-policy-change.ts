// POST /policy/proposals: an access-admin proposes a partial policy; the answer shows the diff. Nothing changes
// until another access-admin or a director approves it.
import { coreDependencies } from '../../commons/core-dependencies.ts';
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';
import { jsonBody, verifiedPrincipalId } from '../../http/request.ts';
import { policyProposalBody } from '../../http/schemas/propose-policy-change.ts';
import { principalOf } from '../../use-cases/context.ts';
import { policyDependenciesOf, proposeChange } from '../../use-cases/policy-changes.ts';

export const handler = httpHandler(async (event) => {
  const deps = coreDependencies();
  const caller = await principalOf(deps, verifiedPrincipalId(event));
  const body = jsonBody(event, policyProposalBody);
  return jsonResponse(201, await proposeChange(policyDependenciesOf(deps), caller, body));
});
