// POST /requests/{id}/reviews: a director keeps or revokes a grant due for recertification (202 while a revocation
// is pending on the platform).
import { provisioningDependencies } from '../../commons/provisioning-dependencies.ts';
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';
import { jsonBody, pathParameter, verifiedPrincipalId } from '../../http/request.ts';
import { reviewBody } from '../../http/schemas/review-request.ts';
import { requestView } from '../../http/views.ts';
import { principalOf } from '../../use-cases/context.ts';
import { reviewThroughConsole } from '../../use-cases/review-request.ts';

export const handler = httpHandler(async (event) => {
  const deps = provisioningDependencies();
  const reviewer = await principalOf(deps, verifiedPrincipalId(event));
  const requestId = pathParameter(event, 'id');
  const answer = jsonBody(event, reviewBody);
  const request = await reviewThroughConsole(deps, reviewer, requestId, answer);
  if (answer.decision === 'revoke' && request.status === 'ACTIVE') {
    const message = 'removal on the platform failed; the revocation is pending and retried until it succeeds';
    return jsonResponse(202, { ...requestView(request), message });
  }
  return jsonResponse(200, requestView(request));
});
