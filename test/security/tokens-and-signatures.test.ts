// Bearer credentials other than JWTs, in one place: emailed approval links, email-reply addresses and Slack's
// request signatures. Replayed, reused for another request, expired, someone else's: all refused, nothing changes.
//
// Where each threat is covered (this file unless named):
// | credential            | threat                                  | covered                                          |
// | approval link         | replay after use (GET and POST)         | here; also e2e/lifecycle                         |
// | approval link         | 20 parallel uses                        | hostile/decisions (one 200, 19 409/410)          |
// | approval link         | another request (cross-request)         | here                                             |
// | approval link         | expired (approval window closed)        | here; also e2e/timeout                           |
// | approval link         | posted by another approver (bearer)     | here: decides as the approver it was mailed to   |
// | approval link         | its approver no longer eligible         | here                                             |
// | approval / review     | a link on the other page                | e2e/reviews ('refuses an approval link on ...')  |
// | review link           | replay after use, after the deadline    | e2e/reviews (410)                                |
// | email-reply address   | replay after use                        | e2e/email-replies (ADDRESS_USED)                 |
// | email-reply address   | another sender, failed SPF/DKIM/DMARC   | e2e/email-replies (WRONG_SENDER, ...)            |
// | email-reply address   | display-name spoof, stranger, requester | hostile/decisions; e2e/email-replies (unanswered)|
// | email-reply address   | another request named in the subject    | here                                             |
// | email-reply address   | expired                                 | here (ADDRESS_EXPIRED)                           |
// | Slack signature       | missing, wrong secret, stale, tampered  | e2e/slack; here with the rest below              |
// | Slack signature       | future timestamp, other body, v1=, one  | here                                             |
// |                       | header only, timestamp header swapped   |                                                  |
// | Slack                 | a valid click repeated or retried       | e2e/slack (counts once); hostile/decisions       |
// | JWT                   | every token defect                      | security/authentication                          |
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackSignature } from '../../lambdas/core/slack-signature.ts';
import { startTestStack, type TestStack, waitFor } from '../support/local-stack.ts';
import { deliverReply, replyAddressOf } from '../support/mail.ts';
import { quietSnapshot, snapshotTables, tableChanges } from '../support/security.ts';
import { promptsOf } from '../support/slack.ts';

const JUSTIFICATION = 'Investigating a data quality incident in the admissions feed';
/**
 * Long enough for every other test to decide or cancel its own requests in time; the expiry test waits it out.
 * The expiring request times out while other tests run, so their table comparisons leave its items out.
 */
const APPROVAL_TIMEOUT_SECONDS = 20;

describe('approval links, email-reply addresses and Slack signatures', () => {
  let stack: TestStack;
  /** Submitted first, left alone until its approval window closes (the expiry test). */
  let expiring: { id: string; link: string; replyTo: string };

  const submit = async (as: string, scopes: string[] = ['dataset:hes-apc']) => {
    const created = await stack.call('POST', '/requests', {
      as,
      body: { scopes, justification: JUSTIFICATION, duration: 'PT1H' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    await waitFor(() => stack.approvalLinks('exd-cleo', id)[0], 'approval emails');
    return id;
  };
  const linkOf = (approver: string, id: string) => stack.approvalLinks(approver, id)[0] as string;
  const request = async (id: string) => (await stack.call('GET', `/requests/${id}`, { as: 'adm-eve' })).body;
  const post = (link: string, form: string, authorization?: string) =>
    fetch(link, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(authorization ? { authorization } : {}),
      },
      body: form,
    });
  const reply = (from: string, to: string, body: string, subject = 'Re: Approval needed') =>
    deliverReply(stack, { from, to, body, headers: { Subject: subject } });

  beforeAll(async () => {
    stack = await startTestStack({
      sweepIntervalMs: 0,
      policy: { minDuration: 'PT1S', approvalTimeout: `PT${APPROVAL_TIMEOUT_SECONDS}S` },
    });
    const id = await submit('ext-jon');
    expiring = {
      id,
      link: linkOf('dir-ada', id),
      replyTo: replyAddressOf(stack, id, 'dir-ada@nhse.example'),
    };
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  describe('approval links', () => {
    it('work once: a used link is 410 on GET and POST, and it reaches no other request', async () => {
      // Prepare: two pending requests; dir-ada's link for the first is used
      const [first, second] = await Promise.all([submit('ext-kim'), submit('ext-lee')]);
      const used = linkOf('dir-ada', first);
      expect((await post(used, 'decision=approve')).status).toBe(200);
      await stack.waitForStatus(first, 'ACTIVE');
      const before = await quietSnapshot(stack);
      const token = used.slice(used.lastIndexOf('/') + 1);

      // Act: replay it, and try to point it at the second request every way the URL allows
      const answers = await Promise.all([
        post(used, 'decision=approve'),
        post(used, 'decision=deny&comment=changed my mind'),
        fetch(used),
        post(`${used}?requestId=${second}`, 'decision=approve'),
        post(`${stack.url}/approve/${token}/${second}`, 'decision=approve'),
        post(`${stack.url}/approve/${token}`, `decision=approve&requestId=${second}`),
        post(`${stack.url}/review/${token}`, 'decision=revoke'),
      ]);

      // Assess
      expect(answers.map((answer) => answer.status)).toEqual([410, 410, 410, 400, 404, 400, 404]);
      expect(tableChanges(before, await snapshotTables(stack), expiring.id)).toEqual({});
      expect(await request(second)).toMatchObject({ status: 'PENDING_APPROVAL', approvals: [] });
      // The second request's own link is untouched by all that
      expect((await post(linkOf('dir-ada', second), 'decision=deny&comment=not now')).status).toBe(200);
    });

    it('decide as the approver they were mailed to, whoever posts them; each works once per approver', async () => {
      // Prepare: an external admin request needs two directors
      const id = await submit('ext-gus', ['admin']);
      const ada = linkOf('dir-ada', id);
      const ben = linkOf('dir-ben', id);
      const benToken = await stack.tokenFor('dir-ben');

      // Act: Ben posts Ada's link while signed in as himself
      const asBen = await post(ada, 'decision=approve', `Bearer ${benToken}`);

      // Assess: the decision is Ada's; Ben has not decided
      expect(asBen.status).toBe(200);
      expect((await request(id)).approvals).toEqual([expect.objectContaining({ approverId: 'dir-ada' })]);
      // Ada's link again (by anyone) is spent; Ben's own link still stands for Ben
      expect((await post(ada, 'decision=approve', `Bearer ${benToken}`)).status).toBe(410);
      expect((await post(ben, 'decision=approve')).status).toBe(200);
      const approved = await request(id);
      expect(approved.approvals.map((entry: { approverId: string }) => entry.approverId)).toEqual([
        'dir-ada',
        'dir-ben',
      ]);
      // A third director's link has nothing left to decide
      expect((await post(linkOf('exd-cleo', id), 'decision=deny&comment=late')).status).toBe(410);
      await stack.call('POST', `/requests/${id}/revoke`, { as: 'adm-eve', body: { reason: 'Test over' } });
    });

    it('answer 410 once their approver decided elsewhere, and 403 once their approver no longer stands', async () => {
      // Prepare: an external admin request (two directors); Ben approves through the API, Cleo is deactivated
      const id = await submit('ext-hal', ['admin']);
      const ben = linkOf('dir-ben', id);
      const cleo = linkOf('exd-cleo', id);
      const decided = await stack.call('POST', `/requests/${id}/decisions`, {
        as: 'dir-ben',
        body: { decision: 'approve' },
      });
      expect(decided.body.status).toBe('PENDING_APPROVAL');
      const deactivated = await stack.call('PATCH', '/principals/exd-cleo', {
        as: 'adm-eve',
        body: { active: false },
      });
      expect(deactivated.status).toBe(200);
      const before = await quietSnapshot(stack);

      // Act
      const answers = await Promise.all([
        fetch(ben),
        post(ben, 'decision=deny&comment=changed my mind'),
        fetch(cleo),
        post(cleo, 'decision=approve'),
      ]);

      // Assess
      expect(answers.map((answer) => answer.status)).toEqual([410, 410, 403, 403]);
      expect(tableChanges(before, await snapshotTables(stack), expiring.id)).toEqual({});
      expect((await request(id)).approvals).toEqual([expect.objectContaining({ approverId: 'dir-ben' })]);
      await stack.call('PATCH', '/principals/exd-cleo', { as: 'adm-eve', body: { active: true } });
      await stack.call('POST', `/requests/${id}/cancel`, { as: 'ext-hal' });
    });
  });

  describe('email-reply addresses', () => {
    it('decide only the request their address was issued for, whatever the subject names', async () => {
      // Prepare
      const [mine, other] = await Promise.all([submit('ext-max'), submit('ext-hal')]);
      const address = replyAddressOf(stack, mine, 'dir-ada@nhse.example');

      // Act: a reply to the first request's address whose subject names the second
      const outcome = await reply(
        'dir-ada@nhse.example',
        address,
        'approve',
        `Re: Approval needed [${other}]`,
      );

      // Assess
      expect(outcome).toEqual({ kind: 'decided', requestId: mine, decision: 'approve' });
      expect(await request(other)).toMatchObject({ status: 'PENDING_APPROVAL', approvals: [] });
      // And the spent address cannot be turned on the other request either
      const again = await reply('dir-ada@nhse.example', address, 'approve', `Re: [${other}]`);
      expect(again).toMatchObject({ kind: 'refused', code: 'ADDRESS_USED', requestId: mine });
      expect((await request(other)).approvals).toEqual([]);
      await stack.call('POST', `/requests/${other}/cancel`, { as: 'ext-hal' });
    });
  });

  describe('Slack signatures', () => {
    it('refuse every signature that is not a fresh v0 HMAC of exactly this body, changing nothing', async () => {
      // Prepare: a real prompt's Approve click, and the ways to get its signature wrong
      const id = await submit('ext-ned');
      const ts = await waitFor(
        () => promptsOf(stack, id).find((message) => message.user === 'U0DIRADA')?.ts,
        'the Slack prompt',
      );
      const click = (action: 'approve' | 'deny') =>
        new URLSearchParams({
          payload: JSON.stringify({
            type: 'block_actions',
            team: { id: stack.channels.slack.teamId },
            user: { id: 'U0DIRADA' },
            trigger_id: 'trigger',
            container: { channel_id: 'D0DIRADA', message_ts: ts },
            actions: [{ action_id: action, value: id }],
          }),
        }).toString();
      const body = click('approve');
      const secret = stack.channels.signingSecret;
      const now = Math.floor(Date.now() / 1000);
      const at = (offset: number) => String(now + offset);
      const signed = (timestamp: string, text = body) => slackSignature(secret, timestamp, text);
      const cases: Array<[string, Record<string, string>, string?]> = [
        ['replayed 6 minutes later', { ts: at(-360), sig: signed(at(-360)) }],
        ['timestamp 6 minutes ahead', { ts: at(360), sig: signed(at(360)) }],
        ['signed over another body', { ts: at(0), sig: signed(at(0), click('deny')) }],
        ['body changed after signing', { ts: at(0), sig: signed(at(0)) }, body.replace('approve', 'deny')],
        ['timestamp header differs from the signed one', { ts: at(-10), sig: signed(at(0)) }],
        ['wrong version prefix', { ts: at(0), sig: signed(at(0)).replace(/^v0=/, 'v1=') }],
        ['upper-case prefix', { ts: at(0), sig: signed(at(0)).replace(/^v0=/, 'V0=') }],
        ['digest without prefix', { ts: at(0), sig: signed(at(0)).slice(3) }],
        ['signed with an empty secret', { ts: at(0), sig: slackSignature('', at(0), body) }],
        ['signature only', { sig: signed(at(0)) }],
        ['timestamp only', { ts: at(0) }],
        ['no headers', {}],
        ['timestamp with a fraction', { ts: `${at(0)}.5`, sig: signed(`${at(0)}.5`) }],
      ];
      // Signed with the right secret, but from another workspace the app was copied into
      const elsewhere = body.replace(encodeURIComponent(stack.channels.slack.teamId), 'T0ELSEWHERE');
      cases.push(['signed, from another workspace', { ts: at(0), sig: signed(at(0), elsewhere) }, elsewhere]);
      const send = (headers: Record<string, string>, text = body) =>
        fetch(`${stack.url}/slack/interactions`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            ...(headers.ts ? { 'x-slack-request-timestamp': headers.ts } : {}),
            ...(headers.sig ? { 'x-slack-signature': headers.sig } : {}),
          },
          body: text,
        });
      const before = await quietSnapshot(stack);

      // Act
      const answers = await Promise.all(cases.map(([, headers, text]) => send(headers, text)));

      // Assess
      const statuses = Object.fromEntries(cases.map(([name], index) => [name, answers[index]?.status]));
      expect(statuses).toEqual(Object.fromEntries(cases.map(([name]) => [name, 401])));
      expect(tableChanges(before, await snapshotTables(stack), expiring.id)).toEqual({});
      // The same click, signed properly, is taken
      expect((await send({ ts: at(0), sig: signed(at(0)) })).status).toBe(200);
      await stack.waitForStatus(id, 'ACTIVE');
    });
  });

  describe('expiry', () => {
    it('closes the approval link and the reply address when the approval window closes', async () => {
      // Prepare: the request submitted first has been left alone
      await stack.waitForStatus(expiring.id, 'TIMED_OUT', (APPROVAL_TIMEOUT_SECONDS + 30) * 1000);
      const before = await quietSnapshot(stack);

      // Act
      const link = await Promise.all([fetch(expiring.link), post(expiring.link, 'decision=approve')]);
      const emailed = await reply('dir-ada@nhse.example', expiring.replyTo, 'approve');

      // Assess: the link is gone and changed nothing; the reply is refused (and only that refusal is recorded)
      expect(link.map((answer) => answer.status)).toEqual([410, 410]);
      expect(emailed).toMatchObject({ kind: 'refused', code: 'ADDRESS_EXPIRED' });
      expect(await request(expiring.id)).toMatchObject({ status: 'TIMED_OUT', approvals: [] });
      const changes = tableChanges(before, await snapshotTables(stack), expiring.id);
      expect(changes.state ?? []).toEqual([]);
    }, 120_000);
  });
});
