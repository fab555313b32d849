// Deciding by replying to the approval email, end to end on the local stack: raw RFC 5322 replies go through
// POST /dev/mail/inbound (local S3 + the SES receipt event) into the same inbound handler SES invokes on AWS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack, waitFor } from '../support/local-stack.ts';
import { answersTo, deliverReply, replyAddressOf } from '../support/mail.ts';
import { auditOf, buttonsOf, promptsOf } from '../support/slack.ts';

const justification = 'Investigating a data quality incident in the admissions feed';

describe('email replies on the local stack', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ policy: { minDuration: 'PT1S', approvalTimeout: 'PT10M' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function submit(as: string) {
    const answer = await stack.call('POST', '/requests', {
      as,
      body: { scopes: ['dataset:hes-apc'], justification, duration: 'PT1H' },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    await waitFor(
      () =>
        stack.mailbox
          .messages()
          .filter((m) => m.subject.startsWith('Approval needed') && m.subject.includes(answer.body.id))
          .length === 3,
      'approval emails',
    );
    return answer.body;
  }

  async function request(id: string) {
    return (await stack.call('GET', `/requests/${id}`, { as: 'adm-eve' })).body;
  }

  it('gives every approval email a personal Reply-To, and a top-posted "approve" decides', async () => {
    // Prepare
    const created = await submit('ext-kim');
    const ada = replyAddressOf(stack, created.id, 'dir-ada@nhse.example');
    const ben = replyAddressOf(stack, created.id, 'dir-ben@nhse.example');
    expect(ada).toMatch(/^approvals\+[a-z2-7]{52}@replies\.nhse\.example$/);
    expect(ben).not.toBe(ada);
    const approval = stack.mailbox.messages().find((m) => m.to === 'dir-ada@nhse.example');
    expect(approval?.text).toContain('"approve" or "deny <reason>"');

    // Act: the usual reply, command on top, quoted history and a signature below
    const outcome = await deliverReply(stack, {
      from: 'Ada Director <Dir-Ada@nhse.example>',
      to: ada,
      body: [
        'Approve - fine for the incident window',
        '',
        '--',
        'Ada Director, NHSE',
        '',
        `On Mon, 30 Nov 2026 at 09:12, Keyholder <keyholder@nhse.example> wrote:`,
        '> Dear Ada Director,',
        '> deny this one please',
      ].join('\n'),
    });

    // Assess: decided through the email-reply channel, confirmed to the approver, Slack prompts redrawn
    expect(outcome).toEqual({ kind: 'decided', requestId: created.id, decision: 'approve' });
    const active = await stack.waitForStatus(created.id, 'ACTIVE');
    expect(active.approvals[0]).toMatchObject({
      approverId: 'dir-ada',
      channel: 'email-reply',
      comment: 'fine for the incident window',
    });
    await waitFor(
      () =>
        stack.mailbox
          .messages()
          .find((m) => m.to === 'dir-ada@nhse.example' && m.subject.startsWith('Recorded:')),
      'confirmation',
    );
    await waitFor(
      () => promptsOf(stack, created.id).every((message) => buttonsOf(message).length === 0),
      'Slack prompts redrawn',
    );

    // Act: the same address used again
    const again = await deliverReply(stack, { from: 'dir-ada@nhse.example', to: ada, body: 'approve' });

    // Assess: refused, and told why
    expect(again).toMatchObject({ kind: 'refused', code: 'ADDRESS_USED' });
    expect(answersTo(stack, 'dir-ada@nhse.example').at(-1)?.text).toContain('already made');
  });

  it('takes "deny <reason>" from an HTML-only reply whose history is a blockquote', async () => {
    // Prepare
    const created = await submit('ext-lee');
    const ben = replyAddressOf(stack, created.id, 'dir-ben@nhse.example');

    // Act
    const outcome = await deliverReply(stack, {
      from: 'dir-ben@nhse.example',
      to: ben,
      html: true,
      body:
        '<div dir="ltr">Deny&nbsp;Use the pseudonymised extract,</div><div>it has what you need.</div><br>' +
        '<div class="gmail_quote"><div>On Mon, Keyholder wrote:</div><blockquote>approve<br>Dear Ben</blockquote></div>',
    });

    // Assess
    expect(outcome).toMatchObject({ kind: 'decided', decision: 'deny' });
    const denied = await stack.waitForStatus(created.id, 'DENIED');
    expect(denied).toMatchObject({
      reason: 'Use the pseudonymised extract, it has what you need.',
      closedBy: 'dir-ben',
    });
  });

  it('refuses failed verdicts, a wrong sender, no command, a bare deny, unknown addresses; nothing changes', async () => {
    // Prepare
    const created = await submit('ext-max');
    const ada = replyAddressOf(stack, created.id, 'dir-ada@nhse.example');
    const answersBefore = answersTo(stack, 'dir-ada@nhse.example').length;
    const before = (await auditOf(stack, created.id)).filter(
      (event) => !event.action.startsWith('NOTIFICATION_'),
    );

    // Act
    const dmarc = await deliverReply(
      stack,
      { from: 'dir-ada@nhse.example', to: ada, body: 'approve' },
      { dmarc: 'FAIL' },
    );
    const spfDkim = await deliverReply(
      stack,
      { from: 'dir-ada@nhse.example', to: ada, body: 'approve' },
      { spf: 'SOFTFAIL', dkim: 'GRAY' },
    );
    const wrongSender = await deliverReply(stack, { from: 'dir-ben@nhse.example', to: ada, body: 'approve' });
    const noCommand = await deliverReply(stack, {
      from: 'dir-ada@nhse.example',
      to: ada,
      body: 'Thanks, I will look at this later',
    });
    const bareDeny = await deliverReply(stack, {
      from: 'dir-ada@nhse.example',
      to: ada,
      body: 'deny\n\n> quoted reason',
    });
    const unknown = await deliverReply(stack, {
      from: 'dir-ada@nhse.example',
      to: `approvals+${'a'.repeat(52)}@replies.nhse.example`,
      body: 'approve',
    });
    const autoReply = await deliverReply(stack, {
      from: 'dir-ada@nhse.example',
      to: ada,
      body: 'I am out of the office until Monday.',
      headers: { 'Auto-Submitted': 'auto-replied' },
    });

    // Assess: each refused with its reason, the sender told, the machine-sent one ignored silently
    expect(dmarc).toMatchObject({ kind: 'refused', code: 'AUTHENTICATION_FAILED' });
    expect(dmarc.reason).toContain('DMARC FAIL');
    expect(spfDkim.reason).toContain('SPF SOFTFAIL, DKIM GRAY');
    expect(wrongSender).toMatchObject({ kind: 'refused', code: 'WRONG_SENDER' });
    expect(noCommand).toMatchObject({ kind: 'refused', code: 'NO_COMMAND' });
    expect(bareDeny).toMatchObject({ kind: 'refused', code: 'DENY_NEEDS_REASON' });
    expect(unknown).toMatchObject({ kind: 'refused', code: 'UNKNOWN_ADDRESS' });
    expect(autoReply).toEqual({ kind: 'ignored', why: 'automated mail' });
    // Unauthenticated mail is never answered (no backscatter): Ada hears of no command, the bare deny, the unknown address
    expect(answersTo(stack, 'dir-ada@nhse.example').length - answersBefore).toBe(3);
    expect(answersTo(stack, 'dir-ben@nhse.example').at(-1)?.text).toContain(
      'accepted only from the approver',
    );
    const toAda = answersTo(stack, 'dir-ada@nhse.example').map((message) => message.text);
    expect(
      toAda.filter((text) => text.includes(created.id) || text.includes('did not act')),
    ).not.toHaveLength(0);
    expect(toAda.some((text) => text.includes('out of the office'))).toBe(false);

    const after = await request(created.id);
    expect(after).toMatchObject({ status: 'PENDING_APPROVAL', approvals: [] });
    const events = await auditOf(stack, created.id);
    expect(events.filter((event) => !event.action.startsWith('NOTIFICATION_'))).toEqual(before);
    const refusals = events.filter((event) => event.details?.kind === 'reply-refused');
    expect(refusals.length).toBe(3); // wrong sender, no command, bare deny: the unauthenticated two get no answer
  });
  it('refuses two From mailboxes or a differing Sender, answering only the approver', async () => {
    // Prepare
    const created = await submit('ext-gus');
    const ada = replyAddressOf(stack, created.id, 'dir-ada@nhse.example');

    // Act
    const twoFrom = await deliverReply(stack, {
      from: 'Ada Director <dir-ada@nhse.example>, attacker@evil.example',
      to: ada,
      body: 'approve',
    });
    const sender = await deliverReply(stack, {
      from: 'dir-ada@nhse.example',
      to: ada,
      body: 'approve',
      headers: { Sender: 'assistant@nhse.example' },
    });

    // Assess
    expect(twoFrom).toMatchObject({ kind: 'refused', code: 'WRONG_SENDER' });
    expect(twoFrom.reason).toContain('more than one sender');
    expect(sender).toMatchObject({ kind: 'refused', code: 'WRONG_SENDER' });
    expect(stack.mailbox.messages().some((message) => message.to.includes('evil.example'))).toBe(false);
    expect(await request(created.id)).toMatchObject({ status: 'PENDING_APPROVAL', approvals: [] });
  });

  it('decides nothing on a question, both words, or an approve and a deny line, and asks for one clear word', async () => {
    // Prepare
    const created = await submit('ext-hal');
    const ada = replyAddressOf(stack, created.id, 'dir-ada@nhse.example');

    // Act
    const outcomes = [];
    for (const body of [
      "approved? I don't know this person",
      'approve deny',
      'approve\n\ndeny, on second thoughts',
    ]) {
      outcomes.push(await deliverReply(stack, { from: 'dir-ada@nhse.example', to: ada, body }));
    }
    const belowAttribution = await deliverReply(stack, {
      from: 'dir-ada@nhse.example',
      to: ada,
      body: 'On Mon, 30 Nov 2026 at 09:12, Keyholder <keyholder@nhse.example> wrote:\nAPPROVE\nDear Ada',
    });

    // Assess
    expect(outcomes.map((outcome) => outcome.code)).toEqual(['AMBIGUOUS', 'AMBIGUOUS', 'AMBIGUOUS']);
    const asked = answersTo(stack, 'dir-ada@nhse.example').filter((message) =>
      message.subject.includes(created.id),
    );
    expect(asked.filter((message) => message.text.includes('one clear word'))).toHaveLength(3);
    expect(belowAttribution).toMatchObject({ kind: 'refused', code: 'NO_COMMAND' });
    expect(await request(created.id)).toMatchObject({ status: 'PENDING_APPROVAL', approvals: [] });
  });

  it('keeps quoted headers out of a deny reason, and refuses what cannot be read, saying why', async () => {
    // Prepare
    const created = await submit('ext-ned');
    const ada = replyAddressOf(stack, created.id, 'dir-ada@nhse.example');

    // Act: an unreadable body (invalid UTF-8 in base64), then a deny whose Outlook history follows with no blank line
    const unreadable = await deliverReply(stack, {
      from: 'dir-ada@nhse.example',
      to: ada,
      body: Buffer.from([0x64, 0xff, 0xfe, 0xc3, 0x28]).toString('base64'),
      headers: { 'Content-Transfer-Encoding': 'base64' },
    });
    const denied = await deliverReply(stack, {
      from: 'dir-ada@nhse.example',
      to: ada,
      body: [
        'deny not needed for this audit',
        'Von meinem iPhone gesendet',
        'Von: Kim Vendor <kim.vendor@vendor.example>',
        'Gesendet: Montag, 30. November 2026 09:12',
        'approve',
      ].join('\n'),
    });

    // Assess
    expect(unreadable).toMatchObject({ kind: 'refused', code: 'UNREADABLE' });
    expect(unreadable.reason).toContain('could not be decoded');
    expect(denied).toMatchObject({ kind: 'decided', decision: 'deny' });
    expect(await stack.waitForStatus(created.id, 'DENIED')).toMatchObject({
      reason: 'not needed for this audit',
    });
  });

  it('never answers unauthenticated mail, never echoes the message, and says when a request is already decided', async () => {
    // Prepare
    const created = await submit('ext-ivy');
    const ada = replyAddressOf(stack, created.id, 'dir-ada@nhse.example');
    const ben = replyAddressOf(stack, created.id, 'dir-ben@nhse.example');
    const before = stack.mailbox.messages().length;

    // Act: forged mail to a real reply address, then an authenticated reply with a hostile subject and first line
    const forged = await deliverReply(
      stack,
      {
        from: 'victim@elsewhere.example',
        to: ada,
        body: 'Visit http://evil.example now',
        headers: { Subject: 'Re: WIN A PRIZE http://evil.example' },
      },
      { spf: 'FAIL', dkim: 'FAIL', dmarc: 'FAIL' },
    );
    const afterForged = stack.mailbox.messages().length;
    const hostile = await deliverReply(stack, {
      from: 'dir-ada@nhse.example',
      to: ada,
      body: 'Visit http://evil.example now',
      headers: { Subject: 'Re: WIN A PRIZE http://evil.example' },
    });
    await deliverReply(stack, { from: 'dir-ada@nhse.example', to: ada, body: 'approve' });
    await stack.waitForStatus(created.id, 'ACTIVE');
    const late = await deliverReply(stack, { from: 'dir-ben@nhse.example', to: ben, body: 'deny too late' });

    // Assess
    expect(forged).toMatchObject({ kind: 'refused', code: 'AUTHENTICATION_FAILED' });
    expect(afterForged).toBe(before);
    expect(hostile).toMatchObject({ kind: 'refused', code: 'NO_COMMAND' });
    const answer = answersTo(stack, 'dir-ada@nhse.example')
      .filter((message) => message.subject.includes(created.id))
      .at(-1);
    expect(answer?.subject).toBe(`Re: Keyholder: your reply about request ${created.id}`);
    expect(`${answer?.subject} ${answer?.text}`).not.toContain('evil');
    expect(late).toMatchObject({ kind: 'refused', code: 'ALREADY_DECIDED' });
    expect(late.reason).toBe(
      `Keyholder did not act on your reply because request ${created.id} was already decided: it is now ACTIVE; nothing is awaiting a decision.`,
    );
  });

  it('tells a reply to a cancelled request the words the API, links and Slack use', async () => {
    // Prepare
    const created = await submit('ext-jon');
    const ada = replyAddressOf(stack, created.id, 'dir-ada@nhse.example');
    expect((await stack.call('POST', `/requests/${created.id}/cancel`, { as: 'ext-jon' })).status).toBe(200);
    const viaApi = await stack.call('POST', `/requests/${created.id}/decisions`, {
      as: 'dir-ben',
      body: { decision: 'approve' },
    });

    // Act
    const late = await deliverReply(stack, { from: 'dir-ada@nhse.example', to: ada, body: 'approve' });

    // Assess: the same sentence as the API's 409, and Ada is told it
    expect(viaApi.status).toBe(409);
    const sentence = `request ${created.id} was cancelled by its requester; nothing is awaiting a decision`;
    expect(viaApi.body.error.message).toContain(sentence);
    expect(late).toMatchObject({ kind: 'refused', code: 'ALREADY_DECIDED' });
    expect(late.reason).toBe(`Keyholder did not act on your reply because ${sentence}.`);
    await waitFor(
      () => answersTo(stack, 'dir-ada@nhse.example').find((message) => message.text.includes(sentence)),
      'the answer to Ada',
    );
  });

  it('never answers an authenticated stranger (no backscatter), but still answers a principal', async () => {
    // Prepare
    const created = await submit('ext-lee');
    const ada = replyAddressOf(stack, created.id, 'dir-ada@nhse.example');
    const mailBefore = stack.mailbox.messages().length;
    const decisive = async () =>
      (await auditOf(stack, created.id)).filter((event) => !event.action.startsWith('NOTIFICATION_'));
    const before = await decisive();

    // Act: SPF, DKIM and DMARC pass for the stranger's own domain
    const stranger = await deliverReply(stack, {
      from: 'Ada Director <someone@elsewhere.example>',
      to: ada,
      body: 'approve',
    });

    // Assess: refused, nothing mailed to anyone, nothing recorded
    expect(stranger).toMatchObject({ kind: 'refused', code: 'WRONG_SENDER', requestId: created.id });
    expect(stack.mailbox.messages().length).toBe(mailBefore);
    expect(await decisive()).toEqual(before);
    const answered = (await auditOf(stack, created.id)).filter(
      (event) => event.details?.kind === 'reply-refused',
    );
    expect(answered).toEqual([]);

    // Act: a principal who is not this address's approver
    const principal = await deliverReply(stack, { from: 'mgr-dan@nhse.example', to: ada, body: 'approve' });

    // Assess: told why, at their directory address
    expect(principal).toMatchObject({ kind: 'refused', code: 'WRONG_SENDER' });
    await waitFor(
      () => answersTo(stack, 'mgr-dan@nhse.example').find((message) => message.subject.includes(created.id)),
      'the answer to Dan',
    );
    expect(await request(created.id)).toMatchObject({ status: 'PENDING_APPROVAL', approvals: [] });
  });
});
