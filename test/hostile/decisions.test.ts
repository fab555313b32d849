// Decisions an attacker would like to forge or multiply, played against the local stack: one emailed approval link
// used 20 times at once, a requester deciding their own request through every channel, a spoofed approval mail, a
// replayed, stale or wrongly signed Slack interaction, and forged JWTs. Each is refused, decides nothing (one
// approval at most where one was genuine), and afterwards the stack still serves and the audit still verifies.
import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectStillServingAndAuditIntact, postForm, submitted } from '../support/hostile.ts';
import { startTestStack, type TestStack, waitFor } from '../support/local-stack.ts';
import { answersTo, deliverReply, replyAddressOf } from '../support/mail.ts';
import { quietSnapshot, snapshotTables, tableChanges } from '../support/security.ts';
import {
  auditOf,
  blockActionsBody,
  postInteraction,
  promptsOf,
  promptTo,
  seedWithMoreSlackUsers,
  slackHeaders,
} from '../support/slack.ts';

describe('forged and multiplied decisions', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ sweepIntervalMs: 0, seedFile: seedWithMoreSlackUsers() });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  /** The request's audit events that are not notifications: decisions and state changes. */
  const decisive = async (id: string) =>
    (await auditOf(stack, id)).filter((event) => !event.action.startsWith('NOTIFICATION_'));
  /** Approval events: one approver's approval, or the approval that reached the number required. */
  const approvalsRecorded = async (id: string) =>
    (await auditOf(stack, id)).filter((event) =>
      ['APPROVAL_RECORDED', 'REQUEST_APPROVED'].includes(event.action),
    );
  const request = async (id: string) => (await stack.call('GET', `/requests/${id}`, { as: 'adm-eve' })).body;

  it('20 parallel uses of one emailed approval link: one decision, 19 clear 409/410 pages, one approval event', async () => {
    // Prepare
    const id = await submitted(stack, 'ext-kim');
    const link = stack.approvalLinks('dir-ada', id)[0] as string;

    // Act
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => postForm(link, { decision: 'approve' })),
    );
    const pages = await Promise.all(
      answers.map(async (answer) => ({
        status: answer.status,
        type: answer.headers.get('content-type') ?? '',
        html: await answer.text(),
      })),
    );

    // Assess
    const decided = pages.filter((page) => page.status === 200);
    const refused = pages.filter((page) => page.status !== 200);
    expect(decided).toHaveLength(1);
    expect(refused).toHaveLength(19);
    for (const page of refused) {
      expect([409, 410]).toContain(page.status);
      expect(page.type).toContain('text/html');
      expect(page.html, page.html).toMatch(/already|no longer|used/i);
    }
    const active = await stack.waitForStatus(id, 'ACTIVE');
    expect(active.approvals).toEqual([
      expect.objectContaining({ approverId: 'dir-ada', channel: 'email-link' }),
    ]);
    expect(await approvalsRecorded(id)).toHaveLength(1);
    await stack.call('POST', `/requests/${id}/revoke`, { as: 'adm-eve', body: { reason: 'test over' } });
  });

  it('a requester deciding their own request by API, Slack and email reply: refused, and never asked', async () => {
    // Prepare: a director is the requester; the other approvers have their links and prompts
    const id = await submitted(stack, 'dir-ada');
    const benPrompt = await waitFor(
      () => promptsOf(stack, id).find((message) => message.user === 'U0DIRBEN'),
      'the prompt to Ben',
    );
    const ben = replyAddressOf(stack, id, 'dir-ben@nhse.example');
    const before = await decisive(id);

    // Act: the API, a signed click by the requester's own Slack user, and a reply from the requester's address
    const api = await stack.call('POST', `/requests/${id}/decisions`, {
      as: 'dir-ada',
      body: { decision: 'approve' },
    });
    const body = blockActionsBody(stack, {
      slackUserId: 'U0DIRADA',
      ts: benPrompt.ts,
      action: 'approve',
      requestId: id,
    });
    const slack = await postInteraction(stack, body, slackHeaders(stack, body));
    const mail = await deliverReply(stack, { from: 'dir-ada@nhse.example', to: ben, body: 'approve' });

    // Assess: the API says why in its error shape
    expect(api.status).toBe(403);
    expect(api.body.error).toMatchObject({ code: 'SELF_APPROVAL' });
    expect(api.body.error.message).toContain('cannot approve their own request');
    // Slack takes every signed interaction with 200 (its protocol) and tells the clicker why, privately
    expect(slack.status).toBe(200);
    const note = await waitFor(
      () =>
        stack.channels.slack
          .ephemerals()
          .find((message) => message.user === 'U0DIRADA' && message.text.includes(id)),
      'the note to the requester',
    );
    expect(note.text).toContain('You cannot decide');
    expect(mail).toMatchObject({ kind: 'refused', code: 'WRONG_SENDER', requestId: id });
    // Nothing decided, and the requester was never asked: no approval mail or link, no Slack prompt
    expect(await request(id)).toMatchObject({ status: 'PENDING_APPROVAL', approvals: [] });
    expect(await decisive(id)).toEqual(before);
    expect(stack.approvalLinks('dir-ada', id)).toEqual([]);
    const asked = stack.mailbox
      .messages()
      .filter(
        (message) => message.to === 'dir-ada@nhse.example' && message.subject.startsWith('Approval needed'),
      );
    expect(asked.filter((message) => message.subject.includes(id))).toEqual([]);
    expect(promptsOf(stack, id).map((message) => message.user)).not.toContain('U0DIRADA');
    await stack.call('POST', `/requests/${id}/cancel`, { as: 'dir-ada' });
  });

  it('a display-name-spoofed approval mail and one whose authentication failed: unanswered, nothing decided', async () => {
    // Prepare
    const id = await submitted(stack, 'ext-lee');
    const ada = replyAddressOf(stack, id, 'dir-ada@nhse.example');
    const before = await decisive(id);
    const mailBefore = stack.mailbox.messages().length;

    // Act: the director's name over the attacker's address (whose own domain passes SPF, DKIM and DMARC); then the
    // director's address with authentication failing, once as SES found it and once with a forged "pass" header
    const spoofed = await deliverReply(stack, {
      from: '"Ada Director" <attacker@evil.example>',
      to: ada,
      body: 'approve',
    });
    const failed = await deliverReply(
      stack,
      {
        from: 'dir-ada@nhse.example',
        to: ada,
        body: 'approve',
        headers: {
          'Authentication-Results':
            'amazonses.com; spf=fail smtp.mailfrom=evil.example; dkim=fail; dmarc=fail header.from=nhse.example',
        },
      },
      { spf: 'FAIL', dkim: 'FAIL', dmarc: 'FAIL' },
    );
    const forgedPass = await deliverReply(
      stack,
      {
        from: 'dir-ada@nhse.example',
        to: ada,
        body: 'approve',
        headers: { 'Authentication-Results': 'nhse.example; spf=pass; dkim=pass; dmarc=pass' },
      },
      { spf: 'PASS', dkim: 'FAIL', dmarc: 'FAIL' },
    );

    // Assess: refused, no answer to anyone (no backscatter), nothing decided or recorded
    expect(spoofed).toMatchObject({ kind: 'refused', code: 'WRONG_SENDER', requestId: id });
    expect(failed).toMatchObject({ kind: 'refused', code: 'AUTHENTICATION_FAILED' });
    expect(forgedPass).toMatchObject({ kind: 'refused', code: 'AUTHENTICATION_FAILED' });
    expect(forgedPass.reason).toContain('DKIM FAIL, DMARC FAIL');
    expect(stack.mailbox.messages().length).toBe(mailBefore);
    expect(answersTo(stack, 'attacker@evil.example')).toEqual([]);
    expect(await decisive(id)).toEqual(before);
    expect(await request(id)).toMatchObject({ status: 'PENDING_APPROVAL', approvals: [] });
    // The address still works for its approver
    expect(
      await deliverReply(stack, { from: 'dir-ada@nhse.example', to: ada, body: 'deny not now' }),
    ).toMatchObject({ kind: 'decided', decision: 'deny' });
  });

  it('a replayed Slack interaction counts once; a 6-minute-old or wrong-secret signature is 401, changing nothing', async () => {
    // Prepare
    const id = await submitted(stack, 'ext-max');
    const ts = await waitFor(() => promptsOf(stack, id).find((m) => m.user === 'U0DIRADA')?.ts, 'the prompt');
    const body = blockActionsBody(stack, { slackUserId: 'U0DIRADA', ts, action: 'approve', requestId: id });
    const sixMinutesAgo = String(Math.floor(Date.now() / 1000) - 6 * 60);
    const before = await quietSnapshot(stack);

    // Act: the bad signatures first
    const stale = await postInteraction(stack, body, slackHeaders(stack, body, { timestamp: sixMinutesAgo }));
    const wrongSecret = await postInteraction(
      stack,
      body,
      slackHeaders(stack, body, { secret: 'not-the-secret' }),
    );

    // Assess
    expect([stale.status, wrongSecret.status]).toEqual([401, 401]);
    for (const answer of [stale, wrongSecret]) {
      expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    }
    expect(tableChanges(before, await snapshotTables(stack))).toEqual({});

    // Act: one signed body, sent twice
    const headers = slackHeaders(stack, body);
    const first = await postInteraction(stack, body, headers);
    const replayed = await postInteraction(stack, body, headers);

    // Assess: both taken (Slack's protocol), one approval
    expect([first.status, replayed.status]).toEqual([200, 200]);
    const active = await stack.waitForStatus(id, 'ACTIVE');
    expect(active.approvals).toEqual([expect.objectContaining({ approverId: 'dir-ada', channel: 'slack' })]);
    expect(await approvalsRecorded(id)).toHaveLength(1);
    expect(promptTo(stack, id, 'U0DIRADA').text).toContain(id);
    const toAda = stack.channels.slack
      .ephemerals()
      .filter((note) => note.user === 'U0DIRADA' && note.text.includes(id));
    expect(toAda.map((note) => note.text)).toEqual([expect.stringMatching(/already/)]);
    await stack.call('POST', `/requests/${id}/revoke`, { as: 'adm-eve', body: { reason: 'test over' } });
  });

  it('tampered, expired, alg none and wrong-key JWTs: 401 on an API route, nothing written', async () => {
    // Prepare: a decision the forger would make as a director
    const id = await submitted(stack, 'ext-ned');
    const { issuer, audience, privateKey } = stack.jwt;
    const seconds = Math.floor(Date.now() / 1000);
    const claims = { sub: 'dir-ada', iss: issuer, aud: audience, iat: seconds, exp: seconds + 300 };
    const signedWith = (key: Parameters<SignJWT['sign']>[0], overrides: Record<string, number> = {}) =>
      new SignJWT({ ...claims, ...overrides }).setProtectedHeader({ alg: 'RS256', typ: 'JWT' }).sign(key);
    const [head, payload, signature] = (await stack.tokenFor('ext-ned')).split('.');
    const asAda = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()), sub: 'dir-ada' }),
    ).toString('base64url');
    const tokens = {
      'tampered payload': `${head}.${asAda}.${signature}`,
      expired: await signedWith(privateKey, { iat: seconds - 3600, exp: seconds - 60 }),
      'alg none': new UnsecuredJWT(claims).encode(),
      'wrong key': await signedWith((await generateKeyPair('RS256')).privateKey),
    };
    const before = await quietSnapshot(stack);

    // Act
    const answers = await Promise.all(
      Object.entries(tokens).map(async ([name, token]) => {
        const answer = await stack.call('POST', `/requests/${id}/decisions`, {
          headers: { authorization: `Bearer ${token}` },
          body: { decision: 'approve' },
        });
        return { name, status: answer.status, body: answer.body };
      }),
    );

    // Assess
    expect(answers.map(({ name, status }) => [name, status])).toEqual(
      Object.keys(tokens).map((name) => [name, 401]),
    );
    expect(answers.every(({ body }) => JSON.stringify(body).length > 2)).toBe(true);
    expect(tableChanges(before, await snapshotTables(stack))).toEqual({});
    expect(await request(id)).toMatchObject({ status: 'PENDING_APPROVAL', approvals: [] });
    await stack.call('POST', `/requests/${id}/cancel`, { as: 'ext-ned' });
  });

  it('still serves: /health within a few seconds, an ordinary request goes through, the audit verifies', async () => {
    // Assess
    await expectStillServingAndAuditIntact(stack);
  });
});
