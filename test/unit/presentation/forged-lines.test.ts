// Free text in a text/plain part cannot start a line that looks like one of Keyholder's own (issue 18, an
// attacker's finding): a justification with CR/LF used to put a fake "Review and decide" link before the real one
// and a fake "Approvals: 1 of 1 required" line in the approval mail directors act on.
import { describe, expect, it } from 'vitest';
import type { AccessRequest, Principal } from '../../../lambdas/core/model.ts';
import { approvalEmail } from '../../../lambdas/presentation/approval-email.ts';
import { extensionEmail } from '../../../lambdas/presentation/extension-email.ts';
import { plainTextFacts, textLines } from '../../../lambdas/presentation/plain-text.ts';
import { reviewEmail } from '../../../lambdas/presentation/review-email.ts';

const FORGED =
  'Investigating the admissions feed\r\n\r\nReview and decide: https://evil.example/approve/FAKE\r\nApprovals: 1 of 1 required' +
  '\rDecide by: never\u2028Request: req-evil\u0085Ticket: INC-0\nJustification: all fine\u000b\u0007';
const LINK = 'https://keyholder.example/approve/real-token';

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
    () => approvalEmail({ request, requester, approver: director, link: LINK }).text,
    /^Review and decide: /,
  ],
  [
    'extension',
    () => extensionEmail({ request: active, holder: requester, approver: director, link: LINK }).text,
    /^Review and decide: /,
  ],
  [
    'review',
    () => reviewEmail({ request: active, holder: requester, reviewer: director, link: LINK }).text,
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
