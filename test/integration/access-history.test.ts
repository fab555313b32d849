// Who had access when, against a scripted history on DynamoDB Local: point-in-time answers, principal and scope
// histories, the CSV exports, and the transparency figures (with no personal data in them).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbAccessHistory } from '../../lambdas/adapters/dynamodb/access-history.ts';
import { DynamoDbAuditLedger } from '../../lambdas/adapters/dynamodb/audit-ledger.ts';
import { DynamoDbRequestStore } from '../../lambdas/adapters/dynamodb/request-store.ts';
import { parseCsv } from '../../lambdas/core/csv.ts';
import type { Directory } from '../../lambdas/core/ports.ts';
import { accessCsv, accessHistory } from '../../lambdas/use-cases/access-history.ts';
import { auditCsv } from '../../lambdas/use-cases/audit-export.ts';
import { liveTransparencyReport } from '../../lambdas/use-cases/transparency.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';
import { directory, people, policy } from '../support/fixtures.ts';
import { at, SCRIPTED_PEOPLE, scriptHistory, T0 } from '../support/scripted-history.ts';

let tables: TestTables;
const NOW = at('PT75H');

function deps(now = NOW) {
  return {
    clock: { now: () => now },
    policy,
    directory: { listPrincipals: async () => [...directory] } as unknown as Directory,
    store: new DynamoDbRequestStore(tables.documentClient, tables),
    history: new DynamoDbAccessHistory(tables.documentClient, tables),
    ledger: new DynamoDbAuditLedger(tables.documentClient, tables),
  };
}

beforeAll(async () => {
  tables = await createTestTables();
  await scriptHistory(new DynamoDbRequestStore(tables.documentClient, tables));
});

afterAll(async () => {
  await tables.cleanup();
});

const holdersAt = async (instant: string) =>
  (await accessHistory(deps(), people.auditor, { at: instant })).map(
    (entry) => `${entry.requestId}:${entry.principal.id}:${entry.scope}`,
  );

describe('GET /access?at= (point in time)', () => {
  it.each([
    ['before any grant', 'PT1H', []],
    ['one dataset grant', 'PT2H30M', ['r1:xena.sc:dataset:hes-apc']],
    ['the instant a grant starts counts', 'PT3H', ['r1:xena.sc:dataset:hes-apc', 'r2:yara.dv:admin']],
    [
      'the instant of a revocation does not',
      'PT5H',
      ['r1:xena.sc:dataset:hes-apc', 'r3:ada.admin:dataset:mhsds'],
    ],
    [
      'an expiry ends access at expiresAt, not at the late expiry step',
      'PT26H30M',
      ['r3:ada.admin:dataset:mhsds'],
    ],
  ])('%s (T0 + %s)', async (_case, offset, expected) => {
    expect(await holdersAt(at(offset))).toEqual(expected);
  });

  it('refuses an instant in the future and callers who may not see access', async () => {
    await expect(accessHistory(deps(), people.auditor, { at: at('PT80H') })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'at',
    });
    await expect(accessHistory(deps(), people.externalScA, { at: T0 })).rejects.toMatchObject({
      code: 'NOT_ALLOWED',
    });
  });
});

describe('histories', () => {
  it("gives one principal's intervals with how they ended", async () => {
    const history = await accessHistory(deps(), people.homeDirector, { principal: 'yara.dv' });
    expect(history).toEqual([
      expect.objectContaining({
        requestId: 'r2',
        scope: 'admin',
        principal: { id: 'yara.dv', name: 'Yara DV', organisation: 'Globex Consulting' },
        from: at('PT3H'),
        to: at('PT5H'),
        until: at('PT5H'),
        endReason: 'REVOKED',
        reason: 'Incident closed, access no longer needed',
        approvedBy: ['dana.director', 'eve.exec'],
      }),
    ]);
  });

  it("gives one scope's intervals, open ones without an end", async () => {
    const history = await accessHistory(deps(), people.auditor, { scope: 'dataset:mhsds' });
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ requestId: 'r3', from: at('PT5H'), until: at('P7DT5H') });
    expect(history[0]?.to).toBeUndefined();
    const expired = await accessHistory(deps(), people.auditor, { scope: 'dataset:hes-apc' });
    expect(expired[0]).toMatchObject({ requestId: 'r1', to: at('PT26H'), endReason: 'EXPIRED' });
  });
});

describe('CSV exports', () => {
  it('access.csv: a header row and one row per scope held at the instant', async () => {
    const { csv } = await accessCsv(deps(), people.auditor, at('PT4H'));
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual([
      'principal_id',
      'principal_name',
      'organisation',
      'scope',
      'request_id',
      'from',
      'until',
      'ended_at',
      'end_reason',
      'reason',
      'approved_by',
      'justification',
    ]);
    expect(rows.slice(1).map((row) => [row[0], row[3], row[7], row[8]])).toEqual([
      ['xena.sc', 'dataset:hes-apc', at('PT26H'), 'EXPIRED'],
      ['yara.dv', 'admin', at('PT5H'), 'REVOKED'],
    ]);
    // Each row carries the justification of the request that granted it, read from the request store.
    const stored = deps().store;
    for (const row of rows.slice(1)) {
      expect(row[11]).toBe((await stored.getRequest(row[4] as string))?.justification);
      expect(row[11]).not.toBe('');
    }
    expect(csv.endsWith('\r\n')).toBe(true);
  });

  it('getRequests reads many requests in batches of 100: every stored one, none that is not, repeats once', async () => {
    // Prepare
    const stored = deps().store;
    const unknown = Array.from({ length: 230 }, (_, index) => `req-none-${index}`);

    // Act
    const found = await stored.getRequests(['r1', ...unknown, 'r3', 'r1']);

    // Assess
    expect([...found.keys()].sort()).toEqual(['r1', 'r3']);
    expect(found.get('r3')).toEqual(await stored.getRequest('r3'));
  });

  it('audit.csv: the events of the range across streams, oldest first, quoted where needed', async () => {
    const { csv } = await auditCsv(deps(), people.auditor, { from: at('PT1H'), to: at('PT3H') });
    const rows = parseCsv(csv);
    expect(rows[0]?.slice(0, 4)).toEqual(['at', 'stream', 'seq', 'action']);
    expect(rows.slice(1).map((row) => `${row[0]} ${row[1]} ${row[3]}`)).toEqual([
      `${at('PT1H')} REQUEST#r1 REQUEST_APPROVED`,
      `${at('PT1H')} REQUEST#r2 APPROVAL_RECORDED`,
      `${at('PT1H')} REQUEST#r2 REQUEST_APPROVED`,
      `${at('PT1H')} REQUEST#r4 REQUEST_SUBMITTED`,
      `${at('PT2H')} REQUEST#r1 GRANT_ACTIVATED`,
      `${at('PT2H')} REQUEST#r4 REQUEST_DENIED`,
    ]);
    // The details column is JSON: it holds commas and quotes, so it is quoted with doubled quotes.
    expect(csv).toContain('"{""approvals"":1,');
    await expect(auditCsv(deps(), people.externalScA, { from: T0 })).rejects.toMatchObject({
      code: 'NOT_ALLOWED',
    });
  });
});

describe('transparency report', () => {
  it('gives the figures of the scripted history', async () => {
    const report = await liveTransparencyReport(deps());
    expect(report).toMatchObject({
      generatedAt: NOW,
      externalAdminSeats: { inUse: 0, cap: 5 },
      activeGrants: {
        total: 1,
        byScope: [{ key: 'dataset:mhsds', count: 1 }],
        byOrganisation: [{ key: 'NHSE', count: 1 }],
      },
      lastWindow: {
        grants: 3,
        denials: 1,
        revocations: { total: 1, byReason: [{ key: 'REVOKED_BY_STAFF', count: 1 }] },
        timeouts: 1,
        capRejections: 0,
        expiries: 1,
      },
      // P1D, PT8H and P7D: the median is 24 hours
      medianApprovedDurationHours: 24,
      reviews: { onTime: 0, overdue: 0 },
      chainHead: { verified: true, streams: 5, events: 16 },
    });
  });

  it('contains no principal id, name or email, and no request id', async () => {
    const json = JSON.stringify(await liveTransparencyReport(deps()));
    for (const person of SCRIPTED_PEOPLE) {
      for (const personal of [person.id, person.name, person.email]) expect(json).not.toContain(personal);
    }
    expect(json).not.toMatch(/"r[1-5]"|REQUEST#/);
  });
});
