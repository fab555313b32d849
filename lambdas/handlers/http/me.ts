// GET /me: the caller, what they may do, and the policy's request limits.
import { dependencies } from '../../commons/dependencies.ts';
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';
import { verifiedPrincipalId } from '../../http/request.ts';
import { principalOf } from '../../use-cases/context.ts';
import { whoAmI } from '../../use-cases/view-me.ts';

export const handler = httpHandler(async (event) => {
  const deps = dependencies();
  const caller = await principalOf(deps, verifiedPrincipalId(event));
  return jsonResponse(200, whoAmI(deps, caller));
});
