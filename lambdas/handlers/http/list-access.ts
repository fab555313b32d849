// GET /access: who holds which access right now.
import { dependencies } from '../../commons/dependencies.ts';
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';
import { queryOf, verifiedSubject } from '../../http/request.ts';
import { emptyQuery } from '../../http/schemas.ts';
import { principalOf } from '../../use-cases/context.ts';
import { whoHasAccess } from '../../use-cases/view-access.ts';

export const handler = httpHandler(async (event) => {
  const deps = dependencies();
  const caller = await principalOf(deps, verifiedSubject(event));
  queryOf(event, emptyQuery);
  const access = await whoHasAccess(deps, caller);
  return jsonResponse(200, { at: deps.clock.now(), access });
});
