// GET /policy?at=: the rules in force now, or at an instant (any signed-in principal: the rules are not secret).
import { coreDependencies } from '../../commons/core-dependencies.ts';
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';
import { queryOf, verifiedPrincipalId } from '../../http/request.ts';
import { policyQuery } from '../../http/schemas/get-policy.ts';
import { principalOf } from '../../use-cases/context.ts';
import { policyDependenciesOf, policyInForce } from '../../use-cases/policy-changes.ts';

export const handler = httpHandler(async (event) => {
  const deps = coreDependencies();
  await principalOf(deps, verifiedPrincipalId(event));
  const { at } = queryOf(event, policyQuery);
  return jsonResponse(200, await policyInForce(policyDependenciesOf(deps), at));
});
