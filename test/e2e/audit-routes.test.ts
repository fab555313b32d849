// The audit and access-history routes on the local stack: verify, point in time, histories, CSV exports and the
// transparency JSON, each with who may and may not call it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../lambdas/core/csv.ts';
import { startTestStack, type TestStack } from '../support/local-stack.ts';
import { type ScriptedIds, scriptThroughHttp } from '../support/transparency-script.ts';

describe('audit routes on the local stack', () => {
  let stack: TestStack;
  let ids: ScriptedIds;
  let between: string;

  beforeAll(async () => {
    stack = await startTestStack({ policy: { minDuration: 'PT1S' } });
    ids = await scriptThroughHttp(stack);
    between = new Date().toISOString();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('GET /audit/verify: ok with the count for auditors and access-admins, 403 for others', async () => {
    const asAuditor = await stack.call('GET', '/audit/verify', { as: 'aud-fay' });
    expect(asAuditor.status).toBe(200);
    // The scripted requests' streams, plus one per person: the directory is provisioned through SCIM, audited
    expect(asAuditor.body).toMatchObject({ ok: true, streams: 3 + stack.seed.principals.length });
    expect(asAuditor.body.events).toBeGreaterThanOrEqual(12);
    expect((await stack.call('GET', '/audit/verify', { as: 'adm-eve' })).status).toBe(200);
    expect((await stack.call('GET', '/audit/verify', { as: 'dir-ada' })).status).toBe(403);
    expect((await stack.call('GET', '/audit/verify')).status).toBe(401);
  });

  it('GET /access?at=, ?principal=, ?scope= answer from history; no parameters is unchanged', async () => {
    const now = await stack.call('GET', '/access', { as: 'dir-ada' });
    expect(now.body.access.map((entry: { requestId: string }) => entry.requestId)).toEqual([ids.active]);

    const atInstant = await stack.call('GET', `/access?at=${encodeURIComponent(between)}`, { as: 'aud-fay' });
    expect(atInstant.status).toBe(200);
    expect(atInstant.body.intervals.map((entry: { requestId: string }) => entry.requestId)).toEqual([
      ids.active,
    ]);

    const gus = await stack.call('GET', '/access?principal=ext-gus', { as: 'aud-fay' });
    expect(gus.body.intervals).toEqual([
      expect.objectContaining({ requestId: ids.revoked, scope: 'admin', endReason: 'REVOKED' }),
    ]);
    const hes = await stack.call('GET', '/access?scope=dataset:hes-apc', { as: 'aud-fay' });
    expect(hes.body.intervals).toHaveLength(1);
    expect((await stack.call('GET', '/access?at=yesterday', { as: 'aud-fay' })).body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'at',
    });
    expect((await stack.call('GET', '/access?scope=everything', { as: 'aud-fay' })).status).toBe(400);
  });

  it('GET /access.csv and /audit.csv: text/csv with a header row', async () => {
    const access = await stack.call('GET', '/access.csv', { as: 'aud-fay' });
    expect(access.status).toBe(200);
    expect(access.headers.get('content-type')).toContain('text/csv');
    expect(access.headers.get('content-disposition')).toContain('attachment');
    const rows = parseCsv(access.body);
    expect(rows[0]?.[0]).toBe('principal_id');
    expect(rows.slice(1).map((row) => row[4])).toEqual([ids.active]);

    const from = new Date(Date.now() - 3_600_000).toISOString();
    const audit = await stack.call('GET', `/audit.csv?from=${encodeURIComponent(from)}`, { as: 'aud-fay' });
    expect(audit.status).toBe(200);
    const events = parseCsv(audit.body);
    expect(events[0]?.slice(0, 4)).toEqual(['at', 'stream', 'seq', 'action']);
    expect(events.map((row) => row[3])).toContain('GRANT_REVOKED');
    expect((await stack.call('GET', '/audit.csv', { as: 'aud-fay' })).status).toBe(400);
    expect((await stack.call('GET', `/audit.csv?from=${from}`, { as: 'ext-kim' })).status).toBe(403);
  });

  it('GET /access.csv and /audit.csv: ?bom=true starts the bytes with a UTF-8 BOM, the default does not', async () => {
    // fetch's text() drops a leading BOM, so read the bytes.
    const bytes = async (path: string) => {
      const response = await fetch(`${stack.url}${path}`, {
        headers: { authorization: `Bearer ${await stack.tokenFor('aud-fay')}` },
      });
      expect(response.status).toBe(200);
      return Buffer.from(await response.arrayBuffer());
    };
    const from = encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString());
    for (const [withBom, without] of [
      ['/access.csv?bom=true', '/access.csv'],
      [`/audit.csv?from=${from}&bom=true`, `/audit.csv?from=${from}&bom=false`],
    ] as const) {
      const marked = await bytes(withBom);
      expect([...marked.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const plain = await bytes(without);
      expect(plain.subarray(0, 3).toString('latin1')).not.toBe('\xef\xbb\xbf');
      expect(plain.toString('utf8').startsWith(withBom.startsWith('/access') ? 'principal_id,' : 'at,')).toBe(
        true,
      );
      expect(parseCsv(marked.subarray(3).toString('utf8'))[0]).toEqual(parseCsv(plain.toString('utf8'))[0]);
    }
  });

  it('GET /access.csv and /audit.csv: a bom that is not true or false is a 400 naming bom, and nothing is written', async () => {
    const before = await stack.call('GET', '/audit/verify', { as: 'aud-fay' });
    const from = encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString());
    for (const path of ['/access.csv?bom=yes', `/audit.csv?from=${from}&bom=1`, '/access.csv?bom=']) {
      const refused = await stack.call('GET', path, { as: 'aud-fay' });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'bom' });
      expect(refused.body.error.message).toContain('bom');
    }
    const after = await stack.call('GET', '/audit/verify', { as: 'aud-fay' });
    expect(after.body.events).toBe(before.body.events);
    expect(after.body.ok).toBe(true);
  });

  it('GET /access.csv: the justification column holds each request its own justification', async () => {
    const access = await stack.call('GET', '/access.csv', { as: 'aud-fay' });
    const rows = parseCsv(access.body);
    expect(rows[0]?.at(-1)).toBe('justification');
    const request = await stack.call('GET', `/requests/${ids.active}`, { as: 'adm-eve' });
    expect(rows.slice(1).map((row) => [row[4], row.at(-1)])).toEqual([
      [ids.active, request.body.justification],
    ]);
    expect(request.body.justification.length).toBeGreaterThan(0);
  });

  it('GET /transparency?format=json needs no token and names nobody', async () => {
    const report = await stack.call('GET', '/transparency?format=json');
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({
      externalAdminSeats: { inUse: 0, cap: 5 },
      activeGrants: { total: 1, byOrganisation: [{ key: 'Northwind', count: 1 }] },
      lastWindow: { grants: 2, denials: 1, revocations: { total: 1 }, timeouts: 0 },
      chainHead: { verified: true, streams: 3 + stack.seed.principals.length },
    });
    const text = JSON.stringify(report.body);
    for (const person of stack.seed.principals) {
      for (const personal of [person.id, person.name, person.email]) expect(text).not.toContain(personal);
    }
    for (const id of Object.values(ids)) expect(text).not.toContain(id);
  });
});
