// The server-rendered pages people read (issue 18 §4): exactly one <main>, nothing outside a landmark, datasets by
// title and sensitivity (never `dataset:<id>`), the requester's organisation, grade and clearance, durations and
// times in words, and the transparency page's grammar and table alignment.
import { describe, expect, it } from 'vitest';
import { EMPTY_CHAIN } from '../../../lambdas/core/audit.ts';
import { NotFoundError } from '../../../lambdas/core/errors.ts';
import type { AccessRequest, Dataset, Principal } from '../../../lambdas/core/model.ts';
import type { StoredRequest } from '../../../lambdas/core/ports.ts';
import type { TransparencyReport } from '../../../lambdas/core/transparency.ts';
import {
  approvalPage,
  decisionRecordedPage,
  errorPage,
} from '../../../lambdas/presentation/approval-page.ts';
import { scopeInWords } from '../../../lambdas/presentation/request-summary.ts';
import { reviewPage } from '../../../lambdas/presentation/review-page.ts';
import { transparencyPage } from '../../../lambdas/presentation/transparency-page.ts';
import {
  bodyOf,
  bodyOutline,
  definitions,
  elements,
  type HtmlElement,
  parseHtml,
  textOf,
} from '../../support/html-outline.ts';

const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const ISO_DURATION = /\bP(?:T?\d)/;
const LANDMARKS = ['header', 'main', 'footer'];

const catalogue: ReadonlyMap<string, Dataset> = new Map(
  (
    [
      {
        id: 'hes-apc',
        title: 'Hospital Episode Statistics — Admitted Patient Care',
        sensitivity: 'identifiable',
      },
      { id: 'ae-agg', title: 'A&E Attendances (aggregate)', sensitivity: 'aggregate' },
    ] satisfies Dataset[]
  ).map((dataset) => [dataset.id, dataset]),
);

const director: Principal = {
  id: 'dir-ada',
  name: 'Ada Director',
  email: 'dir-ada@nhse.example',
  organisation: 'NHSE',
  grade: 'director',
  clearance: { level: 'DV', expiresAt: '2028-01-01T00:00:00.000Z' },
  roles: [],
  active: true,
};
const requester: Principal = {
  id: 'ext-gus',
  name: 'Gus Contractor',
  email: 'gus@acmesoft.example',
  organisation: 'AcmeSoft',
  grade: 'senior-consultant',
  clearance: { level: 'SC', expiresAt: '2027-06-30T00:00:00.000Z' },
  roles: [],
  active: true,
};

const pending: AccessRequest = {
  id: 'req-1',
  requester: 'ext-gus',
  requesterOrganisation: 'AcmeSoft',
  external: true,
  scopes: ['dataset:hes-apc', 'dataset:ae-agg'],
  duration: 'PT4H',
  justification: 'Validate the linkage of <admitted> episodes',
  createdAt: '2026-12-08T17:18:00.000Z',
  status: 'PENDING_APPROVAL',
  approvalsRequired: 1,
  approvals: [],
  approvalDeadline: '2026-12-08T21:18:00.000Z',
  countsAgainstCap: false,
};

const active: AccessRequest = {
  ...pending,
  scopes: ['dataset:hes-apc'],
  status: 'ACTIVE',
  grant: {
    grantedAt: '2026-12-01T09:00:00.000Z',
    expiresAt: '2026-12-08T21:18:00.000Z',
    approvedBy: ['dir-ben'],
    nextReviewAt: '2026-12-05T09:00:00.000Z',
  },
  review: {
    dueAt: '2026-12-05T09:00:00.000Z',
    promptedAt: '2026-12-05T09:00:01.000Z',
    deadline: '2026-12-07T09:30:00.000Z',
    reviewers: ['dir-ada'],
  },
};

const stored = (request: AccessRequest): StoredRequest => ({ ...request, audit: EMPTY_CHAIN });
const seats = { inUse: 1, cap: 5 };

/** The rule every page keeps: only header, main and footer in <body>, no loose text, and one <main>. */
function expectLandmarks(html: string): HtmlElement {
  const outline = bodyOutline(html);
  expect(outline.strayText).toEqual([]);
  expect(outline.tags.length).toBeGreaterThan(0);
  for (const tag of outline.tags) expect(LANDMARKS).toContain(tag);
  const mains = elements(parseHtml(html), 'main');
  expect(mains).toHaveLength(1);
  const main = mains[0] as HtmlElement;
  expect(elements(main, 'h1')).toHaveLength(1);
  expect(elements(bodyOf(html), 'h1')).toHaveLength(1);
  return main;
}

/** What a person reads on the page (no markup, no style sheet). */
const visible = (html: string) => textOf(bodyOf(html));

describe('approval page', () => {
  const html = approvalPage({
    request: stored(pending),
    requester,
    approver: director,
    seats,
    datasets: catalogue,
  }).body as string;

  it('has one <main> holding the h1 and the form, and nothing outside header, main and footer', () => {
    const main = expectLandmarks(html);
    expect(textOf(elements(main, 'h1')[0] as HtmlElement).trim()).toBe('Approve access for Gus Contractor?');
    expect(elements(main, 'form')).toHaveLength(1);
    expect(textOf(elements(bodyOf(html), 'header')[0] as HtmlElement).trim()).toBe('Keyholder');
  });

  it('names the datasets by title and sensitivity, never by their dataset: ids', () => {
    const facts = new Map(definitions(html));
    expect(facts.get('Scopes')).toBe(
      'Hospital Episode Statistics — Admitted Patient Care (identifiable), A&E Attendances (aggregate)',
    );
    expect(html).not.toContain('dataset:');
    expect(html).not.toContain('hes-apc');
  });

  it("shows the requester's organisation, grade and clearance", () => {
    const facts = new Map(definitions(html));
    expect(facts.get('Organisation')).toBe('AcmeSoft (external)');
    expect(facts.get('Grade')).toBe('senior-consultant');
    expect(facts.get('Clearance')).toBe('SC, valid until Wed 30 Jun 2027');
  });

  it('gives the duration and the deadline in words, and no ISO value', () => {
    const facts = new Map(definitions(html));
    expect(facts.get('Duration')).toBe('4 hours');
    expect(facts.get('Decide by')).toBe('Tue 8 Dec 2026, 21:18 UTC');
    expect(visible(html)).not.toMatch(ISO_TIME);
    expect(visible(html)).not.toMatch(ISO_DURATION);
  });

  it('escapes free text', () => {
    expect(html).toContain('Validate the linkage of &lt;admitted&gt; episodes');
    expect(new Map(definitions(html)).get('Justification')).toBe(
      'Validate the linkage of <admitted> episodes',
    );
  });

  it('says when the requester has no clearance, and keeps the frame on confirmation and error pages', () => {
    const uncleared = approvalPage({
      request: stored(pending),
      requester: { ...requester, clearance: undefined },
      approver: director,
      seats,
      datasets: catalogue,
    }).body as string;
    expect(new Map(definitions(uncleared)).get('Clearance')).toBe('none');
    expectLandmarks(decisionRecordedPage(stored({ ...pending, status: 'DENIED' }), 'deny').body as string);
    expectLandmarks(errorPage(new NotFoundError('approval link', 'unknown')).body as string);
  });
});

describe('review page', () => {
  const html = reviewPage({
    request: stored(active),
    holder: requester,
    reviewer: director,
    datasets: catalogue,
  }).body as string;

  it('has one <main> and nothing outside header, main and footer', () => {
    const main = expectLandmarks(html);
    expect(textOf(elements(main, 'h1')[0] as HtmlElement).trim()).toBe('Review access of Gus Contractor');
    expect(elements(main, 'form')).toHaveLength(1);
  });

  it('names the dataset by title and sensitivity, and the holder by organisation, grade and clearance', () => {
    const facts = new Map(definitions(html));
    expect(facts.get('Scope')).toBe('Hospital Episode Statistics — Admitted Patient Care (identifiable)');
    expect(facts.get('Organisation')).toBe('AcmeSoft (external)');
    expect(facts.get('Grade')).toBe('senior-consultant');
    expect(facts.get('Clearance')).toBe('SC, valid until Wed 30 Jun 2027');
    expect(html).not.toContain('dataset:');
  });

  it('gives how long the grant runs and its times in words', () => {
    const facts = new Map(definitions(html));
    expect(facts.get('Duration')).toBe('7 days 12 hours 18 minutes');
    expect(facts.get('Granted')).toBe('Tue 1 Dec 2026, 09:00 UTC');
    expect(facts.get('Expires')).toBe('Tue 8 Dec 2026, 21:18 UTC');
    expect(facts.get('Answer by')).toBe('Mon 7 Dec 2026, 09:30 UTC');
    expect(visible(html)).not.toMatch(ISO_TIME);
    expect(visible(html)).not.toMatch(ISO_DURATION);
  });
});

describe('scopeInWords', () => {
  it('reads admin, a catalogued dataset, a title that already says its sensitivity, and an unknown id', () => {
    expect(scopeInWords('admin', catalogue)).toBe('Admin: the whole safe haven');
    expect(scopeInWords('dataset:hes-apc', catalogue)).toBe(
      'Hospital Episode Statistics — Admitted Patient Care (identifiable)',
    );
    expect(scopeInWords('dataset:ae-agg', catalogue)).toBe('A&E Attendances (aggregate)');
    expect(scopeInWords('dataset:gone', catalogue)).toBe('gone (not in the catalogue)');
    // Emails and Slack messages built without the catalogue keep the scope as stored.
    expect(scopeInWords('dataset:hes-apc')).toBe('dataset:hes-apc');
  });
});

describe('transparency page', () => {
  const report = (overrides: Partial<TransparencyReport> = {}): TransparencyReport => ({
    generatedAt: '2026-12-08T21:18:00.000Z',
    window: { from: '2026-11-08T21:18:00.000Z', to: '2026-12-08T21:18:00.000Z', days: 30 },
    externalAdminSeats: { inUse: 1, cap: 5 },
    activeGrants: {
      total: 12,
      byScope: [
        { key: 'dataset:hes-apc', count: 11 },
        { key: 'admin', count: 1 },
      ],
      byOrganisation: [{ key: 'AcmeSoft', count: 12 }],
    },
    lastWindow: {
      grants: 1,
      denials: 2,
      revocations: { total: 1, byReason: [{ key: 'REVOKED_BY_STAFF', count: 1 }] },
      timeouts: 0,
      capRejections: 0,
      expiries: 3,
    },
    medianApprovedDurationHours: 4.5,
    reviews: { onTime: 1, overdue: 0 },
    outOfBandAccess: 0,
    chainHead: {
      verified: true,
      verifiedAt: '2026-12-08T21:00:00.000Z',
      streams: 1,
      events: 1,
      digest: 'abc123',
    },
    ...overrides,
  });
  const html = transparencyPage(report(), catalogue);
  const figure = (id: string, page = html) => {
    const item = elements(bodyOf(page), 'li').find((element) => element.attributes['data-figure'] === id);
    if (!item) throw new Error(`no figure ${id}`);
    return textOf(item).trim();
  };

  it('has one <main> and nothing outside header, main and footer', () => {
    const main = expectLandmarks(html);
    expect(textOf(elements(main, 'h1')[0] as HtmlElement).trim()).toBe(
      'Who can access identifiable patient data',
    );
    const footer = elements(bodyOf(html), 'footer')[0] as HtmlElement;
    expect(elements(footer, 'a')[0]?.attributes.href).toBe('?format=json');
  });

  it('names datasets by title and sensitivity, not by dataset: id', () => {
    const byScope = elements(bodyOf(html), 'table').find((t) => t.attributes['data-table'] === 'by-scope');
    const cells = elements(byScope as HtmlElement, 'tbody').flatMap((body) =>
      elements(body, 'tr').map((row) => elements(row, 'td').map((cell) => textOf(cell).trim())),
    );
    expect(cells).toEqual([
      ['Hospital Episode Statistics — Admitted Patient Care (identifiable)', '11'],
      ['Admin: the whole safe haven', '1'],
    ]);
    expect(visible(html)).not.toContain('dataset:');
  });

  it('agrees in number: 1 event in 1 hash chain, 1 grant made, 2 requests denied', () => {
    const chain = elements(bodyOf(html), 'p').find((p) => p.attributes['data-figure'] === 'chain');
    expect(textOf(chain as HtmlElement)).toContain('1 event in 1 hash chain.');
    expect(figure('grants')).toBe('1 grant made');
    expect(figure('denials')).toBe('2 requests denied');
    expect(figure('active')).toBe('12 active grants');
    expect(figure('reviews-on-time')).toBe('1 review done on time');
    const many = transparencyPage(
      report({
        chainHead: {
          verified: true,
          verifiedAt: '2026-12-08T21:00:00.000Z',
          streams: 3,
          events: 40,
          digest: 'x',
        },
      }),
      catalogue,
    );
    expect(visible(many)).toContain('40 events in 3 hash chains.');
    expect(
      visible(transparencyPage(report({ window: { ...report().window, days: 1 } }), catalogue)),
    ).toContain('The last day');
    expect(visible(html)).toContain('The last 30 days');
  });

  it('gives the median duration and times in words', () => {
    expect(figure('median-duration')).toBe('4 hours 30 minutes median approved duration');
    expect(visible(html)).toContain('Figures as of Tue 8 Dec 2026, 21:18 UTC.');
    expect(visible(html)).not.toMatch(ISO_TIME);
    expect(figure('median-duration', transparencyPage(report({ medianApprovedDurationHours: null })))).toBe(
      '– median approved duration',
    );
  });

  it('right-aligns the count column, its header and its cells alike', () => {
    const css = elements(parseHtml(html), 'style')
      .flatMap((style) => style.children)
      .join('');
    expect(css).toMatch(/th\.count,td\.count\{text-align:right/);
    for (const table of elements(bodyOf(html), 'table')) {
      const headers = elements(table, 'th');
      expect(headers.map((th) => th.attributes.class ?? '')).toEqual(['', 'count']);
      for (const row of elements(elements(table, 'tbody')[0] as HtmlElement, 'tr')) {
        expect(elements(row, 'td').map((td) => td.attributes.class ?? '')).toEqual(['', 'count']);
      }
    }
    const reasons = elements(bodyOf(html), 'table').find(
      (t) => t.attributes['data-table'] === 'revocations-by-reason',
    );
    expect(textOf(elements(reasons as HtmlElement, 'td')[0] as HtmlElement).trim()).toBe('Revoked by staff');
  });
});
