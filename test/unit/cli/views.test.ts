// What the CLI prints for people: aligned tables, where a request stands in words, relative and absolute times,
// durations in words, datasets by title, the API's sentences with their ISO values in words; colour only on a TTY.
import { describe, expect, it } from 'vitest';
import type { AccessHistory, AccessNow, RequestView, TimelineView } from '../../../cli/api.ts';
import {
  colourWanted,
  NO_STYLE,
  stripColour,
  styleFor,
  table,
  truncate,
  visibleWidth,
} from '../../../cli/output.ts';
import {
  accessHistoryTable,
  accessNowTable,
  datasetsTable,
  humanise,
  requestDetail,
  requestsTable,
  scopeInWords,
  standing,
  timelineLines,
  titlesOf,
} from '../../../cli/views.ts';

const NOW = Date.parse('2026-12-05T10:53:00Z');
const titles = titlesOf({
  datasets: [
    {
      id: 'hes-apc',
      title: 'Hospital Episode Statistics — Admitted Patient Care',
      sensitivity: 'identifiable',
      owners: [],
    },
    { id: 'gp-records', title: 'GP Data for Planning and Research', sensitivity: 'identifiable', owners: [] },
  ],
});

const pending: RequestView = {
  id: 'req-1',
  status: 'PENDING_APPROVAL',
  requester: 'ext-kim',
  requesterOrganisation: 'Northwind',
  external: true,
  scopes: ['admin'],
  duration: 'PT4H',
  justification: 'Restoring the admissions feed after INC-1042',
  ticket: 'INC-1042',
  createdAt: '2026-12-05T10:50:00.000Z',
  approvalsRequired: 2,
  approvals: [{ approverId: 'dir-ada', decision: 'approve', at: '2026-12-05T10:52:00.000Z', channel: 'api' }],
  approvalDeadline: '2026-12-08T10:50:00.000Z',
};

const active: RequestView = {
  ...pending,
  id: 'req-2',
  status: 'ACTIVE',
  scopes: ['dataset:hes-apc', 'dataset:gp-records'],
  external: false,
  duration: 'PT1H30M',
  grant: {
    grantedAt: '2026-12-05T10:53:00.000Z',
    expiresAt: '2026-12-05T14:05:00.000Z',
    approvedBy: ['dir-ada'],
    nextReviewAt: '2027-01-04T10:53:00.000Z',
  },
};

describe('output', () => {
  it('aligns columns by what a terminal shows, escape sequences included', () => {
    const bold = styleFor({ isTTY: true }, {});
    const text = table(
      ['A', 'BB'],
      [
        [bold.green('ok'), 'x'],
        ['longer', 'y'],
      ],
      bold,
    );
    const lines = text.split('\n').map((line) => stripColour(line));
    expect(lines).toEqual(['A       BB', 'ok      x', 'longer  y']);
    expect(visibleWidth(bold.red('four'))).toBe(4);
    expect(truncate('abcdefghij', 5)).toBe('abcd…');
    expect(truncate('abc', 5)).toBe('abc');
  });

  it('colours only a terminal, never with NO_COLOR or TERM=dumb; FORCE_COLOR forces it', () => {
    expect(colourWanted({ isTTY: true }, {})).toBe(true);
    expect(colourWanted({ isTTY: false }, {})).toBe(false);
    expect(colourWanted({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colourWanted({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(colourWanted({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(colourWanted({ isTTY: false }, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(false);
    expect(styleFor({ isTTY: false }, {}).green('ACTIVE')).toBe('ACTIVE');
  });
});

describe('requests', () => {
  it('says where a request stands, relative and absolute', () => {
    expect(standing(pending, NOW)).toBe('1 of 2 approvals, times out in 3 days, Tue 8 Dec 2026, 10:50 UTC');
    expect(standing(active, NOW)).toBe('expires in 3 h 12 min, 14:05 UTC');
    expect(
      standing(
        { ...active, status: 'REVOKED', closedAt: '2026-12-03T10:53:00.000Z', reason: 'Incident closed' },
        NOW,
      ),
    ).toBe('revoked 2 days ago (Incident closed)');
    expect(standing({ ...pending, status: 'APPROVED' }, NOW)).toBe('approved; access is being granted');
  });

  it('lists requests in an aligned table, datasets by title, durations in words', () => {
    const text = requestsTable([pending, active], { now: NOW, style: NO_STYLE, titles });
    const [header, first, second] = text.split('\n');
    expect(header).toMatch(/^ID\s+STATUS\s+ACCESS\s+FOR\s+REQUESTER\s+WHERE IT STANDS$/);
    expect(first).toContain('Admin: the whole safe haven');
    expect(first).toContain('4 hours');
    expect(second).toContain('Hospital Episode Statistics — Admitted Patient');
    expect(second).toContain('1 hour 30 minutes');
    expect(second).toContain('expires in 3 h 12 min, 14:05 UTC');
    // Aligned: every column starts at the same offset
    const at = (line: string | undefined, word: string) => line?.indexOf(word);
    expect(at(first, 'PENDING_APPROVAL')).toBe(at(header, 'STATUS'));
    expect(at(second, 'ACTIVE')).toBe(at(header, 'STATUS'));
    expect(requestsTable([], { now: NOW, style: NO_STYLE, titles })).toBe('No requests.');
  });

  it('shows a break-glass grant as granted without approval, with how far its review has got', () => {
    const breakGlass: RequestView = {
      ...active,
      approvals: [],
      approvalsRequired: 0,
      breakGlass: {
        reviewDeadline: '2026-12-06T10:53:00Z',
        reviewersRequired: 2,
        reviews: [
          { reviewerId: 'dir-ada', verdict: 'justified', comment: 'Feed down', at: '2026-12-05T10:55:00Z' },
        ],
        outcome: 'OPEN',
      },
    };
    const text = requestDetail(breakGlass, { now: NOW, style: NO_STYLE, titles });
    expect(text).toContain(
      '  break-glass  granted without approval; waiting for review (1 of 2 justified, by Sun 6 Dec 2026, 10:53 UTC (in 1 day))\n',
    );
    expect(text).not.toContain('approvals');
  });

  it('shows one request field by field', () => {
    const text = requestDetail(active, { now: NOW, style: NO_STYLE, titles });
    expect(text.split('\n')[0]).toBe('req-2  ACTIVE  expires in 3 h 12 min, 14:05 UTC');
    expect(text).toContain(
      '  access       dataset:hes-apc  Hospital Episode Statistics — Admitted Patient Care (identifiable)\n',
    );
    expect(text).toContain(
      '               dataset:gp-records  GP Data for Planning and Research (identifiable)\n',
    );
    expect(text).toContain('  for          1 hour 30 minutes\n');
    expect(text).toContain('  requester    ext-kim (Northwind)\n');
    expect(text).toContain('  expires      Sat 5 Dec 2026, 14:05 UTC (in 3 h 12 min)\n');
    expect(text).toContain('  approvals    1 of 2\n               approved by dir-ada, 1 min ago (api)');
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  });

  it('puts the API sentences in words and hides notifications unless asked', () => {
    expect(humanise('Kim requested admin for PT4H.')).toBe('Kim requested admin for 4 hours.');
    expect(humanise('Kim was granted admin until 2026-12-05T14:05:00.000Z.')).toBe(
      'Kim was granted admin until Sat 5 Dec 2026, 14:05 UTC.',
    );
    expect(humanise('PROVISIONING_STARTED PT')).toBe('PROVISIONING_STARTED PT');
    const timeline: TimelineView = {
      events: [
        {
          at: '2026-12-05T10:50:00.000Z',
          type: 'REQUEST_SUBMITTED',
          actor: { id: 'ext-kim', name: 'Kim' },
          summary: 'Kim requested admin for PT4H.',
        },
        {
          at: '2026-12-05T10:50:01.000Z',
          type: 'NOTIFICATION_SENT',
          actor: null,
          summary: 'Keyholder notified Ada by email.',
        },
      ],
    };
    const brief = timelineLines(timeline, { now: NOW, style: NO_STYLE });
    expect(brief).toContain('Sat 5 Dec 2026, 10:50 UTC  3 min ago  Kim requested admin for 4 hours.');
    expect(brief).not.toContain('notified');
    expect(brief).toContain('(1 notification not shown: --all shows them)');
    expect(timelineLines(timeline, { now: NOW, style: NO_STYLE, all: true })).toContain(
      'Keyholder notified Ada by email.',
    );
  });
});

describe('access and datasets', () => {
  it('shows who holds what now, with out-of-band access called out', () => {
    const answer: AccessNow = {
      at: '2026-12-05T10:53:00.000Z',
      access: [
        {
          principal: { id: 'ext-kim', name: 'Kim Consultant', organisation: 'Northwind' },
          requestId: 'req-2',
          scopes: ['admin'],
          grantedAt: '2026-12-05T10:43:00.000Z',
          expiresAt: '2026-12-05T14:05:00.000Z',
          approvedBy: ['dir-ada', 'dir-ben'],
          overRules: [],
        },
      ],
      outOfBand: [
        {
          provider: 'platform',
          principalId: 'ext-zed',
          scope: 'dataset:hes-apc',
          firstSeenAt: '2026-12-05T09:00:00.000Z',
        },
      ],
      outOfBandCount: 1,
    };
    const text = accessNowTable(answer, { now: NOW, style: NO_STYLE, titles, atGiven: false });
    expect(text).toContain('Who holds access now (Sat 5 Dec 2026, 10:53 UTC):');
    expect(text).toMatch(
      /Kim Consultant \(ext-kim\)\s+Northwind\s+Admin: the whole safe haven\s+10 min ago\s+in 3 h 12 min, 14:05 UTC\s+dir-ada, dir-ben\s+req-2/,
    );
    expect(text).toContain('1 access held on a platform without a Keyholder grant:');
    expect(text).toContain('Hospital Episode Statistics — Admitted Patient Care');
    expect(
      accessNowTable(
        { ...answer, access: [], outOfBand: [], outOfBandCount: 0 },
        { now: NOW, style: NO_STYLE, titles, atGiven: true },
      ),
    ).toBe('Who held access at Sat 5 Dec 2026, 10:53 UTC (just now):\nNobody.');
  });

  it('shows a history with running and ended intervals', () => {
    const answer: AccessHistory = {
      principal: 'ext-kim',
      intervals: [
        {
          principal: { id: 'ext-kim', name: 'Kim Consultant', organisation: 'Northwind' },
          requestId: 'req-2',
          scope: 'dataset:hes-apc',
          from: '2026-12-01T09:00:00.000Z',
          until: '2026-12-01T13:00:00.000Z',
          to: '2026-12-01T12:00:00.000Z',
          endReason: 'REVOKED',
          approvedBy: ['dir-ada'],
        },
        {
          principal: { id: 'ext-kim', name: 'Kim Consultant', organisation: 'Northwind' },
          requestId: 'req-3',
          scope: 'admin',
          from: '2026-12-05T09:00:00.000Z',
          until: '2026-12-05T13:00:00.000Z',
          approvedBy: ['dir-ada', 'dir-ben'],
        },
      ],
    };
    const text = accessHistoryTable(answer, { now: NOW, style: NO_STYLE, titles });
    expect(text.split('\n')[0]).toBe('Access history of ext-kim:');
    expect(text).toMatch(
      /Hospital Episode Statistics — Admitted Patient…\s+Tue 1 Dec 2026, 09:00 UTC\s+Tue 1 Dec 2026, 12:00 UTC\s+REVOKED\s+req-2/,
    );
    expect(text).toContain('active, until Sat 5 Dec 2026, 13:00 UTC');
  });

  it('lists the catalogue as scopes to ask for', () => {
    const text = datasetsTable(
      {
        datasets: [
          { id: 'hes-apc', title: 'Hospital Episode Statistics', sensitivity: 'identifiable', owners: [] },
        ],
      },
      NO_STYLE,
    );
    expect(text).toBe(
      'SCOPE            TITLE                        SENSITIVITY\ndataset:hes-apc  Hospital Episode Statistics  identifiable',
    );
    expect(scopeInWords('dataset:unknown', titles)).toBe('unknown (not in the catalogue)');
    // The catalogue could not be read: scopes show as stored, not as missing from it.
    expect(scopeInWords('dataset:hes-apc', titlesOf(undefined))).toBe('dataset:hes-apc');
    expect(scopeInWords('admin', titlesOf(undefined))).toBe('admin');
  });
});
