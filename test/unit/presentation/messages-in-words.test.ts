// People read times and durations in words (issue 14): "8 hours", not PT8H; "Tue 1 Dec 2026, 10:00 UTC", not an
// ISO timestamp — in approval, extension and review emails and pages, notices and Slack messages alike.
import { describe, expect, it } from 'vitest';
import { EMPTY_CHAIN } from '../../../lambdas/core/audit.ts';
import type { AccessRequest, Principal } from '../../../lambdas/core/model.ts';
import type { StoredRequest } from '../../../lambdas/core/ports.ts';
import { approvalEmail } from '../../../lambdas/presentation/approval-email.ts';
import { approvalPage } from '../../../lambdas/presentation/approval-page.ts';
import { extensionEmail, extensionOutcome } from '../../../lambdas/presentation/extension-email.ts';
import { noticeEmail } from '../../../lambdas/presentation/notification-email.ts';
import {
  deniedNotice,
  expiryReminderNotice,
  grantedNotice,
  timedOutNotice,
} from '../../../lambdas/presentation/notification-messages.ts';
import { reviewEmail } from '../../../lambdas/presentation/review-email.ts';
import { reviewPage, reviewRecordedPage } from '../../../lambdas/presentation/review-page.ts';
import { approvalPromptMessage, noticeMessage } from '../../../lambdas/presentation/slack-blocks.ts';

const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const ISO_DURATION = /\bP(?:T?\d)/;

const director: Principal = {
  id: 'dir-ada',
  name: 'Ada Director',
  email: 'dir-ada@nhse.example',
  organisation: 'NHSE',
  grade: 'director',
  roles: [],
  active: true,
};
const requester: Principal = {
  id: 'ext-gus',
  name: 'Gus Contractor',
  email: 'gus@acmesoft.example',
  organisation: 'AcmeSoft',
  grade: 'staff',
  roles: [],
  active: true,
};

const pending: AccessRequest = {
  id: 'req-1',
  requester: 'ext-gus',
  requesterOrganisation: 'AcmeSoft',
  external: true,
  scopes: ['admin'],
  duration: 'PT8H',
  justification: 'Patch the safe haven before the release',
  createdAt: '2026-11-28T10:00:00.000Z',
  status: 'PENDING_APPROVAL',
  approvalsRequired: 2,
  approvals: [
    { approverId: 'dir-ben', decision: 'approve', at: '2026-11-28T11:00:00.000Z', channel: 'email-link' },
  ],
  approvalDeadline: '2026-12-01T10:00:00.000Z',
  countsAgainstCap: true,
};

const active: AccessRequest = {
  ...pending,
  scopes: ['dataset:hes-apc'],
  status: 'ACTIVE',
  grant: {
    grantedAt: '2026-11-28T11:00:00.000Z',
    expiresAt: '2026-12-08T21:18:00.000Z',
    approvedBy: ['dir-ben'],
    nextReviewAt: '2026-12-02T10:00:00.000Z',
  },
};

const stored = (request: AccessRequest): StoredRequest => ({ ...request, audit: EMPTY_CHAIN });
const seats = { inUse: 1, cap: 5 };

/** Everything a person reads of an email. */
const readable = (message: { subject: string; text: string; html?: string | undefined }) =>
  [message.subject, message.text, message.html ?? ''].join('\n');

describe('approval', () => {
  it('says how long and until when in words in the email, and no ISO value anywhere', () => {
    const email = approvalEmail({
      request: pending,
      requester,
      approver: director,
      link: 'https://k/approve/t',
    });
    expect(email.subject).toBe('Approval needed: Gus Contractor requests admin for 8 hours [req-1]');
    expect(email.text).toContain('Duration: 8 hours');
    expect(email.text).toContain('Decide by: Tue 1 Dec 2026, 10:00 UTC');
    expect(readable(email)).not.toMatch(ISO_TIME);
    expect(readable(email)).not.toMatch(ISO_DURATION);
  });

  it('shows the same words on the approval page', () => {
    const page =
      approvalPage({ request: stored(pending), requester, approver: director, seats, datasets: new Map() })
        .body ?? '';
    expect(page).toContain('<dd>8 hours</dd>');
    expect(page).toContain('<dd>Tue 1 Dec 2026, 10:00 UTC</dd>');
    expect(page).not.toMatch(ISO_TIME);
  });

  it('writes the Slack prompt, its decisions and its fallback text in words', () => {
    const message = approvalPromptMessage({
      request: pending,
      requester,
      approver: director,
      names: { 'dir-ben': 'Ben Director' },
    });
    const text = `${message.text}\n${JSON.stringify(message.blocks)}`;
    expect(message.text).toContain('for 8 hours [req-1]');
    expect(text).toContain('Ben Director approved at Sat 28 Nov 2026, 11:00 UTC');
    expect(text).toContain('Tue 1 Dec 2026, 10:00 UTC');
    expect(text).not.toMatch(ISO_TIME);
    expect(text).not.toMatch(ISO_DURATION);
  });
});

describe('extension', () => {
  const extending: AccessRequest = {
    ...active,
    extension: {
      duration: 'P2D',
      justification: 'The migration overran',
      requestedAt: '2026-12-07T09:00:00.000Z',
      expiresAt: '2026-12-10T21:18:00.000Z',
      approvalsRequired: 1,
      approvals: [],
      status: 'PENDING',
      deadline: '2026-12-08T21:18:00.000Z',
    },
  };

  it('asks for the extension in words', () => {
    const email = extensionEmail({
      request: extending,
      holder: requester,
      approver: director,
      link: 'https://k/approve/t',
    });
    expect(email.subject).toContain('asks for 2 days on dataset:hes-apc');
    expect(email.text).toContain('Extension asked for: 2 days');
    expect(email.text).toContain('New expiry if approved: Thu 10 Dec 2026, 21:18 UTC');
    expect(email.text).toContain('Expires: Tue 8 Dec 2026, 21:18 UTC');
    expect(readable(email)).not.toMatch(ISO_TIME);
    expect(readable(email)).not.toMatch(ISO_DURATION);
  });

  it('confirms the new expiry in words', () => {
    const approved: AccessRequest = {
      ...extending,
      extension: extending.extension && { ...extending.extension, status: 'APPROVED' },
      grant: active.grant && { ...active.grant, expiresAt: '2026-12-10T21:18:00.000Z' },
    };
    expect(extensionOutcome(approved, 'approve')).toBe(
      'You approved the extension. Access now runs until Thu 10 Dec 2026, 21:18 UTC.',
    );
  });
});

describe('review', () => {
  const due: AccessRequest = {
    ...active,
    review: {
      dueAt: '2026-12-02T10:00:00.000Z',
      promptedAt: '2026-12-02T10:00:01.000Z',
      deadline: '2026-12-09T09:30:00.000Z',
      reviewers: ['dir-ada'],
    },
  };

  it('says by when to answer, and the grant times, in words', () => {
    const email = reviewEmail({
      request: due,
      holder: requester,
      reviewer: director,
      link: 'https://k/review/t',
    });
    expect(email.text).toContain(
      'Without an answer by Wed 9 Dec 2026, 09:30 UTC it is revoked automatically.',
    );
    expect(email.text).toContain('Granted: Sat 28 Nov 2026, 11:00 UTC');
    expect(email.text).toContain('Expires: Tue 8 Dec 2026, 21:18 UTC');
    expect(readable(email)).not.toMatch(ISO_TIME);
    const page =
      reviewPage({ request: stored(due), holder: requester, reviewer: director, datasets: new Map() }).body ??
      '';
    expect(page).toContain('<dd>Wed 9 Dec 2026, 09:30 UTC</dd>');
    expect(page).not.toMatch(ISO_TIME);
  });

  it('tells a director who kept the access when it is reviewed next, in words', () => {
    const page = reviewRecordedPage(stored(active), 'keep').body ?? '';
    expect(page).toContain('It will be reviewed again by Wed 2 Dec 2026, 10:00 UTC.');
  });
});

describe('notices', () => {
  const names = { 'dir-ben': 'Ben Director' };

  it('tells the holder until when access is granted, by email and in Slack', () => {
    const notice = grantedNotice(active, names);
    expect(notice.subject).toBe('Access granted: dataset:hes-apc until Tue 8 Dec 2026, 21:18 UTC [req-1]');
    expect(notice.facts).toContainEqual(['Next review', 'Wed 2 Dec 2026, 10:00 UTC']);
    const email = noticeEmail('gus@acmesoft.example', 'Gus', notice);
    const slack = noticeMessage(notice);
    expect(readable(email)).not.toMatch(ISO_TIME);
    expect(JSON.stringify(slack)).not.toMatch(ISO_TIME);
    expect(JSON.stringify(slack)).toContain('Tue 8 Dec 2026, 21:18 UTC');
  });

  it('words every other time a notice names', () => {
    expect(expiryReminderNotice(active).headline).toBe('Your access expires at Tue 8 Dec 2026, 21:18 UTC.');
    expect(timedOutNotice(pending).facts).toContainEqual(['Window closed at', 'Tue 1 Dec 2026, 10:00 UTC']);
    const denied = deniedNotice(
      {
        ...pending,
        status: 'DENIED',
        closedBy: 'dir-ben',
        closedAt: '2026-11-28T11:00:00.000Z',
        reason: 'No',
      },
      names,
    );
    expect(denied.facts).toContainEqual(['Decided at', 'Sat 28 Nov 2026, 11:00 UTC']);
    expect(deniedNotice({ ...pending, status: 'DENIED' }, names).facts).toContainEqual(['Decided at', '—']);
  });
});
