// The audit trail as a whole on DynamoDB: the stream-head registry and day markers written inside every commit,
// and the reads verify and the exports need (all Queries: the registry partition, day partitions, streams).
import type { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { type AuditEvent, type ChainHead, EMPTY_CHAIN } from '../../core/audit.ts';
import type { StreamHead } from '../../core/audit-verify.ts';
import { ConcurrentChangeError } from '../../core/errors.ts';
import type { AuditLedger } from '../../core/ports.ts';
import { type Item, queryAll } from './items.ts';
import { AUDIT_TABLE_KEYS, keys, STATE_TABLE_KEYS } from './schema.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const DAY_MS = 86_400_000;

/**
 * Records the event as its stream's head. It commits with the event, so the registry and the trail can only
 * disagree if someone changed one of them behind the store's back: exactly what verify looks for.
 */
export function streamHeadItem(stateTable: string, event: AuditEvent): TransactItem {
  return {
    Update: {
      TableName: stateTable,
      Key: keys.auditStreamHead(event.stream),
      UpdateExpression:
        'SET #entity = :entity, #stream = :stream, #seq = :seq, #hash = :hash, #lastAt = :at, #firstAt = if_not_exists(#firstAt, :at)',
      ExpressionAttributeNames: {
        '#entity': 'entity',
        '#stream': 'stream',
        '#seq': 'seq',
        '#hash': 'hash',
        '#lastAt': 'lastAt',
        '#firstAt': 'firstAt',
      },
      ExpressionAttributeValues: {
        ':entity': 'AUDIT_STREAM_HEAD',
        ':stream': event.stream,
        ':seq': event.seq,
        ':hash': event.hash,
        ':at': event.at,
      },
    },
  };
}

/** Marks the stream as having an event on the event's UTC day (idempotent). */
export function auditDayItem(stateTable: string, event: AuditEvent): TransactItem {
  return {
    Put: {
      TableName: stateTable,
      Item: { ...keys.auditDay(dayOf(event.at), event.stream), entity: 'AUDIT_DAY', stream: event.stream },
    },
  };
}

/** The event appended (never over an existing one), its stream's head and its day marker: what every commit adds. */
export function auditEventItems(
  tables: { readonly stateTable: string; readonly auditTable: string },
  event: AuditEvent,
): TransactItem[] {
  return [
    {
      Put: {
        TableName: tables.auditTable,
        Item: { ...event },
        ConditionExpression: 'attribute_not_exists(#stream)',
        ExpressionAttributeNames: { '#stream': AUDIT_TABLE_KEYS.partitionKey },
      },
    },
    streamHeadItem(tables.stateTable, event),
    auditDayItem(tables.stateTable, event),
  ];
}

/** The chain head an item carries in its `head` attributes; a stream without events yet: EMPTY_CHAIN. */
export function carriedHead(item: Item, head: { readonly seq: string; readonly hash: string }): ChainHead {
  const seq = item[head.seq];
  return typeof seq === 'number' ? { seq, hash: String(item[head.hash]) } : EMPTY_CHAIN;
}

/**
 * An Update of an item that carries its stream's chain head, applied only while the head is still `expected`
 * (absent for a stream without events): how a change commits once, whoever else writes meanwhile.
 */
export function headGuardedUpdate(args: {
  readonly tableName: string;
  readonly key: Record<string, string>;
  readonly set: readonly string[];
  readonly remove: readonly string[];
  readonly names: Record<string, string>;
  readonly values: Record<string, unknown>;
  readonly head: { readonly seq: string; readonly hash: string };
  readonly expected: { readonly seq: number; readonly hash: string };
}): TransactItem {
  const names = { ...args.names, '#guardPk': STATE_TABLE_KEYS.partitionKey, '#guardSeq': args.head.seq };
  const values = { ...args.values };
  let condition = 'attribute_exists(#guardPk) AND ';
  if (args.expected.seq === 0) condition += 'attribute_not_exists(#guardSeq)';
  else {
    Object.assign(names, { '#guardHash': args.head.hash });
    Object.assign(values, { ':guardSeq': args.expected.seq, ':guardHash': args.expected.hash });
    condition += '#guardSeq = :guardSeq AND #guardHash = :guardHash';
  }
  const remove = args.remove.length ? ` REMOVE ${args.remove.join(', ')}` : '';
  return {
    Update: {
      TableName: args.tableName,
      Key: args.key,
      UpdateExpression: `SET ${args.set.join(', ')}${remove}`,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

/** One conditional update and its audit event, all or nothing; a failed condition is a concurrent change of `what`. */
export async function writeAudited(
  client: DynamoDBDocumentClient,
  tables: { readonly stateTable: string; readonly auditTable: string },
  update: TransactItem,
  event: AuditEvent,
  what: string,
): Promise<void> {
  try {
    await client.send(
      new TransactWriteCommand({ TransactItems: [update, ...auditEventItems(tables, event)] }),
    );
  } catch (error) {
    if ((error as Error).name !== 'TransactionCanceledException') throw error;
    const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
    if (reasons.some((reason) => reason.Code === 'ConditionalCheckFailed')) {
      throw new ConcurrentChangeError(`${what} changed concurrently; reload it and try again`);
    }
    throw error;
  }
}

export function dayOf(at: string): string {
  return at.slice(0, 10);
}

/** The UTC days from `from`'s day to the day of the last instant before `to`. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  const last = dayOf(new Date(Date.parse(to) - 1).toISOString());
  for (let instant = Date.parse(`${dayOf(from)}T00:00:00.000Z`); ; instant += DAY_MS) {
    const day = new Date(instant).toISOString().slice(0, 10);
    if (day > last) break;
    days.push(day);
  }
  return days;
}

/** Runs `task` over `items` with at most `limit` in flight, keeping the input order in the result. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export interface DynamoDbAuditLedgerOptions {
  /** Streams read at once. @default 16 */
  readonly concurrency?: number;
}

export class DynamoDbAuditLedger implements AuditLedger {
  readonly #client: DynamoDBDocumentClient;
  readonly #stateTable: string;
  readonly #auditTable: string;
  readonly #concurrency: number;

  constructor(
    client: DynamoDBDocumentClient,
    tables: { readonly stateTable: string; readonly auditTable: string },
    options: DynamoDbAuditLedgerOptions = {},
  ) {
    this.#client = client;
    this.#stateTable = tables.stateTable;
    this.#auditTable = tables.auditTable;
    this.#concurrency = options.concurrency ?? 16;
  }

  async listStreamHeads(): Promise<StreamHead[]> {
    const items = await queryAll(this.#client, {
      TableName: this.#stateTable,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': STATE_TABLE_KEYS.partitionKey },
      ExpressionAttributeValues: { ':pk': keys.auditStreamHead('').pk },
      ConsistentRead: true,
    });
    return items.map((item) => ({
      stream: item.stream as string,
      seq: item.seq as number,
      hash: item.hash as string,
      lastAt: item.lastAt as string,
    }));
  }

  async readAuditStream(stream: string): Promise<AuditEvent[]> {
    const items = await queryAll(this.#client, {
      TableName: this.#auditTable,
      KeyConditionExpression: '#stream = :stream',
      ExpressionAttributeNames: { '#stream': AUDIT_TABLE_KEYS.partitionKey },
      ExpressionAttributeValues: { ':stream': stream },
      ScanIndexForward: true,
      ConsistentRead: true,
    });
    return items as unknown as AuditEvent[];
  }

  /** Many streams at once, in the given order. */
  readAuditStreams(streams: readonly string[]): Promise<AuditEvent[][]> {
    return mapConcurrent(streams, this.#concurrency, (stream) => this.readAuditStream(stream));
  }

  async eventsBetween(from: string, to: string): Promise<AuditEvent[]> {
    const days = daysBetween(from, to);
    const perDay = await mapConcurrent(days, this.#concurrency, (day) =>
      queryAll(this.#client, {
        TableName: this.#stateTable,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': STATE_TABLE_KEYS.partitionKey, '#stream': 'stream' },
        ExpressionAttributeValues: { ':pk': keys.auditDay(day, '').pk },
        ProjectionExpression: '#stream',
      }),
    );
    const streams = [...new Set(perDay.flat().map((item: Item) => item.stream as string))].sort();
    const events = (await this.readAuditStreams(streams))
      .flat()
      .filter((event) => event.at >= from && event.at < to);
    return events.sort(
      (a, b) =>
        a.at.localeCompare(b.at) || (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0) || a.seq - b.seq,
    );
  }
}
