// POST /requests/{id}/break-glass-reviews: a director records whether break-glass access was justified.
import { coreDependencies } from '../../commons/core-dependencies.ts';
import { jsonResponse } from '../../http/errors.ts';
import { httpHandler } from '../../http/handler.ts';
import { jsonBody, pathParameter, verifiedPrincipalId } from '../../http/request.ts';
import { breakGlassReviewBody } from '../../http/schemas/review-break-glass.ts';
import { requestView } from '../../http/views.ts';
import { reviewBreakGlassAccess } from '../../use-cases/break-glass.ts';
import { principalOf } from '../../use-cases/context.ts';

export const handler = httpHandler(async (event) => {
  const deps = coreDependencies();
  const reviewer = await principalOf(deps, verifiedPrincipalId(event));
  const answer = jsonBody(event, breakGlassReviewBody);
  const request = await reviewBreakGlassAccess(deps, reviewer, pathParameter(event, 'id'), answer);
  return jsonResponse(200, requestView(request));
});
