// GET and POST /review/{token}: the emailed recertification link. GET only shows; POST keeps or revokes.
import { provisioningDependencies } from '../../commons/provisioning-dependencies.ts';
import { httpHandler } from '../../http/handler.ts';
import { formBody, pathParameter } from '../../http/request.ts';
import { reviewForm } from '../../http/schemas/review-page.ts';
import { reviewErrorPage, reviewPage, reviewRecordedPage } from '../../presentation/review-page.ts';
import { decideByReviewLink, openReviewLink } from '../../use-cases/review-link.ts';

export const handler = httpHandler(async (event) => {
  const deps = provisioningDependencies();
  const token = pathParameter(event, 'token');
  if (event.requestContext.http.method === 'GET') {
    return reviewPage(await openReviewLink(deps, token));
  }
  const { decision, comment } = formBody(event, reviewForm);
  const request = await decideByReviewLink(deps, token, decision, comment);
  return reviewRecordedPage(request, decision);
}, reviewErrorPage);
