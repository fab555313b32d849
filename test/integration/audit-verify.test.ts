// Tamper evidence on DynamoDB Local: a scripted trail verifies; each form of tampering is caught, through the use
// case and through the `keyholder audit verify` CLI; anchors catch a consistent rewrite the chains cannot.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbAuditLedger } from '../../lambdas/adapters/dynamodb/audit-ledger.ts';
import { DynamoDbRequestStore } from '../../lambdas/adapters/dynamodb/request-store.ts';
import { keys } from '../../lambdas/adapters/dynamodb/schema.ts';
import { type AuditEvent, chainEvent, EMPTY_CHAIN, headOf } from '../../lambdas/core/audit.ts';
import type { AuditAnchor } from '../../lambdas/core/audit-verify.ts';
import type { AnchorStore } from '../../lambdas/core/ports.ts';
import { anchorAuditTrail } from '../../lambdas/use-cases/anchor-audit.ts';
import { verifyAuditTrail } from '../../lambdas/use-cases/verify-audit.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';
import { people } from '../support/fixtures.ts';
import { at, scriptHistory } from '../support/scripted-history.ts';

const run = promisify(execFile);
const CLI = path.resolve(import.meta.dirname, '../../bin/keyholder.ts');
const clock = (now: string) => ({ now: () => now });

class MemoryAnchors implements AnchorStore {
  readonly anchors: { key: string; anchor: AuditAnchor }[] = [];
  async put(anchor: AuditAnchor) {
    const key = `anchors/${anchor.at}.json`;
    this.anchors.push({ key, anchor });
    return { key };
  }
  async latest() {
    return this.anchors.at(-1);
  }
}

let tables: TestTables;
let ledger: DynamoDbAuditLedger;

beforeEach(async () => {
  tables = await createTestTables();
  ledger = new DynamoDbAuditLedger(tables.documentClient, tables);
  await scriptHistory(new DynamoDbRequestStore(tables.documentClient, tables));
});

afterEach(async () => {
  await tables.cleanup();
});

const verify = (anchors?: AnchorStore) => verifyAuditTrail({ ledger, anchors, clock: clock(at('PT200H')) });

async function event(stream: string, seq: number): Promise<AuditEvent> {
  const { Item } = await tables.documentClient.send(
    new GetCommand({ TableName: tables.auditTable, Key: { stream, seq } }),
  );
  if (!Item) throw new Error(`no event ${stream}/${seq}`);
  return Item as AuditEvent;
}

const remove = (stream: string, seq: number) =>
  tables.documentClient.send(new DeleteCommand({ TableName: tables.auditTable, Key: { stream, seq } }));
const put = (item: object) =>
  tables.documentClient.send(new PutCommand({ TableName: tables.auditTable, Item: item }));

async function cli(...args: string[]): Promise<{ code: number; stdout: string }> {
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'eu-west-2',
  };
  const argv = [CLI, 'audit', 'verify', '--endpoint', tables.endpoint, ...args];
  argv.push('--state-table', tables.stateTable, '--audit-table', tables.auditTable);
  try {
    const { stdout } = await run(process.execPath, argv, { env });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

describe('audit verify on an intact trail', () => {
  it('reports ok with the number of events and streams, through the use case and the CLI', async () => {
    // Act
    const verdict = await verify();
    const fromCli = await cli('--json');

    // Assess: r1 4 events, r2 5, r3 3, r4 2, r5 2
    expect(verdict).toMatchObject({ ok: true, streams: 5, events: 16 });
    expect(fromCli.code).toBe(0);
    expect(JSON.parse(fromCli.stdout)).toMatchObject({ ok: true, streams: 5, events: 16 });
    const human = await cli();
    expect(human.stdout).toMatch(/^ok: 16 events in 5 streams/);
  });
});

describe('tampering is caught', () => {
  it('an edited field: the event no longer hashes to its hash', async () => {
    // Prepare
    await tables.documentClient.send(
      new UpdateCommand({
        TableName: tables.auditTable,
        Key: { stream: 'REQUEST#r2', seq: 2 },
        UpdateExpression: 'SET #outcome = :outcome',
        ExpressionAttributeNames: { '#outcome': 'outcome' },
        ExpressionAttributeValues: { ':outcome': 'refused' },
      }),
    );
    // Act
    const verdict = await verify();
    const fromCli = await cli();
    // Assess: r1's 4 events come first, so event 2 of r2 is the trail's 6th
    expect(verdict).toMatchObject({
      ok: false,
      broken: { stream: 'REQUEST#r2', position: 1, seq: 2, eventsBefore: 5, problem: 'edited' },
    });
    expect(fromCli.code).toBe(1);
    expect(fromCli.stdout).toContain('BROKEN (edited): stream REQUEST#r2, event 2 at position 1 (event #6');
  });

  it('a deleted event: a sequence number is missing', async () => {
    await remove('REQUEST#r2', 3);
    const verdict = await verify();
    const fromCli = await cli();
    expect(verdict).toMatchObject({
      ok: false,
      broken: { stream: 'REQUEST#r2', position: 2, seq: 4, problem: 'missing-or-reordered' },
    });
    expect(fromCli.code).toBe(1);
    expect(fromCli.stdout).toContain('missing-or-reordered');
  });

  it('two events swapped: the link to the previous event breaks', async () => {
    // Prepare: each keeps its key, the contents trade places
    const [second, third] = [await event('REQUEST#r2', 2), await event('REQUEST#r2', 3)];
    await put({ ...third, seq: 2 });
    await put({ ...second, seq: 3 });
    // Act
    const verdict = await verify();
    const fromCli = await cli();
    // Assess
    expect(verdict).toMatchObject({
      ok: false,
      broken: { stream: 'REQUEST#r2', position: 1, seq: 2, problem: 'broken-link' },
    });
    expect(fromCli.stdout).toContain('BROKEN (broken-link)');
  });

  it('a truncated tail: the stream ends before its recorded head', async () => {
    await remove('REQUEST#r2', 5);
    const verdict = await verify();
    const fromCli = await cli();
    expect(verdict).toMatchObject({
      ok: false,
      broken: { stream: 'REQUEST#r2', position: 4, seq: 5, problem: 'truncated' },
    });
    expect(fromCli.stdout).toContain('BROKEN (truncated)');
  });

  it('a whole stream deleted: its recorded head has no events', async () => {
    await remove('REQUEST#r4', 1);
    await remove('REQUEST#r4', 2);
    const verdict = await verify();
    expect(verdict).toMatchObject({
      ok: false,
      broken: { stream: 'REQUEST#r4', position: 0, seq: 1, problem: 'truncated' },
    });
    expect(verdict.ok === false && verdict.broken.detail).toContain('the stream is gone');
  });

  it('a last event rewritten and re-hashed: it no longer matches the recorded head', async () => {
    // Prepare: a consistent chain, but not the one the registry recorded
    const last = await event('REQUEST#r4', 2);
    const first = await event('REQUEST#r4', 1);
    const { hash: _hash, stream, seq: _seq, prevHash: _prev, ...draft } = last;
    const forged = chainEvent(stream, headOf(first), { ...draft, reason: 'Approved after all' });
    await put(forged);
    // Act
    const verdict = await verify();
    // Assess
    expect(verdict).toMatchObject({ ok: false, broken: { stream: 'REQUEST#r4', problem: 'head-mismatch' } });
  });
});

describe('anchors', () => {
  it('match the trail, also after events are appended past the anchor', async () => {
    // Prepare
    const anchors = new MemoryAnchors();
    const { anchor } = await anchorAuditTrail({ ledger, anchors, clock: clock(at('PT100H')) });
    expect(anchor).toMatchObject({ version: 1, streams: 5, events: 16, at: at('PT99H55M') });
    await scriptLater(tables);
    // Act
    const verdict = await verify(anchors);
    // Assess
    expect(verdict).toMatchObject({ ok: true, streams: 6, events: 17, anchor: { matched: true } });
  });

  it('catch a stream rewritten consistently, registry included, which the chains alone cannot', async () => {
    // Prepare: an insider re-chains r4 as if it had been approved and fixes the recorded head to match
    const anchors = new MemoryAnchors();
    await anchorAuditTrail({ ledger, anchors, clock: clock(at('PT100H')) });
    const [first, second] = [await event('REQUEST#r4', 1), await event('REQUEST#r4', 2)];
    const strip = ({ hash: _h, stream: _s, seq: _q, prevHash: _p, ...draft }: AuditEvent) => draft;
    const one = chainEvent('REQUEST#r4', EMPTY_CHAIN, strip(first));
    const two = chainEvent('REQUEST#r4', headOf(one), {
      ...strip(second),
      action: 'REQUEST_APPROVED',
      reason: undefined,
    });
    await put(one);
    await put(JSON.parse(JSON.stringify(two)));
    await tables.documentClient.send(
      new UpdateCommand({
        TableName: tables.stateTable,
        Key: keys.auditStreamHead('REQUEST#r4'),
        UpdateExpression: 'SET #hash = :hash',
        ExpressionAttributeNames: { '#hash': 'hash' },
        ExpressionAttributeValues: { ':hash': two.hash },
      }),
    );
    // Act
    const withoutAnchors = await verify();
    const withAnchors = await verify(anchors);
    // Assess
    expect(withoutAnchors.ok).toBe(true);
    expect(withAnchors).toMatchObject({ ok: false, broken: { problem: 'anchor-mismatch' } });
  });
});

/** One more request, after the anchor's cutoff. */
async function scriptLater(testTables: TestTables): Promise<void> {
  const { submitRequest } = await import('../../lambdas/core/lifecycle.ts');
  const { catalogue, JUSTIFICATION, policy } = await import('../support/fixtures.ts');
  const transition = submitRequest({
    id: 'r6',
    input: { scopes: ['dataset:hes-apc'], justification: JUSTIFICATION, duration: 'PT8H' },
    requester: people.externalScA,
    catalogue,
    policy,
    now: at('PT101H'),
  });
  const store = new DynamoDbRequestStore(testTables.documentClient, testTables);
  const event = chainEvent('REQUEST#r6', EMPTY_CHAIN, transition.event);
  await store.commit({ transition, event, expectedHead: EMPTY_CHAIN });
}
