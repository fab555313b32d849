// The HTML pages behind an approval link: the request with Approve / Deny, the confirmation, and errors.
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { StoredRequest } from '../core/ports.ts';
import type { ApprovalLinkView } from '../use-cases/approval-link.ts';
import { extensionFacts, extensionOutcome } from './extension-email.ts';
import { escapeHtml, factList, htmlResponse, linkErrorPage, page, recordedPage } from './html.ts';
import { requestFacts } from './request-summary.ts';

export function approvalPage(view: ApprovalLinkView): APIGatewayProxyStructuredResultV2 {
  // An ACTIVE request behind an approval link is asking for an extension: show that first.
  const facts = [
    ...(view.request.status === 'ACTIVE' ? extensionFacts(view.request) : []),
    ...requestFacts(view.request, view.requester, view.seats, view.datasets),
  ];
  const body = `<p>${escapeHtml(view.approver.name)}, please decide this request.</p>
${factList(facts)}
<form method="post">
<label for="comment">Comment (required to deny)</label>
<textarea id="comment" name="comment" maxlength="4000"></textarea>
<button class="approve" type="submit" name="decision" value="approve">Approve</button>
<button class="deny" type="submit" name="decision" value="deny">Deny</button>
</form>`;
  return htmlResponse(
    200,
    page(`Approve access for ${view.requester?.name ?? view.request.requester}?`, body),
  );
}

export function decisionRecordedPage(
  request: StoredRequest,
  decision: 'approve' | 'deny',
): APIGatewayProxyStructuredResultV2 {
  const approved = request.approvals.filter((entry) => entry.decision === 'approve').length;
  const outcome =
    request.status === 'ACTIVE'
      ? extensionOutcome(request, decision)
      : decision === 'deny'
        ? 'You denied the request. The requester will be told.'
        : request.status === 'APPROVED'
          ? 'You approved the request. It has all the approvals it needs; access will be granted if a seat is free.'
          : `You approved the request. It now has ${approved} of ${request.approvalsRequired} approvals.`;
  return recordedPage('Decision recorded', outcome, request);
}

export function errorPage(error: unknown): APIGatewayProxyStructuredResultV2 {
  return linkErrorPage(error, 'approval', 'You cannot decide this request');
}
