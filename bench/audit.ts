// Benchmark: a point-in-time access query and a full audit verify over a generated history on DynamoDB Local.
// `node bench/audit.ts [--events 100000] [--queries 20]`; `npm run bench` runs it at 1,000,000 events.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbAccessHistory, openIntervalItems } from '../lambdas/adapters/dynamodb/access-history.ts';
import { DynamoDbAuditLedger, dayOf, mapConcurrent } from '../lambdas/adapters/dynamodb/audit-ledger.ts';
import { keys } from '../lambdas/adapters/dynamodb/schema.ts';
import { documentClientFor } from '../lambdas/commons/clients.ts';
import {
  type AuditEvent,
  type AuditEventDraft,
  chainEvent,
  EMPTY_CHAIN,
  headOf,
  verifyChain,
} from '../lambdas/core/audit.ts';
import { addDuration } from '../lambdas/core/duration.ts';
import type { AccessRequest, Scope } from '../lambdas/core/model.ts';
import { verifyAuditTrail } from '../lambdas/use-cases/verify-audit.ts';
import { startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { createTables, deleteTables } from '../local/tables.ts';
import { type Percentiles, percentiles } from './support.ts';

const START = Date.parse('2025-01-01T00:00:00.000Z');
/** The history grows at this many events a year, so a bigger N is a longer history, not a denser one. */
const EVENTS_PER_YEAR = 100_000;
const YEAR_MS = 365 * 86_400_000;
const DURATIONS = ['PT1H', 'PT8H', 'P1D', 'P7D', 'P30D'];
const ORGANISATIONS = ['NHSE', 'AcmeSoft', 'Northwind', 'Globex'];
const EVENTS_PER_REQUEST = 5;

type Item = Record<string, unknown>;

/** A deterministic pseudo-random sequence, so runs are comparable. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

interface Generated {
  readonly items: { readonly state: Item[]; readonly audit: Item[] };
  readonly events: AuditEvent[][];
}

/** One request: submitted, approved, granted, then expired or revoked; its stream, head, day marks and intervals. */
function generateRequest(
  index: number,
  next: () => number,
  spanMs: number,
): { state: Item[]; events: AuditEvent[] } {
  const id = `bench-${index.toString(36).padStart(6, '0')}`;
  const stream = `REQUEST#${id}`;
  const submittedAt = START + Math.floor(next() * spanMs);
  const iso = (ms: number) => new Date(ms).toISOString();
  const principal = `p-${Math.floor(next() * 5_000)}`;
  const organisation = ORGANISATIONS[Math.floor(next() * ORGANISATIONS.length)] as string;
  const scopes: Scope[] = next() < 0.1 ? ['admin'] : [`dataset:ds-${Math.floor(next() * 40)}`];
  const duration = DURATIONS[Math.floor(next() * DURATIONS.length)] as string;
  const grantedAt = iso(submittedAt + 3_600_000);
  const expiresAt = addDuration(grantedAt, duration);
  const revoked = next() < 0.2;
  const closedAt = revoked
    ? iso(Date.parse(grantedAt) + Math.floor((Date.parse(expiresAt) - Date.parse(grantedAt)) * next()))
    : expiresAt;
  const subject = { requestId: id, principalId: principal, scopes };
  const draft = (action: AuditEventDraft['action'], at: string, extra: Partial<AuditEventDraft> = {}) =>
    ({
      action,
      actor: { type: 'system', id: 'workflow' },
      at,
      subject,
      outcome: 'success',
      ...extra,
    }) as AuditEventDraft;
  const drafts = [
    draft('REQUEST_SUBMITTED', iso(submittedAt), { details: { duration } }),
    draft('APPROVAL_REQUESTED', iso(submittedAt + 1_000)),
    draft('REQUEST_APPROVED', iso(submittedAt + 1_800_000)),
    draft('GRANT_ACTIVATED', grantedAt, { details: { expiresAt } }),
    revoked
      ? draft('GRANT_REVOKED', closedAt, { reason: 'Work finished early' })
      : draft('GRANT_EXPIRED', closedAt, { reason: 'EXPIRED' }),
  ];
  let head = EMPTY_CHAIN;
  const events = drafts.map((entry) => {
    const event = chainEvent(stream, head, entry);
    head = headOf(event);
    return event;
  });
  const last = events.at(-1) as AuditEvent;
  const request = {
    id,
    requester: principal,
    requesterOrganisation: organisation,
    external: organisation !== 'NHSE',
    scopes,
    status: revoked ? 'REVOKED' : 'EXPIRED',
    grant: { grantedAt, expiresAt, approvedBy: ['dir-ada'], nextReviewAt: expiresAt },
  } as unknown as AccessRequest;
  const intervals = openIntervalItems('unused', request).map((item) => ({
    ...(item.Put?.Item as Item),
    until: closedAt,
    to: closedAt,
    endReason: request.status,
  }));
  const days = [...new Set(events.map((event) => dayOf(event.at)))];
  const state: Item[] = [
    {
      ...keys.auditStreamHead(stream),
      entity: 'AUDIT_STREAM_HEAD',
      stream,
      seq: last.seq,
      hash: last.hash,
      lastAt: last.at,
      firstAt: events[0]?.at,
    },
    ...days.map((day) => ({ ...keys.auditDay(day, stream), entity: 'AUDIT_DAY', stream })),
    ...intervals,
  ];
  return { state, events };
}

function generate(requests: number, spanMs: number): Generated {
  const next = random(5);
  const state: Item[] = [];
  const audit: Item[] = [];
  const events: AuditEvent[][] = [];
  for (let index = 0; index < requests; index++) {
    const one = generateRequest(index, next, spanMs);
    state.push(...one.state);
    audit.push(...(one.events as unknown as Item[]));
    events.push(one.events);
  }
  return { items: { state, audit }, events };
}

async function load(client: DynamoDBDocumentClient, table: string, items: readonly Item[]): Promise<void> {
  const batches: Item[][] = [];
  for (let start = 0; start < items.length; start += 25) batches.push(items.slice(start, start + 25));
  await mapConcurrent(batches, 16, async (batch) => {
    let pending: Item[] = batch;
    while (pending.length > 0) {
      const answer = await client.send(
        new BatchWriteCommand({
          RequestItems: { [table]: pending.map((Item) => ({ PutRequest: { Item } })) },
        }),
      );
      pending = (answer.UnprocessedItems?.[table] ?? []).map((entry) => entry.PutRequest?.Item as Item);
    }
  });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const rate = (count: number, ms: number) => `${Math.round(count / (ms / 1000)).toLocaleString('en-GB')}/s`;

export interface AuditBenchResult {
  readonly events: number;
  readonly streams: number;
  readonly generateMs: number;
  readonly loadedItems: number;
  readonly loadMs: number;
  /** Hashing and linking every chain in memory (second pass, JIT warm). */
  readonly pureVerifyMs: number;
  readonly pureVerifyPerSecond: number;
  /** `verifyAuditTrail` against DynamoDB Local: registry, one Query per stream, chains and heads. */
  readonly endToEndVerifyMs: number;
  readonly endToEndVerifyPerSecond: number;
  readonly pointInTimeMs: Percentiles;
  readonly holdersPerAnswer: number;
}

export async function benchAudit(options: {
  events: number;
  queries: number;
  dbPath?: string | undefined;
  /** A running DynamoDB Local to use (its tables are removed afterwards); otherwise one is started. */
  endpoint?: string | undefined;
  log?: (line: string) => void;
}): Promise<AuditBenchResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const requests = Math.max(1, Math.round(options.events / EVENTS_PER_REQUEST));
  const spanMs = Math.max(1, options.events / EVENTS_PER_YEAR) * YEAR_MS;
  let started = performance.now();
  const generated = generate(requests, spanMs);
  const totalEvents = generated.items.audit.length;
  const generateMs = performance.now() - started;
  log(
    `generated ${totalEvents} events in ${requests} streams over ${(spanMs / YEAR_MS).toFixed(1)} years ` +
      `in ${seconds(generateMs)}`,
  );

  // Verify, pure: the hashing and linking, what verify does per event once the events are in memory. Measured
  // before DynamoDB Local starts (its JVM would take one of the cores), second pass (JIT warm).
  let pureMs = 0;
  for (let pass = 0; pass < 2; pass++) {
    started = performance.now();
    for (const stream of generated.events) {
      if (!verifyChain(stream).ok) throw new Error('generated chain does not verify');
    }
    pureMs = performance.now() - started;
  }
  log(`verify (in memory): ${totalEvents} events in ${seconds(pureMs)} = ${rate(totalEvents, pureMs)}`);

  const dynamo = options.endpoint
    ? { endpoint: options.endpoint, stop: async () => undefined }
    : await startDynamoDbLocal({ persistDir: options.dbPath });
  const client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'eu-west-2',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const documents = documentClientFor(client);
  const suffix = randomUUID().slice(0, 8);
  const tables = { stateTable: `bench-state-${suffix}`, auditTable: `bench-audit-${suffix}` };
  try {
    await createTables(client, tables);
    started = performance.now();
    await load(documents, tables.auditTable, generated.items.audit);
    await load(documents, tables.stateTable, generated.items.state);
    const loadMs = performance.now() - started;
    const items = generated.items.audit.length + generated.items.state.length;
    log(`loaded ${items} items into DynamoDB Local in ${seconds(loadMs)} (${rate(items, loadMs)})`);

    // Point in time: random instants across the history.
    const history = new DynamoDbAccessHistory(documents, tables);
    const next = random(11);
    const timings: number[] = [];
    let holders = 0;
    for (let query = 0; query < options.queries; query++) {
      const at = new Date(
        START + 86_400_000 * 31 + Math.floor(next() * (spanMs - 86_400_000 * 31)),
      ).toISOString();
      const began = performance.now();
      holders += (await history.intervalsAt(at)).length;
      timings.push(performance.now() - began);
    }
    const pointInTime = percentiles(timings);
    log(
      `point-in-time query over ${totalEvents} events: median ${pointInTime.p50.toFixed(1)} ms, ` +
        `p95 ${pointInTime.p95.toFixed(1)} ms, max ${pointInTime.max.toFixed(1)} ms ` +
        `(${(holders / options.queries).toFixed(0)} holders per answer on average, ${options.queries} queries)`,
    );

    // Verify, end to end: registry Query, one Query per stream, chains, heads.
    started = performance.now();
    const verdict = await verifyAuditTrail({
      ledger: new DynamoDbAuditLedger(documents, tables, { concurrency: 32 }),
      clock: { now: () => new Date().toISOString() },
    });
    const fullMs = performance.now() - started;
    if (!verdict.ok) throw new Error(`verify failed: ${JSON.stringify(verdict)}`);
    log(
      `verify (DynamoDB Local, end to end): ${verdict.events} events in ${verdict.streams} streams in ` +
        `${seconds(fullMs)} = ${rate(verdict.events, fullMs)}`,
    );
    return {
      events: totalEvents,
      streams: verdict.streams,
      generateMs,
      loadedItems: items,
      loadMs,
      pureVerifyMs: pureMs,
      pureVerifyPerSecond: totalEvents / (pureMs / 1000),
      endToEndVerifyMs: fullMs,
      endToEndVerifyPerSecond: verdict.events / (fullMs / 1000),
      pointInTimeMs: pointInTime,
      holdersPerAnswer: holders / Math.max(1, options.queries),
    };
  } finally {
    if (options.endpoint) await deleteTables(client, tables).catch(() => undefined);
    client.destroy();
    await dynamo.stop();
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '100000' },
      queries: { type: 'string', default: '20' },
      'db-path': { type: 'string' },
    },
  });
  await benchAudit({
    events: Number(values.events),
    queries: Number(values.queries),
    dbPath: values['db-path'],
  });
}
