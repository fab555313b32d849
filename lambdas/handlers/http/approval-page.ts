// GET and POST /approve/{token}: the emailed approval link. GET only shows; POST decides.
import { queueingDependencies } from '../../commons/queueing-dependencies.ts';
import { httpHandler } from '../../http/handler.ts';
import { formBody, pathParameter } from '../../http/request.ts';
import { approvalForm } from '../../http/schemas/approval-page.ts';
import { approvalPage, decisionRecordedPage, errorPage } from '../../presentation/approval-page.ts';
import { decideByApprovalLink, openApprovalLink } from '../../use-cases/approval-link.ts';

export const handler = httpHandler(async (event) => {
  const deps = queueingDependencies();
  const token = pathParameter(event, 'token');
  if (event.requestContext.http.method === 'GET') {
    return approvalPage(await openApprovalLink(deps, token));
  }
  const { decision, comment } = formBody(event, approvalForm);
  const request = await decideByApprovalLink(deps, token, decision, comment);
  return decisionRecordedPage(request, decision);
}, errorPage);
