// People read times and durations in words (issue 14): "8 hours", not PT8H; "Tue 1 Dec 2026, 10:00 UTC", not an
// ISO timestamp — in approval, extension and review emails and pages, notices and Slack messages alike.
import { describe, expect, it } from 'vitest';
import { EMPTY_CHAIN } from '../../../lambdas/core/audit.ts';
import type { AccessRequest, Dataset, Principal } from '../../../lambdas/core/model.ts';
import type { StoredRequest } from '../../../lambdas/core/ports.ts';
import { approvalEmail } from '../../../lambdas/presentation/approval-email.ts';
import { approvalPage } from '../../../lambdas/presentation/approval-page.ts';
import { extensionEmail, extensionOutcome } from '../../../lambdas/presentation/extension-email.ts';
import { noticeEmail } from '../../../lambdas/presentation/notification-email.ts';
import {
  decidedElsewhereNotice,
  deniedNotice,
  expiredNotice,
  expiryReminderNotice,
  failedNotice,
  grantedNotice,
  rejectedNotice,
  revokedNotice,
  timedOutNotice,
} from '../../../lambdas/presentation/notification-messages.ts';
import { reviewEmail } from '../../../lambdas/presentation/review-email.ts';
import { reviewPage, reviewRecordedPage } from '../../../lambdas/presentation/review-page.ts';
import {
  approvalPromptMessage,
  noticeMessage,
  reviewPromptMessage,
} from '../../../lambdas/presentation/slack-blocks.ts';

const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const ISO_DURATION = /\bP(?:T?\d)/;
const SCOPE_ID = /dataset:|\bhes-apc\b/;

const datasets: ReadonlyMap<string, Dataset> = new Map([
  [
    'hes-apc',
    {
      id: 'hes-apc',
      title: 'Hospital Episode Statistics: Admitted Patient Care',
      sensitivity: 'identifiable',
    },
  ],
]);
const HES = 'Hospital Episode Statistics: Admitted Patient Care (identifiable)';

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

const due: AccessRequest = {
  ...active,
  review: {
    dueAt: '2026-12-02T10:00:00.000Z',
    promptedAt: '2026-12-02T10:00:01.000Z',
    deadline: '2026-12-09T09:30:00.000Z',
    reviewers: ['dir-ada'],
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
      datasets,
    });
    expect(email.subject).toBe(
      'Approval needed: Gus Contractor requests Admin: the whole safe haven for 8 hours [req-1]',
    );
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
      datasets,
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
      datasets,
    });
    expect(email.subject).toBe(`Extension needs approval: Gus Contractor asks for 2 days on ${HES} [req-1]`);
    expect(email.text).toContain(`Scope: ${HES}`);
    expect(email.html).toContain(`<td>${HES}</td>`);
    expect(readable(email)).not.toMatch(SCOPE_ID);
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
  it('says by when to answer, and the grant times, in words', () => {
    const email = reviewEmail({
      request: due,
      holder: requester,
      reviewer: director,
      link: 'https://k/review/t',
      datasets,
    });
    expect(email.subject).toBe(`Review needed: should Gus Contractor keep ${HES}? [req-1]`);
    expect(email.text).toContain(`Scope: ${HES}`);
    expect(readable(email)).not.toMatch(SCOPE_ID);
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
    const notice = grantedNotice(active, names, datasets);
    expect(notice.subject).toBe(`Access granted: ${HES} until Tue 8 Dec 2026, 21:18 UTC [req-1]`);
    expect(notice.facts).toContainEqual(['Scope', HES]);
    expect(notice.facts).toContainEqual(['Next review', 'Wed 2 Dec 2026, 10:00 UTC']);
    const email = noticeEmail('gus@acmesoft.example', 'Gus', notice);
    const slack = noticeMessage(notice);
    expect(readable(email)).not.toMatch(ISO_TIME);
    expect(JSON.stringify(slack)).not.toMatch(ISO_TIME);
    expect(JSON.stringify(slack)).toContain('Tue 8 Dec 2026, 21:18 UTC');
    expect(JSON.stringify(slack)).toContain(HES);
    expect(readable(email)).toContain(HES);
    expect(`${readable(email)}\n${JSON.stringify(slack)}`).not.toMatch(SCOPE_ID);
  });

  it('words every other time a notice names', () => {
    expect(expiryReminderNotice(active, datasets).headline).toBe(
      'Your access expires at Tue 8 Dec 2026, 21:18 UTC.',
    );
    expect(timedOutNotice(pending, datasets).facts).toContainEqual([
      'Window closed at',
      'Tue 1 Dec 2026, 10:00 UTC',
    ]);
    const denied = deniedNotice(
      {
        ...pending,
        status: 'DENIED',
        closedBy: 'dir-ben',
        closedAt: '2026-11-28T11:00:00.000Z',
        reason: 'No',
      },
      names,
      datasets,
    );
    expect(denied.facts).toContainEqual(['Decided at', 'Sat 28 Nov 2026, 11:00 UTC']);
    expect(deniedNotice({ ...pending, status: 'DENIED' }, names, datasets).facts).toContainEqual([
      'Decided at',
      '—',
    ]);
  });
});

// Issue 18 §4: every message people read names a dataset by its title and sensitivity, never `dataset:hes-apc`.
describe('datasets by title and sensitivity', () => {
  const names = { 'dir-ben': 'Ben Director' };
  const onHes: AccessRequest = { ...pending, scopes: ['dataset:hes-apc'], countsAgainstCap: false };
  const slackText = (message: { text: string; blocks: readonly unknown[] }) =>
    `${message.text}\n${JSON.stringify(message.blocks)}`;

  it('names the dataset in the approval email subject, text and HTML', () => {
    const email = approvalEmail({
      request: onHes,
      requester,
      approver: director,
      link: 'https://k/a',
      datasets,
    });
    expect(email.subject).toBe(`Approval needed: Gus Contractor requests ${HES} for 8 hours [req-1]`);
    expect(email.text).toContain(`Scope: ${HES}`);
    expect(email.html).toContain(`<td>${HES}</td>`);
    expect(readable(email)).not.toMatch(SCOPE_ID);
  });

  it('names the dataset in the Slack approval prompt and its fallback text', () => {
    const message = approvalPromptMessage({ request: onHes, requester, approver: director, names, datasets });
    expect(message.text).toBe(`Approval needed: Gus Contractor requests ${HES} for 8 hours [req-1]`);
    expect(JSON.stringify(message.blocks)).toContain(`asks for *${HES}*.`);
    expect(slackText(message)).not.toMatch(SCOPE_ID);
  });

  it('names the dataset in the Slack review prompt and its fallback text', () => {
    const message = reviewPromptMessage({ request: due, holder: requester, reviewer: director, datasets });
    expect(message.text).toBe(`Review needed: should Gus Contractor keep ${HES}? [req-1]`);
    expect(JSON.stringify(message.blocks)).toContain(`keep *${HES}*?`);
    expect(slackText(message)).not.toMatch(SCOPE_ID);
  });

  it('names the dataset in every notice, by email and in Slack', () => {
    const closed = { ...active, closedBy: 'dir-ben', closedAt: '2026-12-01T10:00:00.000Z', reason: 'Done' };
    const notices = [
      grantedNotice(active, names, datasets),
      deniedNotice({ ...onHes, status: 'DENIED', closedBy: 'dir-ben' }, names, datasets),
      timedOutNotice(onHes, datasets),
      rejectedNotice({ ...onHes, status: 'REJECTED', reason: 'CAP_REACHED' }, undefined, datasets),
      failedNotice({ ...onHes, status: 'FAILED' }, datasets),
      revokedNotice({ ...closed, status: 'REVOKED' }, names, datasets),
      expiredNotice({ ...closed, status: 'EXPIRED' }, datasets),
      expiryReminderNotice(active, datasets),
      decidedElsewhereNotice({ ...onHes, status: 'DENIED', closedBy: 'dir-ben' }, names, datasets),
    ];
    for (const notice of notices) {
      expect(notice.facts, notice.kind).toContainEqual(['Scope', HES]);
      const email = noticeEmail('gus@acmesoft.example', 'Gus', notice);
      const slack = noticeMessage(notice);
      expect(readable(email), notice.kind).toContain(HES);
      expect(slackText(slack), notice.kind).toContain(HES);
      expect(`${readable(email)}\n${slackText(slack)}`, notice.kind).not.toMatch(SCOPE_ID);
    }
  });

  it('names a dataset the catalogue no longer holds by its id, saying so', () => {
    const gone: AccessRequest = { ...onHes, scopes: ['dataset:retired-set'] };
    const email = approvalEmail({
      request: gone,
      requester,
      approver: director,
      link: 'https://k/a',
      datasets,
    });
    expect(email.subject).toContain('requests retired-set (not in the catalogue) for 8 hours');
    expect(email.text).toContain('Scope: retired-set (not in the catalogue)');
    const notice = timedOutNotice(gone, datasets);
    expect(notice.facts).toContainEqual(['Scope', 'retired-set (not in the catalogue)']);
  });

  it('lists several datasets by title, a title that says its sensitivity not told it twice', () => {
    const both = new Map([
      ...datasets,
      ['ae-agg', { id: 'ae-agg', title: 'A&E Attendances (aggregate)', sensitivity: 'aggregate' as const }],
    ]);
    const request: AccessRequest = { ...onHes, scopes: ['dataset:hes-apc', 'dataset:ae-agg'] };
    const email = approvalEmail({
      request,
      requester,
      approver: director,
      link: 'https://k/a',
      datasets: both,
    });
    expect(email.subject).toContain(`requests ${HES}, A&E Attendances (aggregate) for`);
    expect(email.text).toContain(`Scopes: ${HES}, A&E Attendances (aggregate)`);
    expect(email.html).toContain('A&amp;E Attendances (aggregate)');
    const message = approvalPromptMessage({ request, requester, approver: director, names, datasets: both });
    expect(message.text).toContain('A&amp;E Attendances (aggregate)');
  });
});

// Reason codes and statuses are recorded as codes (JSON, audit) and read as words (lambdas/core/reason-words.ts).
describe('reasons and statuses in words', () => {
  const names = { 'dir-ben': 'Ben Director' };
  const CODE = /\b[A-Z]+_[A-Z_]+\b/;
  const everything = (notice: ReturnType<typeof rejectedNotice>) => {
    const email = noticeEmail('gus@acmesoft.example', 'Gus', notice);
    const slack = noticeMessage(notice);
    return `${readable(email)}\n${slack.text}\n${JSON.stringify(slack.blocks)}`;
  };

  it('says why a request was rejected, revoked or cancelled without a code', () => {
    const closedAt = '2026-12-01T10:00:00.000Z';
    const rejected = rejectedNotice(
      { ...pending, status: 'REJECTED', reason: 'CAP_REACHED', closedAt },
      undefined,
      datasets,
    );
    expect(rejected.facts).toContainEqual(['Reason', 'The external-admin cap was full.']);
    const lapsed = revokedNotice(
      { ...active, status: 'REVOKED', reason: 'CLEARANCE_LAPSED', closedAt },
      names,
      datasets,
    );
    expect(lapsed.facts).toContainEqual(['Reason', "The holder's clearance lapsed."]);
    const byHand = revokedNotice(
      { ...active, status: 'REVOKED', reason: 'Project over', closedAt },
      names,
      datasets,
    );
    expect(byHand.facts).toContainEqual(['Reason', 'Project over']);
    const elsewhere = decidedElsewhereNotice(
      { ...pending, status: 'REJECTED', reason: 'CAP_REACHED', closedAt },
      names,
      datasets,
    );
    expect(elsewhere.headline).toBe(
      'Request req-1 no longer needs your decision: it was rejected because the external-admin cap was full.',
    );
    expect(elsewhere.facts).toContainEqual(['Status', 'Rejected']);
    for (const notice of [rejected, lapsed, elsewhere])
      expect(everything(notice), notice.kind).not.toMatch(CODE);
  });

  it('spells out a code it has no words for instead of showing it raw', () => {
    const odd = failedNotice({ ...pending, status: 'FAILED', reason: 'PLATFORM_QUOTA_EXCEEDED' }, datasets);
    expect(odd.facts).toContainEqual(['Reason', 'Platform quota exceeded.']);
    expect(everything(odd)).not.toMatch(CODE);
  });
});
