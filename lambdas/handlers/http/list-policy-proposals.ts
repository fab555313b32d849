// GET /policy/proposals: every policy proposal, newest first (access-admins and directors).
import { coreDependencies } from '../../commons/core-dependencies.ts';
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';
import { verifiedPrincipalId } from '../../http/request.ts';
import { principalOf } from '../../use-cases/context.ts';
import { listPolicyProposals, policyDependenciesOf } from '../../use-cases/policy-changes.ts';

export const handler = httpHandler(async (event) => {
  const deps = coreDependencies();
  const caller = await principalOf(deps, verifiedPrincipalId(event));
  return jsonResponse(200, { proposals: await listPolicyProposals(policyDependenciesOf(deps), caller) });
});
