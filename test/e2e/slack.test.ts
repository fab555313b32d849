// Deciding in Slack, end to end on the local stack: prompts posted through Keyholder's Slack client to the
// fake Slack, clicks sent as signed interaction payloads through POST /slack/interactions, messages updated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackSignature } from '../../lambdas/core/slack-signature.ts';
import { startTestStack, type TestStack, waitFor } from '../support/local-stack.ts';
import {
  auditOf,
  blockActionsBody,
  buttonsOf,
  click,
  postInteraction,
  promptsOf,
  promptTo,
  seedWithMoreSlackUsers,
  textOf,
} from '../support/slack.ts';

const justification = 'Investigating a data quality incident in the admissions feed';
const DIRECTORS = ['U0DIRADA', 'U0DIRBEN', 'U0EXDCLEO'];

describe('Slack approvals on the local stack', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({
      policy: { minDuration: 'PT1S', externalAdminCap: 3, approvalTimeout: 'PT10M' },
      seedFile: seedWithMoreSlackUsers(),
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function submit(as: string, body: Record<string, unknown>) {
    const answer = await stack.call('POST', '/requests', { as, body });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    await waitFor(async () => {
      const events = await auditOf(stack, answer.body.id);
      return events.filter((event) => event.details?.kind === 'approval-prompt').length === 3;
    }, 'three Slack prompts, audited');
    return answer.body;
  }

  it('DMs every eligible director a prompt with the facts, the cap usage and Approve / Deny', async () => {
    // Prepare / Act
    const request = await submit('ext-gus', {
      scopes: ['admin'],
      justification,
      duration: 'PT2H',
      ticket: 'CHG-77',
    });

    // Assess: one DM per director with a Slack id, none to the manager or anyone else
    const prompts = promptsOf(stack, request.id);
    expect(prompts.map((message) => message.user).sort()).toEqual(DIRECTORS);
    expect(prompts.every((message) => message.channel.startsWith('D'))).toBe(true);
    const ada = promptTo(stack, request.id, 'U0DIRADA');
    const text = textOf(ada);
    for (const fact of ['Gus', 'AcmeSoft', 'admin', '2 hours', justification, 'CHG-77']) {
      expect(text).toContain(fact);
    }
    expect(text).toContain('0 of 3 external admin seats in use');
    expect(buttonsOf(ada)).toEqual(['approve', 'deny']);
    const postCall = stack.channels.slack.calls().find((call) => call.method === 'chat.postMessage');
    expect(postCall?.args.channel).toMatch(/^U0/);
    const sent = (await auditOf(stack, request.id)).filter(
      (event) => event.action === 'NOTIFICATION_SENT' && event.details.kind === 'approval-prompt',
    );
    expect(sent.map((event) => event.details.recipient).sort()).toEqual(['dir-ada', 'dir-ben', 'exd-cleo']);

    // Act: the first director approves in Slack
    const started = Date.now();
    const first = await click(stack, { requestId: request.id, slackUserId: 'U0DIRADA', action: 'approve' });
    const elapsed = Date.now() - started;

    // Assess: acknowledged fast, recorded through the slack channel, every prompt redrawn
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.steps).toEqual([
      expect.objectContaining({ payloadType: 'block_actions', status: 200, body: '' }),
    ]);
    expect(elapsed).toBeLessThan(3000);
    const after = await stack.call('GET', `/requests/${request.id}`, { as: 'adm-eve' });
    expect(after.body).toMatchObject({
      status: 'PENDING_APPROVAL',
      approvals: [expect.objectContaining({ approverId: 'dir-ada', decision: 'approve', channel: 'slack' })],
    });
    await waitFor(
      () => buttonsOf(promptTo(stack, request.id, 'U0DIRADA')).length === 0,
      "Ada's buttons removed",
    );
    expect(textOf(promptTo(stack, request.id, 'U0DIRADA'))).toContain('You approved');
    const ben = promptTo(stack, request.id, 'U0DIRBEN');
    expect(buttonsOf(ben)).toEqual(['approve', 'deny']);
    expect(textOf(ben)).toContain('Ada Director approved');
    expect(textOf(ben)).toContain('Approvals: 1 of 2 required');
  });

  it('counts a double click and Slack retries once, and tells the repeat it was already recorded', async () => {
    // Prepare
    const request = await submit('ext-hal', { scopes: ['admin'], justification, duration: 'PT1H' });
    const ts = promptTo(stack, request.id, 'U0DIRBEN').ts;

    // Act: two clicks at once, the first also retried twice by Slack (X-Slack-Retry-Num 1 and 2)
    const [one, two] = await Promise.all([
      click(stack, { ts, slackUserId: 'U0DIRBEN', action: 'approve', retries: 2 }),
      click(stack, { ts, slackUserId: 'U0DIRBEN', action: 'approve' }),
    ]);

    // Assess: every delivery answered 200, one approval recorded, the others told so
    const steps = [...one.body.steps, ...two.body.steps];
    expect(steps).toHaveLength(4);
    expect(steps.every((step: { status: number }) => step.status === 200)).toBe(true);
    expect(
      steps
        .filter((step: { retryNum?: number }) => step.retryNum)
        .map((s: { retryNum: number }) => s.retryNum),
    ).toEqual([1, 2]);
    const stored = await stack.call('GET', `/requests/${request.id}`, { as: 'adm-eve' });
    expect(stored.body.approvals).toHaveLength(1);
    const recorded = (await auditOf(stack, request.id)).filter(
      (event) => event.action === 'APPROVAL_RECORDED',
    );
    expect(recorded).toHaveLength(1);
    const notes = stack.channels.slack
      .ephemerals()
      .filter((note) => note.user === 'U0DIRBEN' && note.text.includes(request.id));
    expect(notes).toHaveLength(3);
    expect(notes.every((note) => note.text.includes('already recorded'))).toBe(true);

    // Act: the second director approves, which approves the request
    await click(stack, {
      ts: promptTo(stack, request.id, 'U0EXDCLEO').ts,
      slackUserId: 'U0EXDCLEO',
      action: 'approve',
    });

    // Assess: granted, and no prompt has buttons left
    const active = await stack.waitForStatus(request.id, 'ACTIVE');
    expect(active.grant.approvedBy).toEqual(['dir-ben', 'exd-cleo']);
    await waitFor(
      () => promptsOf(stack, request.id).every((message) => buttonsOf(message).length === 0),
      'all buttons gone',
    );
    expect(textOf(promptTo(stack, request.id, 'U0DIRADA'))).toMatch(/Approved/);
    await stack.call('POST', `/requests/${request.id}/revoke`, {
      as: 'adm-eve',
      body: { reason: 'test over' },
    });
  });

  it('asks for the reason in a dialog on Deny, and denies with it when submitted', async () => {
    // Prepare
    const request = await submit('ext-lee', {
      scopes: ['dataset:gp-records'],
      justification,
      duration: 'PT1H',
    });

    // Act: Deny, then submit the dialog empty
    const empty = await click(stack, {
      requestId: request.id,
      slackUserId: 'U0DIRBEN',
      action: 'deny',
      reason: '',
    });

    // Assess: the dialog was opened from the click's trigger and refuses an empty reason; nothing changed
    const opened = stack.channels.slack
      .views()
      .filter((view) => JSON.stringify(view.view).includes(request.id));
    expect(opened).toHaveLength(1);
    expect(opened[0]?.user).toBe('U0DIRBEN');
    expect(empty.body.steps.map((step: { payloadType: string }) => step.payloadType)).toEqual([
      'block_actions',
      'view_submission',
    ]);
    expect(JSON.parse(empty.body.steps[1].body)).toEqual({
      response_action: 'errors',
      errors: { reason: expect.stringContaining('Say why') },
    });
    expect((await stack.call('GET', `/requests/${request.id}`, { as: 'adm-eve' })).body.status).toBe(
      'PENDING_APPROVAL',
    );

    // Act: Deny again, this time with a reason
    const denied = await click(stack, {
      requestId: request.id,
      slackUserId: 'U0DIRBEN',
      action: 'deny',
      reason: 'Use the pseudonymised extract instead',
    });

    // Assess
    expect(denied.body.steps.map((step: { status: number }) => step.status)).toEqual([200, 200]);
    const stored = await stack.waitForStatus(request.id, 'DENIED');
    expect(stored).toMatchObject({ reason: 'Use the pseudonymised extract instead', closedBy: 'dir-ben' });
    expect(stored.approvals[0]).toMatchObject({ channel: 'slack', decision: 'deny' });
    await waitFor(
      () => promptsOf(stack, request.id).every((message) => buttonsOf(message).length === 0),
      'buttons gone after the deny',
    );
    expect(textOf(promptTo(stack, request.id, 'U0DIRADA'))).toContain('Denied');
    expect(textOf(promptTo(stack, request.id, 'U0DIRADA'))).toContain(
      'Use the pseudonymised extract instead',
    );
  });

  it('tells an unknown or ineligible Slack user why, and changes nothing', async () => {
    // Prepare
    const request = await submit('ext-max', { scopes: ['dataset:hes-apc'], justification, duration: 'PT1H' });
    const ts = promptTo(stack, request.id, 'U0DIRADA').ts;
    const before = await auditOf(stack, request.id);

    // Act: a stranger (message shared with them) and a manager (in the directory, not an approver) click
    const stranger = await click(stack, { ts, slackUserId: 'U0STRANGER', action: 'approve' });
    const manager = await click(stack, { ts, slackUserId: 'U0MGRDAN', action: 'approve' });
    const managerDeny = await click(stack, { ts, slackUserId: 'U0MGRDAN', action: 'deny', reason: 'no' });

    // Assess
    for (const answer of [stranger, manager, managerDeny]) expect(answer.body.steps[0].status).toBe(200);
    const notes = stack.channels.slack.ephemerals();
    expect(notes.find((note) => note.user === 'U0STRANGER')?.text).toContain('not linked');
    const toManager = notes.filter((note) => note.user === 'U0MGRDAN' && note.text.includes(request.id));
    expect(toManager).toHaveLength(2);
    expect(toManager[0]?.text).toContain('You cannot decide');
    expect(stack.channels.slack.views().some((view) => view.user === 'U0MGRDAN')).toBe(false);
    const after = await stack.call('GET', `/requests/${request.id}`, { as: 'adm-eve' });
    expect(after.body).toMatchObject({ status: 'PENDING_APPROVAL', approvals: [] });
    expect(await auditOf(stack, request.id)).toEqual(before);
    await stack.call('POST', `/requests/${request.id}/cancel`, { as: 'ext-max' });
  });

  it('refuses unsigned, wrongly signed, stale, tampered and other-workspace requests with 401, changing nothing', async () => {
    // Prepare
    const request = await submit('ext-ned', { scopes: ['dataset:hes-apc'], justification, duration: 'PT1H' });
    const ts = promptTo(stack, request.id, 'U0DIRADA').ts;
    const body = blockActionsBody(stack, {
      slackUserId: 'U0DIRADA',
      ts,
      action: 'approve',
      requestId: request.id,
    });
    // Correctly signed, but a click in another workspace the app is installed in
    const otherTeam = body.replace(encodeURIComponent(stack.channels.slack.teamId), 'T0OTHERTEAM');
    const now = String(Math.floor(Date.now() / 1000));
    const secret = stack.channels.signingSecret;
    const send = (headers: Record<string, string>, sent = body) => postInteraction(stack, sent, headers);
    const stale = String(Number(now) - 6 * 60);

    // Act
    const answers = await Promise.all([
      send({}),
      send({
        'x-slack-request-timestamp': now,
        'x-slack-signature': slackSignature('wrong-secret', now, body),
      }),
      send({ 'x-slack-request-timestamp': stale, 'x-slack-signature': slackSignature(secret, stale, body) }),
      send(
        { 'x-slack-request-timestamp': now, 'x-slack-signature': slackSignature(secret, now, body) },
        body.replace('approve', 'deny'),
      ),
      send(
        { 'x-slack-request-timestamp': now, 'x-slack-signature': slackSignature(secret, now, otherTeam) },
        otherTeam,
      ),
    ]);

    // Assess
    expect(otherTeam).not.toBe(body);
    expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401, 401, 401]);
    const refused = (await answers[1]?.json()) as { error: { code: string } };
    expect(refused.error.code).toBe('UNAUTHENTICATED');
    const after = await stack.call('GET', `/requests/${request.id}`, { as: 'adm-eve' });
    expect(after.body.approvals).toEqual([]);

    // And the same body correctly signed is accepted
    const valid = await send({
      'x-slack-request-timestamp': now,
      'x-slack-signature': slackSignature(secret, now, body),
    });
    expect(valid.status).toBe(200);
    const approved = await stack.waitForStatus(request.id, 'ACTIVE');
    expect(approved.approvals).toEqual([
      expect.objectContaining({ approverId: 'dir-ada', channel: 'slack' }),
    ]);
  });

  it('redraws the prompts when the request is decided elsewhere: by API, by link, or cancelled', async () => {
    // Prepare: three requests, one decided through each other channel
    const byApi = await submit('ext-ivy', { scopes: ['dataset:hes-apc'], justification, duration: 'PT1H' });
    const byLink = await submit('ext-jon', { scopes: ['dataset:hes-apc'], justification, duration: 'PT1H' });
    const cancelled = await submit('ext-kim', {
      scopes: ['dataset:hes-apc'],
      justification,
      duration: 'PT1H',
    });

    // Act
    await stack.call('POST', `/requests/${byApi.id}/decisions`, {
      as: 'exd-cleo',
      body: { decision: 'deny', comment: 'Not this quarter' },
    });
    const [link] = stack.approvalLinks('dir-ada', byLink.id);
    await fetch(link as string, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'decision=approve',
    });
    await stack.call('POST', `/requests/${cancelled.id}/cancel`, { as: 'ext-kim' });

    // Assess: no prompt of any of them keeps buttons, and each says what happened
    for (const [request, says] of [
      [byApi, 'Denied'],
      [byLink, 'Approved'],
      [cancelled, 'Cancelled'],
    ] as const) {
      await waitFor(
        () => promptsOf(stack, request.id).every((message) => buttonsOf(message).length === 0),
        `prompts of ${request.id} redrawn`,
      );
      for (const message of promptsOf(stack, request.id)) expect(textOf(message)).toContain(says);
    }
    expect(textOf(promptTo(stack, byLink.id, 'U0DIRBEN'))).toContain('(email-link)');
    const updates = stack.channels.slack
      .calls()
      .filter((call) => call.method === 'chat.update' && String(call.args.text).includes(cancelled.id));
    expect(updates.map((call) => call.args.channel).sort()).toEqual(['D0DIRADA', 'D0DIRBEN', 'D0EXDCLEO']);
  });
});
