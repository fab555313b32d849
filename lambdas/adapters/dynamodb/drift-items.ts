// Out-of-band drift items on DynamoDB (the DriftLedger port): one partition per provider holding its open items and
// the head of its DRIFT#<provider> audit stream; every opening and closing commits with its event in one transaction.
import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { type AuditEvent, type ChainHead, EMPTY_CHAIN } from '../../core/audit.ts';
import type { DriftItem } from '../../core/drift.ts';
import type { DriftLedger, DriftState } from '../../core/ports.ts';
import { auditDayItem, streamHeadItem } from './audit-ledger.ts';
import { queryAll } from './items.ts';
import { AUDIT_TABLE_KEYS, keys, STATE_TABLE_KEYS, STATUS_INDEX, statusIndexEntry } from './schema.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const HEAD = { seq: 'auditSeq', hash: 'auditHash' } as const;
const OPEN_PREFIX = 'OPEN#';

export interface DriftTables {
  readonly stateTable: string;
  readonly auditTable: string;
}

function driftItemOf(item: Record<string, unknown>): DriftItem {
  return {
    provider: String(item.provider),
    principalId: String(item.principalId),
    scope: String(item.scope) as DriftItem['scope'],
    firstSeenAt: String(item.firstSeenAt),
  };
}

export class DynamoDbDriftLedger implements DriftLedger {
  readonly #client: DynamoDBDocumentClient;
  readonly #tables: DriftTables;

  constructor(client: DynamoDBDocumentClient, tables: DriftTables) {
    this.#client = client;
    this.#tables = tables;
  }

  async state(provider: string): Promise<DriftState> {
    const [open, head] = await Promise.all([
      this.#queryProvider(provider),
      this.#client.send(
        new GetCommand({
          TableName: this.#tables.stateTable,
          Key: keys.driftHead(provider),
          ConsistentRead: true,
        }),
      ),
    ]);
    const seq = head.Item?.[HEAD.seq];
    const audit: ChainHead =
      typeof seq === 'number' ? { seq, hash: String(head.Item?.[HEAD.hash]) } : EMPTY_CHAIN;
    return { open, audit };
  }

  async listOpen(provider?: string): Promise<DriftItem[]> {
    if (provider !== undefined) return await this.#queryProvider(provider);
    const items = await queryAll(this.#client, {
      TableName: this.#tables.stateTable,
      IndexName: STATUS_INDEX.name,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': STATUS_INDEX.partitionKey },
      ExpressionAttributeValues: { ':pk': statusIndexEntry('driftOpen')[STATUS_INDEX.partitionKey] },
    });
    return items.map(driftItemOf);
  }

  async open(item: DriftItem, event: AuditEvent, expectedHead: ChainHead): Promise<boolean> {
    return await this.#commit(
      {
        Put: {
          TableName: this.#tables.stateTable,
          Item: {
            ...keys.driftItem(item.provider, item.principalId, item.scope),
            ...statusIndexEntry('driftOpen', item.provider, item.principalId, item.scope),
            entity: 'DRIFT_ITEM',
            ...item,
          },
          // Recorded once: a second sweep that saw the same access finds it already open and writes nothing.
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': STATE_TABLE_KEYS.partitionKey },
        },
      },
      item.provider,
      event,
      expectedHead,
    );
  }

  async close(item: DriftItem, event: AuditEvent, expectedHead: ChainHead): Promise<boolean> {
    return await this.#commit(
      {
        Delete: {
          TableName: this.#tables.stateTable,
          Key: keys.driftItem(item.provider, item.principalId, item.scope),
          // The occurrence read, not a later one of the same access.
          ConditionExpression: '#firstSeenAt = :firstSeenAt',
          ExpressionAttributeNames: { '#firstSeenAt': 'firstSeenAt' },
          ExpressionAttributeValues: { ':firstSeenAt': item.firstSeenAt },
        },
      },
      item.provider,
      event,
      expectedHead,
    );
  }

  async #queryProvider(provider: string): Promise<DriftItem[]> {
    const items = await queryAll(this.#client, {
      TableName: this.#tables.stateTable,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :open)',
      ExpressionAttributeNames: { '#pk': STATE_TABLE_KEYS.partitionKey, '#sk': STATE_TABLE_KEYS.sortKey },
      ExpressionAttributeValues: { ':pk': keys.driftHead(provider).pk, ':open': OPEN_PREFIX },
      ConsistentRead: true,
    });
    return items.map(driftItemOf);
  }

  /** The item's change, the stream head (conditioned like a request's), the event, its registry head and day. */
  async #commit(
    change: TransactItem,
    provider: string,
    event: AuditEvent,
    expectedHead: ChainHead,
  ): Promise<boolean> {
    const values: Record<string, unknown> = { ':seq': event.seq, ':hash': event.hash, ':provider': provider };
    let headCondition = 'attribute_not_exists(#seq)';
    if (expectedHead.seq > 0) {
      values[':expectedSeq'] = expectedHead.seq;
      values[':expectedHash'] = expectedHead.hash;
      headCondition = '#seq = :expectedSeq AND #hash = :expectedHash';
    }
    const items: TransactItem[] = [
      change,
      {
        Update: {
          TableName: this.#tables.stateTable,
          Key: keys.driftHead(provider),
          UpdateExpression: 'SET #entity = :entity, #provider = :provider, #seq = :seq, #hash = :hash',
          ConditionExpression: headCondition,
          ExpressionAttributeNames: {
            '#entity': 'entity',
            '#provider': 'provider',
            '#seq': HEAD.seq,
            '#hash': HEAD.hash,
          },
          ExpressionAttributeValues: { ...values, ':entity': 'DRIFT_HEAD' },
        },
      },
      {
        Put: {
          TableName: this.#tables.auditTable,
          Item: { ...event },
          ConditionExpression: 'attribute_not_exists(#stream)',
          ExpressionAttributeNames: { '#stream': AUDIT_TABLE_KEYS.partitionKey },
        },
      },
      streamHeadItem(this.#tables.stateTable, event),
      auditDayItem(this.#tables.stateTable, event),
    ];
    try {
      await this.#client.send(new TransactWriteCommand({ TransactItems: items }));
      return true;
    } catch (error) {
      // The item or the head moved since they were read: another sweep got there first; the next one looks again.
      if ((error as Error).name === 'TransactionCanceledException') return false;
      throw error;
    }
  }
}
