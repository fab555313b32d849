// GET /me: the caller, what they may do, and the policy's request limits.
import { coreDependencies } from '../../commons/core-dependencies.ts';
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';
import { verifiedPrincipalId } from '../../http/request.ts';
import { principalOf } from '../../use-cases/context.ts';
import { whoAmI } from '../../use-cases/view-me.ts';

export const handler = httpHandler(async (event) => {
  const deps = coreDependencies();
  const caller = await principalOf(deps, verifiedPrincipalId(event));
  return jsonResponse(200, await whoAmI(deps, caller));
});
