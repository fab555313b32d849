// Recertification in Slack, end to end on the local stack: when a review round opens every director with a Slack
// id gets a DM with Keep / Revoke; the clicks travel as signed interaction payloads through /slack/interactions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackMessageRecord } from '../../local/fake-slack.ts';
import { startTestStack, type TestStack, waitFor } from '../support/local-stack.ts';
import { auditOf, buttonsOf, click, seedWithMoreSlackUsers, textOf } from '../support/slack.ts';

const justification = 'Investigating a data quality incident in the admissions feed';
const DIRECTORS = ['U0DIRADA', 'U0DIRBEN', 'U0EXDCLEO'];

describe('Slack reviews on the local stack', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({
      policy: { minDuration: 'PT1S', review: { admin: 'PT2S', dataset: 'PT2S', grace: 'PT60S' } },
      sweepIntervalMs: 0,
      seedFile: seedWithMoreSlackUsers(),
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** An ACTIVE grant whose review round is open (its review falls due 2 s after the grant). */
  async function reviewedGrant(requester: string, dataset: string) {
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
    const grant = await stack.waitForStatus(created.body.id, 'ACTIVE');
    await waitFor(async () => {
      const report = await stack.call('POST', '/dev/sweep');
      return report.body.reviewsPrompted.includes(grant.id) || undefined;
    }, `a review prompt for ${grant.id}`);
    await waitFor(() => reviewPromptsOf(grant.id).length === 3 || undefined, 'three review DMs');
    // The notifier audits the round's deliveries once it has sent them all.
    await stack.noticeQueue.drained();
    return grant;
  }

  function reviewPromptsOf(requestId: string): SlackMessageRecord[] {
    return stack.channels.slack
      .messages()
      .filter(
        (message) => message.text.startsWith('Review needed') && message.text.includes(`[${requestId}]`),
      );
  }

  function reviewPromptTo(requestId: string, slackUserId: string): SlackMessageRecord {
    const prompt = reviewPromptsOf(requestId).find((message) => message.user === slackUserId);
    if (!prompt) throw new Error(`no review prompt for ${requestId} to ${slackUserId}`);
    return prompt;
  }

  it('DMs every director Keep / Revoke; a non-director changes nothing; Keep moves nextReviewAt once', async () => {
    // Prepare
    const grant = await reviewedGrant('ext-kim', 'hes-apc');
    const ada = reviewPromptTo(grant.id, 'U0DIRADA');
    const before = await auditOf(stack, grant.id);

    // Act: a manager (in the directory, not a director) clicks Keep and Revoke on Ada's prompt
    const managerKeep = await click(stack, { ts: ada.ts, slackUserId: 'U0MGRDAN', action: 'keep' });
    const managerRevoke = await click(stack, {
      ts: ada.ts,
      slackUserId: 'U0MGRDAN',
      action: 'revoke',
      reason: 'no',
    });
    const untouched = await stack.call('GET', `/requests/${grant.id}`, { as: 'adm-eve' });
    const auditUntouched = await auditOf(stack, grant.id);
    // Act: Ada keeps, and Slack retries the same delivery twice
    const kept = await click(stack, { ts: ada.ts, slackUserId: 'U0DIRADA', action: 'keep', retries: 2 });
    const after = await stack.call('GET', `/requests/${grant.id}`, { as: 'adm-eve' });

    // Assess: the DMs
    expect(
      reviewPromptsOf(grant.id)
        .map((message) => message.user)
        .sort(),
    ).toEqual(DIRECTORS);
    expect(buttonsOf(ada)).toEqual(['keep', 'revoke']);
    expect(textOf(ada)).not.toContain('dataset:');
    for (const fact of [
      'Kim',
      'Hospital Episode Statistics — Admitted Patient Care (identifiable)',
      justification,
      'Answer by',
    ])
      expect(textOf(ada)).toContain(fact);
    const sent = before.filter(
      (event) =>
        event.action === 'NOTIFICATION_SENT' &&
        event.details.kind === 'review-prompt' &&
        event.details.channel === 'slack',
    );
    expect(sent.map((event) => event.details.recipient).sort()).toEqual(['dir-ada', 'dir-ben', 'exd-cleo']);
    // Assess: the manager was told why, no dialog opened, nothing changed
    for (const answer of [managerKeep, managerRevoke]) expect(answer.body.steps[0].status).toBe(200);
    const toManager = stack.channels.slack
      .ephemerals()
      .filter((note) => note.user === 'U0MGRDAN' && note.text.includes(grant.id));
    expect(toManager).toHaveLength(2);
    expect(toManager[0]?.text).toContain('You cannot decide');
    expect(stack.channels.slack.views().some((view) => view.user === 'U0MGRDAN')).toBe(false);
    expect(untouched.body.review).toBeDefined();
    expect(untouched.body.reviews ?? []).toEqual([]);
    expect(auditUntouched).toEqual(before);
    // Assess: Ada's Keep counted once, moved the review on, and her prompt lost its buttons
    expect(kept.body.steps).toHaveLength(3);
    expect(kept.body.steps.every((step: { status: number }) => step.status === 200)).toBe(true);
    expect(after.body.status).toBe('ACTIVE');
    expect(after.body.review).toBeUndefined();
    expect(after.body.reviews).toEqual([
      expect.objectContaining({ reviewerId: 'dir-ada', decision: 'keep', channel: 'slack' }),
    ]);
    expect(after.body.grant.nextReviewAt > grant.grant.nextReviewAt).toBe(true);
    const actions = (await auditOf(stack, grant.id)).map((event) => event.action);
    expect(actions.filter((action) => action === 'REVIEW_KEPT')).toHaveLength(1);
    const repeats = stack.channels.slack
      .ephemerals()
      .filter((note) => note.user === 'U0DIRADA' && note.text.includes(grant.id));
    expect(repeats).toHaveLength(2);
    expect(repeats.every((note) => note.text.includes('No review'))).toBe(true);
    await waitFor(() => buttonsOf(reviewPromptTo(grant.id, 'U0DIRADA')).length === 0, 'Keep redrawn');
    expect(textOf(reviewPromptTo(grant.id, 'U0DIRADA'))).toContain('Kept');
  });

  it('Revoke opens the reason dialog; an empty reason is refused; its submission revokes with the comment', async () => {
    // Prepare
    const grant = await reviewedGrant('ext-lee', 'gp-records');
    const ts = reviewPromptTo(grant.id, 'U0EXDCLEO').ts;

    // Act
    const empty = await click(stack, { ts, slackUserId: 'U0EXDCLEO', action: 'revoke', reason: '  ' });
    const stillActive = await stack.call('GET', `/requests/${grant.id}`, { as: 'adm-eve' });
    const revoked = await click(stack, {
      ts,
      slackUserId: 'U0EXDCLEO',
      action: 'revoke',
      reason: 'The incident is closed',
    });
    const after = await stack.call('GET', `/requests/${grant.id}`, { as: 'adm-eve' });

    // Assess
    expect(empty.body.steps.map((step: { payloadType: string }) => step.payloadType)).toEqual([
      'block_actions',
      'view_submission',
    ]);
    expect(JSON.parse(empty.body.steps[1].body)).toMatchObject({ response_action: 'errors' });
    expect(stillActive.body.status).toBe('ACTIVE');
    const dialog = stack.channels.slack.views().find((view) => view.user === 'U0EXDCLEO');
    expect(dialog?.view).toMatchObject({ callback_id: 'keyholder_revoke' });
    expect(revoked.body.steps.every((step: { status: number; body: string }) => step.status === 200)).toBe(
      true,
    );
    expect(revoked.body.steps[1].body).toBe('');
    expect(after.body).toMatchObject({ status: 'REVOKED', reason: 'REVIEW_REVOKED', closedBy: 'exd-cleo' });
    expect(after.body.reviews).toEqual([
      expect.objectContaining({
        reviewerId: 'exd-cleo',
        decision: 'revoke',
        channel: 'slack',
        comment: 'The incident is closed',
      }),
    ]);
    const revokedEvent = (await auditOf(stack, grant.id)).find((event) => event.action === 'GRANT_REVOKED');
    expect(revokedEvent).toMatchObject({
      actor: { type: 'principal', id: 'exd-cleo' },
      reason: 'REVIEW_REVOKED',
      details: { channel: 'slack', comment: 'The incident is closed' },
    });
    await waitFor(() => buttonsOf(reviewPromptTo(grant.id, 'U0EXDCLEO')).length === 0, 'Revoke redrawn');
    expect(textOf(reviewPromptTo(grant.id, 'U0EXDCLEO'))).toContain('Revoked');
    // A click on another director's still-drawn prompt after the round closed is explained, not recorded.
    const late = await click(stack, {
      ts: reviewPromptTo(grant.id, 'U0DIRBEN').ts,
      slackUserId: 'U0DIRBEN',
      action: 'keep',
    });
    expect(late.body.steps[0].status).toBe(200);
    const note = stack.channels.slack
      .ephemerals()
      .find((entry) => entry.user === 'U0DIRBEN' && entry.text.includes(grant.id));
    expect(note?.text).toContain('closed');
  });
});
