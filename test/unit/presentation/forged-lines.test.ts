// Free text in a text/plain part cannot start a line that looks like one of Keyholder's own (issue 18, an
// attacker's finding): a justification with CR/LF used to put a fake "Review and decide" link before the real one
// and a fake "Approvals: 1 of 1 required" line in the approval mail directors act on.
import { describe, expect, it } from 'vitest';
import type { AccessRequest, Dataset, Principal } from '../../../lambdas/core/model.ts';
import { approvalEmail } from '../../../lambdas/presentation/approval-email.ts';
import { extensionEmail } from '../../../lambdas/presentation/extension-email.ts';
import { noticeEmail } from '../../../lambdas/presentation/notification-email.ts';
import { deniedNotice } from '../../../lambdas/presentation/notification-messages.ts';
import { plainTextFacts, textLines } from '../../../lambdas/presentation/plain-text.ts';
import { reviewEmail } from '../../../lambdas/presentation/review-email.ts';
import { approvalPromptMessage, noticeMessage } from '../../../lambdas/presentation/slack-blocks.ts';

const FORGED =
  'Investigating the admissions feed\r\n\r\nReview and decide: https://evil.example/approve/FAKE\r\nApprovals: 1 of 1 required' +
  '\rDecide by: never\u2028Request: req-evil\u0085Ticket: INC-0\nJustification: all fine\u000b\u0007';
const LINK = 'https://keyholder.example/approve/real-token';
const datasets: ReadonlyMap<string, Dataset> = new Map();

const director: Principal = {
  id: 'dir-ada',
  name: 'Ada Director',
  email: 'dir-ada@nhse.example',
  organisation: 'NHSE',
  grade: 'director',
  roles: [],
  active: true,
};
const requester: Principal = { ...director, id: 'ext-gus', name: 'Gus Contractor', organisation: 'AcmeSoft' };
const request: AccessRequest = {
  id: 'req-1',
  requester: 'ext-gus',
  requesterOrganisation: 'AcmeSoft',
  external: true,
  scopes: ['admin'],
  duration: 'PT8H',
  justification: FORGED,
  ticket: 'INC-1\r\nApprovals: 2 of 2 required',
  createdAt: '2026-11-28T10:00:00.000Z',
  status: 'PENDING_APPROVAL',
  approvalsRequired: 2,
  approvals: [],
  approvalDeadline: '2026-12-01T10:00:00.000Z',
  countsAgainstCap: true,
};
const active: AccessRequest = {
  ...request,
  status: 'ACTIVE',
  grant: {
    grantedAt: '2026-11-28T11:00:00.000Z',
    expiresAt: '2026-11-28T19:00:00.000Z',
    approvedBy: ['dir-ben'],
    nextReviewAt: '2026-11-28T12:00:00.000Z',
  },
  review: {
    dueAt: '2026-11-28T12:00:00.000Z',
    promptedAt: '2026-11-28T12:00:01.000Z',
    deadline: '2026-11-29T12:00:00.000Z',
    reviewers: ['dir-ada'],
  },
  extension: {
    duration: 'PT2H',
    justification: FORGED,
    requestedAt: '2026-11-28T12:00:00.000Z',
    expiresAt: '2026-11-28T21:00:00.000Z',
    deadline: '2026-11-28T18:00:00.000Z',
    approvalsRequired: 1,
    approvals: [],
    status: 'PENDING',
  },
} as AccessRequest;

/** Every line of a text part that begins with Keyholder's own wording, in order. */
const ownLines = (text: string, start: RegExp) => text.split('\n').filter((line) => start.test(line));

describe.each([
  [
    'approval',
    () => approvalEmail({ request, requester, approver: director, link: LINK, datasets }).text,
    /^Review and decide: /,
  ],
  [
    'extension',
    () =>
      extensionEmail({ request: active, holder: requester, approver: director, link: LINK, datasets }).text,
    /^Review and decide: /,
  ],
  [
    'review',
    () => reviewEmail({ request: active, holder: requester, reviewer: director, link: LINK, datasets }).text,
    /^Review: /,
  ],
])('the %s email with CR/LF in the free text', (_name, text, linkLine) => {
  it('has exactly one link line, the real one, before any requester text', () => {
    const body = text();
    expect(ownLines(body, linkLine)).toEqual([expect.stringContaining(LINK)]);
    expect(body).not.toMatch(/^\s*Review and decide: https:\/\/evil/m);
    expect(body.indexOf(LINK)).toBeLessThan(body.indexOf('Investigating the admissions feed'));
  });

  it('lets no free text begin a line: every line of it is quoted behind "  | "', () => {
    const body = text();
    for (const forged of [
      'Approvals: 1 of 1',
      'Decide by: never',
      'Request: req-evil',
      'Ticket: INC-0',
      'Approvals: 2 of 2',
    ])
      for (const line of body.split('\n').filter((candidate) => candidate.includes(forged)))
        expect(line.startsWith('  | '), line).toBe(true);
    for (const control of ['\r', '\u2028', '\u0085', '\u000b', '\u0007']) expect(body).not.toContain(control);
  });
});

describe('plainTextFacts and textLines', () => {
  it('splits at every line break, drops other control characters, and keeps Keyholder facts on one line each', () => {
    expect(textLines('a\r\nb\rc\nd\u2028e\u0085f\u000bg\u0007h\ti')).toEqual([
      'a',
      'b',
      'c',
      'd',
      'e',
      'f',
      'gh i',
    ]);
    expect(
      plainTextFacts([
        ['Request', 'req-1'],
        ['Organisation', 'Acme\r\nApprovals: 9 of 9'],
        ['Justification', 'one\ntwo'],
      ]),
    ).toEqual([
      'Request: req-1',
      'Organisation: Acme Approvals: 9 of 9',
      '',
      'In their own words (quoted as typed; Keyholder wrote none of it):',
      'Justification:',
      '  | one',
      '  | two',
    ]);
  });
});

// Found by test/hostile: the same forgery in Slack (a justification's lines began lines of the prompt; a display name
// put live mentions and a hidden link into the notification text) and in the notice emails' text part.
describe('Slack messages and notice emails with CR/LF, mentions and links in free text and names', () => {
  const hostileName = 'Gus <!channel> <https://evil.example|click>\u2028*Approvals:* 2 of 2 required';
  const denied: AccessRequest = {
    ...request,
    status: 'DENIED',
    closedBy: 'dir-ada',
    closedAt: '2026-11-28T11:00:00.000Z',
    reason: 'No\r\n*Approvals:* 2 of 2 required',
    approvals: [
      {
        approverId: 'dir-ada',
        decision: 'deny',
        at: '2026-11-28T11:00:00.000Z',
        channel: 'api',
        comment: 'No\n:white_check_mark: Ben Director approved',
      },
    ],
  };
  /** Every mrkdwn text of a message (its notification text included), split into lines. */
  const mrkdwnLines = (message: { text: string; blocks: readonly Record<string, unknown>[] }) =>
    [message.text, ...JSON.stringify(message.blocks).matchAll(/"type":"mrkdwn","text":("(?:[^"\\]|\\.)*")/g)]
      .map((entry) => (typeof entry === 'string' ? entry : (JSON.parse(entry[1] as string) as string)))
      .flatMap(textLines);

  it('lets no free text or name begin a line of the prompt, and leaves no mention or link active', () => {
    const message = approvalPromptMessage({
      request: denied,
      requester: { ...requester, name: hostileName },
      approver: director,
      names: { 'dir-ada': 'Ada Director' },
      datasets,
    });
    const lines = mrkdwnLines(message);
    expect(lines.filter((line) => /^\s*(\*Approvals:\*|:white_check_mark:)/.test(line))).toEqual([]);
    expect(lines.filter((line) => line.includes('<!channel>') || line.includes('<https://'))).toEqual([]);
    expect(lines).toContain('> Investigating the admissions feed');
    expect(message.text).toContain('Gus &lt;!channel&gt; &lt;https://evil.example|click&gt; *Approvals:*');
  });

  it('quotes a deny comment in the notice, in Slack and in the email text part', () => {
    const notice = deniedNotice(denied, { 'dir-ada': 'Ada Director' }, datasets);
    expect(mrkdwnLines(noticeMessage(notice)).filter((line) => line.startsWith('*Approvals:*'))).toEqual([]);
    const text = noticeEmail('ext-gus@vendor.example', hostileName, notice).text;
    for (const line of text.split('\n').filter((candidate) => candidate.includes('*Approvals:*')))
      expect(line.startsWith('  | ') || line.startsWith('Dear '), line).toBe(true);
    expect(text).toContain('Comment:\n  | No\n  | *Approvals:* 2 of 2 required');
  });
});

describe('a dataset title with CR/LF in it', () => {
  const forgedTitle: ReadonlyMap<string, Dataset> = new Map([
    ['hes-apc', { id: 'hes-apc', title: `HES${FORGED}`, sensitivity: 'identifiable' }],
  ]);
  const onHes: AccessRequest = { ...request, scopes: ['dataset:hes-apc'], justification: 'Patch' };

  it('stays on one line in the subject and the facts of the approval email', () => {
    const email = approvalEmail({
      request: onHes,
      requester,
      approver: director,
      link: LINK,
      datasets: forgedTitle,
    });
    expect(email.subject).not.toMatch(/[\r\n\u2028\u0085]/);
    expect(ownLines(email.text, /^Review and decide: /)).toEqual([expect.stringContaining(LINK)]);
    expect(ownLines(email.text, /^Approvals: /)).toEqual(['Approvals: 0 of 2 required']);
  });

  it('stays on one line in the Slack prompt', () => {
    const message = approvalPromptMessage({
      request: onHes,
      requester,
      approver: director,
      names: {},
      datasets: forgedTitle,
    });
    expect(message.text).not.toMatch(/[\r\n\u2028\u0085]/);
    expect(JSON.stringify(message.blocks)).not.toContain('\\nReview and decide');
  });
});
