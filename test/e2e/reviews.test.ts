// Recertification end to end on the local stack, with reviews due every 2 s and 3 s of grace: the sweep prompts
// every eligible director with a single-use link; Keep moves the review on, Revoke and silence end access.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executionArnOf } from '../../lambdas/adapters/step-functions-workflow.ts';
import { dependencies } from '../../lambdas/commons/dependencies.ts';
import { ConflictError } from '../../lambdas/core/errors.ts';
import { decideReview } from '../../lambdas/use-cases/review-decision.ts';
import { startTestStack, type TestStack, waitFor } from '../support/local-stack.ts';

const justification = 'Investigating a data quality incident in the admissions feed';
const DIRECTORS = ['dir-ada@nhse.example', 'dir-ben@nhse.example', 'exd-cleo@nhse.example'];

describe('reviews on the local stack', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({
      policy: { minDuration: 'PT1S', review: { admin: 'PT2S', dataset: 'PT2S', grace: 'PT3S' } },
      sweepIntervalMs: 0,
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function activeGrant(requester: string, dataset: string) {
    const created = await stack.call('POST', '/requests', {
      as: requester,
      body: { scopes: [`dataset:${dataset}`], justification, duration: 'PT5M' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await waitFor(
      () => stack.approvalLinks('dir-ada', created.body.id).length > 0 || undefined,
      'approval prompt',
    );
    await stack.call('POST', `/requests/${created.body.id}/decisions`, {
      as: 'dir-ada',
      body: { decision: 'approve' },
    });
    return await stack.waitForStatus(created.body.id, 'ACTIVE');
  }

  async function sweepNow() {
    const answer = await stack.call('POST', '/dev/sweep');
    expect(answer.status).toBe(200);
    return answer.body;
  }

  /**
   * Sweeps until the request's review round is open (its review falls due 2 s after the grant), then waits for the
   * notifier to deliver the round's prompts (the sweep only records them as due and hands them to the queue).
   */
  async function promptedReview(requestId: string) {
    const report = await waitFor(async () => {
      const answer = await sweepNow();
      return answer.reviewsPrompted.includes(requestId) ? answer : undefined;
    }, `a review prompt for ${requestId}`);
    await stack.noticeQueue.drained();
    return report;
  }

  function reviewLinks(requestId: string): Map<string, string> {
    const links = new Map<string, string>();
    for (const message of stack.mailbox.messages()) {
      if (!message.subject.startsWith('Review needed') || !message.subject.includes(requestId)) continue;
      const link = /(https?:\/\/\S+\/review\/[A-Za-z0-9_-]+)/.exec(message.text)?.[1];
      if (link) links.set(message.to, link);
    }
    return links;
  }

  async function postForm(link: string, form: Record<string, string>) {
    return fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }

  async function actionsOf(requestId: string): Promise<string[]> {
    const audit = await stack.call('GET', `/audit?requestId=${requestId}`, { as: 'aud-fay' });
    return audit.body.events.map((event: { action: string }) => event.action);
  }

  it('Keep: every eligible director is prompted; GET decides nothing; POST keeps and moves nextReviewAt on', async () => {
    // Prepare
    const grant = await activeGrant('ext-kim', 'hes-apc');

    // Act
    await promptedReview(grant.id);
    const prompted = await stack.call('GET', `/requests/${grant.id}`, { as: 'adm-eve' });
    const links = reviewLinks(grant.id);
    const link = links.get('dir-ben@nhse.example') as string;
    const page = await fetch(link);
    const pageText = await page.text();
    const stillOpen = await stack.call('GET', `/requests/${grant.id}`, { as: 'adm-eve' });
    const kept = await postForm(link, { decision: 'keep', comment: 'Still investigating' });
    const keptText = await kept.text();
    const reused = await postForm(link, { decision: 'revoke', comment: 'second try' });
    const after = await stack.call('GET', `/requests/${grant.id}`, { as: 'adm-eve' });

    // Assess
    expect([...links.keys()].sort()).toEqual(DIRECTORS);
    expect(prompted.body.review).toMatchObject({
      dueAt: grant.grant.nextReviewAt,
      reviewers: ['dir-ada', 'dir-ben', 'exd-cleo'],
    });
    expect(page.status).toBe(200);
    expect(pageText).toContain('Keep');
    expect(pageText).toContain('Revoke');
    expect(stillOpen.body.review).toBeDefined();
    expect(kept.status).toBe(200);
    expect(keptText).toContain('Review recorded');
    expect(reused.status).toBe(410);
    expect(after.body.status).toBe('ACTIVE');
    expect(after.body.review).toBeUndefined();
    expect(after.body.reviews).toEqual([
      expect.objectContaining({ reviewerId: 'dir-ben', decision: 'keep', channel: 'email-link' }),
    ]);
    const expectedNext = new Date(Date.parse(grant.grant.nextReviewAt) + 2000).toISOString();
    expect(after.body.grant.nextReviewAt >= expectedNext).toBe(true);
    const actions = await actionsOf(grant.id);
    expect(actions).toContain('REVIEW_REQUESTED');
    expect(actions.at(-1)).toBe('REVIEW_KEPT');
    expect(actions.filter((action) => action === 'NOTIFICATION_SENT').length).toBeGreaterThanOrEqual(4);
  });

  it('Revoke: the director revokes with a comment; access ends now and the workflow stops', async () => {
    // Prepare
    const grant = await activeGrant('ext-lee', 'gp-records');
    await promptedReview(grant.id);
    const link = reviewLinks(grant.id).get('exd-cleo@nhse.example') as string;

    // Act
    const refused = await postForm(link, { decision: 'revoke' });
    const revoked = await postForm(link, { decision: 'revoke', comment: 'The incident is closed' });
    const after = await stack.call('GET', `/requests/${grant.id}`, { as: 'adm-eve' });
    const access = await stack.call('GET', '/access', { as: 'aud-fay' });
    const execution = await stack.stepFunctions.waitForExecution(
      executionArnOf(stack.stateMachineArn, grant.id),
    );

    // Assess
    expect(refused.status).toBe(400);
    expect(revoked.status).toBe(200);
    expect(after.body).toMatchObject({ status: 'REVOKED', reason: 'REVIEW_REVOKED', closedBy: 'exd-cleo' });
    expect(access.body.access.map((entry: { requestId: string }) => entry.requestId)).not.toContain(grant.id);
    expect(execution.status).toBe('ABORTED');
    const audit = await stack.call('GET', `/audit?requestId=${grant.id}`, { as: 'aud-fay' });
    expect(
      audit.body.events.find((event: { action: string }) => event.action === 'GRANT_REVOKED'),
    ).toMatchObject({
      actor: { type: 'principal', id: 'exd-cleo' },
      reason: 'REVIEW_REVOKED',
      details: { channel: 'email-link', comment: 'The incident is closed' },
    });
  });

  it('no answer: the grace period runs out and the sweep revokes with REVIEW_OVERDUE; the links die', async () => {
    // Prepare
    const grant = await activeGrant('ext-max', 'hes-apc');
    await promptedReview(grant.id);
    const link = reviewLinks(grant.id).get('dir-ada@nhse.example') as string;

    // Act
    const report = await waitFor(async () => {
      const answer = await sweepNow();
      return answer.reviewOverdue.includes(grant.id) ? answer : undefined;
    }, 'the overdue revoke');
    const after = await stack.call('GET', `/requests/${grant.id}`, { as: 'adm-eve' });
    const late = await fetch(link);

    // Assess
    expect(report.reviewOverdue).toEqual([grant.id]);
    expect(after.body).toMatchObject({ status: 'REVOKED', reason: 'REVIEW_OVERDUE', closedBy: 'sweep' });
    expect(late.status).toBe(410);
    const actions = await actionsOf(grant.id);
    expect(actions.filter((action) => action === 'GRANT_REVOKED')).toHaveLength(1);
  });

  it('decideReview serves other channels (Slack): one answer counts, a repeated click changes nothing', async () => {
    // Prepare
    const grant = await activeGrant('ext-ned', 'gp-records');
    await promptedReview(grant.id);
    const deps = dependencies();
    const reviewer = await deps.directory.getPrincipal('dir-ada');
    if (!reviewer) throw new Error('dir-ada is seeded');
    const click = () =>
      decideReview(deps, {
        requestId: grant.id,
        reviewer,
        decision: 'keep',
        comment: undefined,
        channel: 'slack',
      });

    // Act
    const [first, second] = await Promise.allSettled([click(), click()]);

    // Assess
    const outcomes = [first, second].map((outcome) => outcome.status);
    expect(outcomes.sort()).toEqual(['fulfilled', 'rejected']);
    const rejection = [first, second].find(
      (outcome) => outcome.status === 'rejected',
    ) as PromiseRejectedResult;
    expect(rejection.reason).toBeInstanceOf(ConflictError);
    const after = await stack.call('GET', `/requests/${grant.id}`, { as: 'adm-eve' });
    expect(after.body.reviews).toEqual([
      expect.objectContaining({ reviewerId: 'dir-ada', channel: 'slack' }),
    ]);
    expect((await actionsOf(grant.id)).filter((action) => action === 'REVIEW_KEPT')).toHaveLength(1);
  });

  it('refuses an approval link on the review page and a review link on the approval page', async () => {
    // Prepare
    const grant = await activeGrant('ext-kim', 'cancer-registry');
    const approvalLink = stack.approvalLinks('dir-ada', grant.id)[0] as string;
    await promptedReview(grant.id);
    const reviewLink = reviewLinks(grant.id).get('dir-ada@nhse.example') as string;

    // Act
    const approvalOnReviewPage = await fetch(approvalLink.replace('/approve/', '/review/'));
    const reviewOnApprovalPage = await fetch(reviewLink.replace('/review/', '/approve/'));

    // Assess
    expect(approvalOnReviewPage.status).toBe(404);
    expect(reviewOnApprovalPage.status).toBe(404);
  });
});
