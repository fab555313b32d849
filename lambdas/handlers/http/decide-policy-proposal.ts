// POST /policy/proposals/{id}/decisions: another access-admin or a director approves or denies a proposal; an
// approval makes the next policy version, atomically with its events on the POLICY stream.
import { coreDependencies } from '../../commons/core-dependencies.ts';
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';
import { jsonBody, pathParameter, verifiedPrincipalId } from '../../http/request.ts';
import { policyDecisionBody } from '../../http/schemas/decide-policy-proposal.ts';
import { principalOf } from '../../use-cases/context.ts';
import { decideChange, policyDependenciesOf } from '../../use-cases/policy-changes.ts';

export const handler = httpHandler(async (event) => {
  const deps = coreDependencies();
  const caller = await principalOf(deps, verifiedPrincipalId(event));
  const body = jsonBody(event, policyDecisionBody);
  const proposalId = pathParameter(event, 'id');
  return jsonResponse(200, await decideChange(policyDependenciesOf(deps), caller, { proposalId, ...body }));
});
