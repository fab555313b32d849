// Stored XSS and Slack-mrkdwn injection, played by an attacker against the local stack: markup, mentions, hidden
// links and forged "Approvals" lines go in through every free-text field (justification, ticket, approve and deny
// comments, an extension's justification, review comments, a holder's revoke reason) and through the directory
// (a SCIM display name, an organisation PATCHed by an access-admin); every HTML page, every mail (HTML and text
// part) and every version of every Slack message is then read back: nothing comes back active.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activeMarkupIn,
  expectStillServingAndAuditIntact,
  FORGED,
  forgedLinesIn,
  hostileText,
  MARKUP,
  MRKDWN,
  mailProblems,
  postForm,
  shortHostileText,
  showsEscaped,
  slackProblems,
  submitted,
  versionsOf,
} from '../support/hostile.ts';
import { startTestStack, type TestStack, waitFor } from '../support/local-stack.ts';
import { promptsOf, seedWithMoreSlackUsers } from '../support/slack.ts';

/** The attacker's own directory entry: ext-kim, whose display name and organisation carry the payloads. */
const ATTACKER = 'ext-kim';
const HOSTILE_NAME = `[name] ${[...MARKUP, ...MRKDWN].join(' ')}\u2028${FORGED}`;
const HOSTILE_ORGANISATION = `Northwind ${MARKUP[1]} ${MRKDWN[3]}`;

describe('stored injection through every free-text field, read back from every page, mail and Slack message', () => {
  let stack: TestStack;
  /** Every HTML page the attack got to see, by what it was. */
  const pages = new Map<string, string>();
  let granted: string;

  const html = async (what: string, answer: Promise<Response>) => {
    const response = await answer;
    const text = await response.text();
    expect(response.status, `${what}: ${text.slice(0, 300)}`).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    pages.set(what, text);
    return text;
  };
  const latestLink = (approver: string, id: string, kind: 'approve' | 'review') => {
    const email = `${approver}@nhse.example`;
    const links = stack.mailbox
      .messages()
      .filter((message) => message.to === email && message.subject.includes(id))
      .flatMap(
        (message) => new RegExp(`(https?://\\S+/${kind}/[A-Za-z0-9_-]+)`).exec(message.text)?.[1] ?? [],
      );
    return links.at(-1);
  };
  /** A decision through the API (its comment hostile, tagged) that must be taken; then the request reaches `status`. */
  const decide = async (
    id: string,
    route: string,
    as: string,
    decision: string,
    tag: string,
    status: string,
  ) => {
    const body = tag ? { decision, comment: hostileText(tag) } : { decision };
    const answer = await stack.call('POST', `/requests/${id}/${route}`, { as, body });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    await stack.waitForStatus(id, status);
  };
  /** Sweeps until the request's review round opens, then waits for the notifier to deliver the round's prompts. */
  const sweepUntilReview = async (id: string) => {
    const report = await waitFor(async () => {
      const answer = await stack.call('POST', '/dev/sweep');
      return answer.body.reviewsPrompted?.includes(id) ? answer.body : undefined;
    }, `a review round for ${id}`);
    await stack.noticeQueue.drained();
    return report;
  };

  beforeAll(async () => {
    stack = await startTestStack({
      sweepIntervalMs: 0,
      seedFile: seedWithMoreSlackUsers(),
      policy: { minDuration: 'PT1S', review: { admin: 'PT2S', dataset: 'PT2S', grace: 'PT10M' } },
    });
    // The directory: the attacker's display name through SCIM (as the identity provider would sync it), and the
    // organisation through the admin API
    const scim = await stack.call('PATCH', `/scim/v2/Users/${ATTACKER}`, {
      headers: { authorization: `Bearer ${stack.scim.token}`, 'content-type': 'application/scim+json' },
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'Replace', path: 'displayName', value: HOSTILE_NAME }],
      },
    });
    expect(scim.status, JSON.stringify(scim.body)).toBe(200);
    const patched = await stack.call('PATCH', `/principals/${ATTACKER}`, {
      as: 'adm-eve',
      body: { organisation: HOSTILE_ORGANISATION },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('a hostile justification, ticket and name: the approval page, mail and Slack prompt show them inert', async () => {
    // Act
    granted = await submitted(stack, ATTACKER, {
      justification: hostileText('justification'),
      ticket: shortHostileText('ticket'),
    });
    const page = await html('approval page', fetch(latestLink('dir-ada', granted, 'approve') as string));
    const prompt = await waitFor(
      () => promptsOf(stack, granted).find((message) => message.user === 'U0DIRADA'),
      'the Slack prompt',
    );
    const mail = stack.mailbox
      .messages()
      .find((m) => m.to === 'dir-ada@nhse.example' && m.subject.includes(granted));

    // Assess: the values reached each surface, escaped
    expect(activeMarkupIn(page)).toEqual([]);
    expect(showsEscaped(page, 'justification')).toBe(true);
    expect(showsEscaped(page, 'name')).toBe(true);
    expect(page).toContain('[ticket] &quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(mail && mailProblems(mail)).toEqual([]);
    expect(showsEscaped(mail?.html ?? '', 'justification')).toBe(true);
    expect(mail?.text).toContain('  | *Approvals:*');
    expect(slackProblems(prompt)).toEqual([]);
    expect(JSON.stringify(prompt.blocks)).toContain('[justification] &lt;script&gt;');
  });

  it('hostile approve and deny comments: the result page, the redrawn prompts and the outcome notices', async () => {
    // Act: dir-ada approves through the page with a hostile comment; a second request is denied with one
    await html(
      'approval result page',
      postForm(latestLink('dir-ada', granted, 'approve') as string, {
        decision: 'approve',
        comment: hostileText('approve-comment'),
      }),
    );
    await stack.waitForStatus(granted, 'ACTIVE');
    const denied = await submitted(stack, ATTACKER);
    await decide(denied, 'decisions', 'dir-ben', 'deny', 'deny-comment', 'DENIED');

    // Assess
    expect(activeMarkupIn(pages.get('approval result page') ?? '')).toEqual([]);
    const redrawn = await waitFor(
      () => promptsOf(stack, denied).find((m) => m.user === 'U0DIRADA' && m.text.includes('DENIED')),
      'the prompt redrawn as denied',
    );
    expect(slackProblems(redrawn)).toEqual([]);
    expect(JSON.stringify(redrawn.blocks)).toContain('[deny-comment] &lt;script&gt;');
    const notice = await stack.mailbox.waitFor(
      (m) =>
        m.to === 'ext-kim@northwind.example' &&
        m.subject.includes(denied) &&
        m.html.includes('[deny-comment]'),
    );
    expect(mailProblems(notice)).toEqual([]);
  });

  it('a hostile extension justification and deny comment: the extension page and mails', async () => {
    // Act
    const extended = await stack.call('POST', `/requests/${granted}/extend`, {
      as: ATTACKER,
      body: { duration: 'PT1H', justification: hostileText('extension') },
    });
    expect(extended.status, JSON.stringify(extended.body)).toBe(200);
    const mail = await stack.mailbox.waitFor(
      (m) =>
        m.to === 'dir-ben@nhse.example' && m.subject.startsWith('Extension') && m.subject.includes(granted),
    );
    const page = await html('extension page', fetch(latestLink('dir-ben', granted, 'approve') as string));
    const deny = await stack.call('POST', `/requests/${granted}/decisions`, {
      as: 'dir-ben',
      body: { decision: 'deny', comment: hostileText('extension-deny') },
    });

    // Assess
    expect(deny.status, JSON.stringify(deny.body)).toBe(200);
    expect(mailProblems(mail)).toEqual([]);
    expect(showsEscaped(mail.html, 'extension')).toBe(true);
    expect(activeMarkupIn(page)).toEqual([]);
    expect(showsEscaped(page, 'extension')).toBe(true);
  });

  it('hostile review comments: the review page, its result, and the review prompts', async () => {
    // Act: a review round opens; dir-ada keeps through the page, the next round dir-ben revokes through the API
    await sweepUntilReview(granted);
    const link = latestLink('dir-ada', granted, 'review') as string;
    await html('review page', fetch(link));
    await html(
      'review result page',
      postForm(link, { decision: 'keep', comment: hostileText('keep-comment') }),
    );
    await sweepUntilReview(granted);
    await decide(granted, 'reviews', 'dir-ben', 'revoke', 'review-revoke', 'REVOKED');

    // Assess
    expect(activeMarkupIn(pages.get('review page') ?? '')).toEqual([]);
    expect(showsEscaped(pages.get('review page') ?? '', 'justification')).toBe(true);
    expect(activeMarkupIn(pages.get('review result page') ?? '')).toEqual([]);
    const reviews = stack.channels.slack.messages().filter((m) => m.text.startsWith('Review needed'));
    expect(reviews.length).toBeGreaterThan(0);
    expect(reviews.flatMap(versionsOf).flatMap(slackProblems)).toEqual([]);
  });

  it("a hostile holder's revoke reason: the redrawn prompts and notices", async () => {
    // Act
    const id = await submitted(stack, ATTACKER);
    // The prompts are posted after the approval mail: deciding before dir-ada's is posted would leave none to redraw.
    await waitFor(() => promptsOf(stack, id).find((m) => m.user === 'U0DIRADA'), "dir-ada's prompt");
    await decide(id, 'decisions', 'exd-cleo', 'approve', '', 'ACTIVE');
    const revoked = await stack.call('POST', `/requests/${id}/revoke`, {
      as: ATTACKER,
      body: { reason: hostileText('revoke-reason') },
    });

    // Assess
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    const redrawn = await waitFor(
      () => promptsOf(stack, id).find((m) => m.user === 'U0DIRADA' && m.text.includes('REVOKED')),
      'the prompt redrawn as revoked',
    );
    expect(slackProblems(redrawn)).toEqual([]);
    expect(JSON.stringify(redrawn.blocks)).toContain('[revoke-reason] &lt;script&gt;');
  });

  it('the public transparency page shows the hostile organisation inert', async () => {
    // Act
    const page = await html('transparency page', fetch(`${stack.url}/transparency`));

    // Assess
    expect(activeMarkupIn(page)).toEqual([]);
  });

  it('no mail, HTML or text part, carries active markup or a forged line; every field reached some mail', async () => {
    // Prepare
    const mails = stack.mailbox.messages();

    // Assess
    expect(mails.flatMap(mailProblems)).toEqual([]);
    const html = mails.map((message) => message.html).join('\n');
    // (approve comments and a holder's own revoke reason are not mailed to anyone: Slack shows them, checked below)
    const reached = ['justification', 'name', 'deny-comment', 'extension'];
    expect(reached.filter((tag) => !showsEscaped(html, tag))).toEqual([]);
    expect(mails.flatMap((message) => forgedLinesIn(message.text))).toEqual([]);
  });

  it('no version of any Slack message, notice or dialog carries an active mention, link or a forged line', () => {
    // Prepare
    const slack = stack.channels.slack;
    const messages = slack.messages().flatMap(versionsOf);
    const ephemerals = slack.ephemerals().map((note) => ({ text: note.text, blocks: [] }));
    const views = slack.views().map((view) => ({ text: '', blocks: [view.view] }));

    // Assess
    expect(messages.length).toBeGreaterThan(10);
    expect([...messages, ...ephemerals, ...views].flatMap(slackProblems)).toEqual([]);
  });

  it('every page seen is free of active markup, the stack still serves and the audit verifies', async () => {
    // Assess
    expect([...pages.keys()].sort()).toEqual([
      'approval page',
      'approval result page',
      'extension page',
      'review page',
      'review result page',
      'transparency page',
    ]);
    expect([...pages.values()].flatMap(activeMarkupIn)).toEqual([]);
    await expectStillServingAndAuditIntact(stack);
  });
});
