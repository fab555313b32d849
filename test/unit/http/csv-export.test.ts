// The CSV exports (issue 18 §4): `?bom=true|false` (default false) starts the body with a UTF-8 byte order mark
// so Excel on Windows reads names right, a bad value is refused naming `bom`, and the access export carries each
// request's justification, quoted and defused like every other free-text field.
import { describe, expect, it } from 'vitest';
import type { AccessInterval } from '../../../lambdas/core/access-history.ts';
import { parseCsv } from '../../../lambdas/core/csv.ts';
import { ValidationError } from '../../../lambdas/core/errors.ts';
import type { AccessHistory, Directory, StoredRequest } from '../../../lambdas/core/ports.ts';
import { csvResponse, UTF8_BOM } from '../../../lambdas/http/csv-response.ts';
import { type HttpEvent, queryOf } from '../../../lambdas/http/request.ts';
import { accessCsvQuery } from '../../../lambdas/http/schemas/access-csv.ts';
import { auditCsvQuery } from '../../../lambdas/http/schemas/audit-csv.ts';
import { accessCsv } from '../../../lambdas/use-cases/access-history.ts';
import { directory, people, policy } from '../../support/fixtures.ts';

const eventWith = (query: Record<string, string>) =>
  ({ queryStringParameters: query }) as unknown as HttpEvent;
const FROM = '2026-12-01T00:00:00.000Z';

describe('the bom query parameter', () => {
  it.each([
    ['access.csv', accessCsvQuery, {}],
    ['audit.csv', auditCsvQuery, { from: FROM }],
  ] as const)('%s: false unless bom=true', (_route, schema, required) => {
    expect(queryOf(eventWith({ ...required }), schema).bom).toBe(false);
    expect(queryOf(eventWith({ ...required, bom: 'false' }), schema).bom).toBe(false);
    expect(queryOf(eventWith({ ...required, bom: 'true' }), schema).bom).toBe(true);
  });

  it.each([
    ['access.csv', accessCsvQuery, {}],
    ['audit.csv', auditCsvQuery, { from: FROM }],
  ] as const)('%s: any other value is a validation error naming bom', (_route, schema, required) => {
    for (const bad of ['yes', '1', 'TRUE', '', 'true ']) {
      let thrown: unknown;
      try {
        queryOf(eventWith({ ...required, bom: bad }), schema);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ValidationError);
      expect(thrown).toMatchObject({ code: 'VALIDATION_FAILED', field: 'bom' });
      expect((thrown as Error).message).toBe('bom must be true or false');
    }
  });
});

describe('csvResponse', () => {
  const csv = 'principal_id,principal_name\r\nzoe,Zoë Ångström\r\n';

  it('starts with the UTF-8 byte order mark only when asked', () => {
    const withBom = csvResponse('access.csv', csv, { bom: true }).body as string;
    expect(withBom).toBe(`\uFEFF${csv}`);
    expect(UTF8_BOM).toBe('\uFEFF');
    expect([...Buffer.from(withBom, 'utf8').subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csvResponse('access.csv', csv).body).toBe(csv);
    expect(csvResponse('access.csv', csv, { bom: false }).body).toBe(csv);
    expect(Buffer.from(csvResponse('access.csv', csv).body as string, 'utf8')[0]).toBe(0x70);
  });

  it('keeps the content type and attachment either way', () => {
    for (const bom of [true, false]) {
      const headers = csvResponse('access-now.csv', csv, { bom }).headers ?? {};
      expect(headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
      expect(headers['content-disposition']).toBe('attachment; filename="access-now.csv"');
    }
  });
});

describe('access.csv justification column', () => {
  const NOW = '2026-12-08T12:00:00.000Z';
  const HOSTILE = '=HYPERLINK("http://evil.example","click"), then\r\nsay "hi"\nbye';
  const interval = (
    requestId: string,
    principalId: string,
    scope: AccessInterval['scope'],
  ): AccessInterval => ({
    requestId,
    principalId,
    organisation: 'AcmeSoft',
    external: true,
    scope,
    from: '2026-12-08T09:00:00.000Z',
    until: '2026-12-08T17:00:00.000Z',
    approvedBy: ['dir-ada'],
  });
  const intervals = [
    interval('req-1', people.externalScA.id, 'dataset:hes-apc'),
    interval('req-1', people.externalScA.id, 'dataset:mhsds'),
    interval('req-2', people.homeDirector.id, 'admin'),
    interval('req-gone', people.homeDirector.id, 'dataset:hes-apc'),
  ];
  const justifications: Record<string, string> = {
    'req-1': HOSTILE,
    'req-2': 'Plain reason, with a comma',
  };
  const reads: string[][] = [];
  const deps = {
    clock: { now: () => NOW },
    policy,
    directory: { listPrincipals: async () => [...directory] } as unknown as Directory,
    history: { intervalsAt: async () => intervals } as unknown as AccessHistory,
    store: {
      getRequests: async (ids: readonly string[]) => {
        reads.push([...ids]);
        const found = new Map<string, StoredRequest>();
        for (const id of ids) {
          const justification = justifications[id];
          if (justification !== undefined) found.set(id, { id, justification } as unknown as StoredRequest);
        }
        return found;
      },
    },
  };

  it('adds justification as the last column, one batched read for every request, quoted and formula-defused', async () => {
    const { csv } = await accessCsv(deps, people.auditor, undefined);
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
    expect(rows).toHaveLength(5);
    for (const row of rows) expect(row).toHaveLength(12);
    // A spreadsheet reads the text back whole, with the leading = defused by an apostrophe.
    expect(rows.slice(1).map((row) => [row[4], row[3], row[11]])).toEqual([
      ['req-1', 'dataset:hes-apc', `'${HOSTILE}`],
      ['req-1', 'dataset:mhsds', `'${HOSTILE}`],
      ['req-2', 'admin', 'Plain reason, with a comma'],
      ['req-gone', 'dataset:hes-apc', ''],
    ]);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"",""click""), then\r\nsay ""hi""\nbye"\r\n`);
    expect(reads).toHaveLength(1);
    expect([...new Set(reads[0])].sort()).toEqual(['req-1', 'req-2', 'req-gone']);
  });
});
