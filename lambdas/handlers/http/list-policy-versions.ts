// GET /policy/versions: every policy version, oldest first (any signed-in principal).
import { coreDependencies } from '../../commons/core-dependencies.ts';
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';
import { verifiedPrincipalId } from '../../http/request.ts';
import { principalOf } from '../../use-cases/context.ts';
import { policyDependenciesOf, policyVersions } from '../../use-cases/policy-changes.ts';

export const handler = httpHandler(async (event) => {
  const deps = coreDependencies();
  await principalOf(deps, verifiedPrincipalId(event));
  return jsonResponse(200, { versions: await policyVersions(policyDependenciesOf(deps)) });
});
