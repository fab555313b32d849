// The sweep's items in the state table: the sparse "due" index entry of ACTIVE requests, refreshed grant rows, the
// external-admin seat holders kept beside the counters, and the one conditional write that corrects drifted counters.
import {
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { EMPTY_CHAIN } from '../../core/audit.ts';
import type { AccessRequest } from '../../core/model.ts';
import type { SeatCorrection, SeatHolder, SeatLedger } from '../../core/ports.ts';
import { sweepDueAt } from '../../core/sweep.ts';
import { auditEventItems } from './audit-ledger.ts';
import { type Item, queryAll, withoutKeys } from './items.ts';
import { keys, STATE_TABLE_KEYS, STATUS_INDEX, STATUS_INDEX_KEYS, statusIndexEntry } from './schema.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const SEAT_COUNT = 'count';
const HEAD = { seq: 'auditSeq', hash: 'auditHash' } as const;

/** An ACTIVE request sits in the status index under REQUEST#DUE, sorted by when the sweep must next act on it. */
export function requestDueAttributes(request: AccessRequest): Item {
  const dueAt = sweepDueAt(request);
  if (dueAt === undefined) return {};
  return statusIndexEntry('requestsDue', dueAt, request.id);
}

/** Sort keys are `<dueAt>#<requestId>`; '\uffff' sorts after every id, so an entry due exactly at `at` counts. */
export function dueBound(at: string): string {
  return `${at}#\uffff`;
}

/** Taking a seat records its holder, giving one back removes it: the truth the counters are reconciled against. */
export function seatHolderItem(
  stateTable: string,
  op: 'take' | 'release',
  request: AccessRequest,
  at: string,
): TransactItem {
  if (op === 'release') return { Delete: { TableName: stateTable, Key: keys.seatHolder(request.id) } };
  return {
    Put: {
      TableName: stateTable,
      Item: {
        ...keys.seatHolder(request.id),
        entity: 'SEAT_HOLDER',
        requestId: request.id,
        principalId: request.requester,
        organisation: request.requesterOrganisation,
        takenAt: at,
      },
    },
  };
}

/** New expiresAt / nextReviewAt on each grant row, re-keyed in the GRANT#ACTIVE index; only while still active. */
export function refreshGrantItems(stateTable: string, request: AccessRequest): TransactItem[] {
  const grant = request.grant;
  if (!grant) return [];
  return request.scopes.map((scope) => ({
    Update: {
      TableName: stateTable,
      Key: keys.grant(request.id, scope),
      UpdateExpression: 'SET #expiresAt = :expiresAt, #nextReviewAt = :nextReviewAt, #gsi1sk = :gsi1sk',
      ConditionExpression: '#gsi1pk = :active',
      ExpressionAttributeNames: {
        '#expiresAt': 'expiresAt',
        '#nextReviewAt': 'nextReviewAt',
        '#gsi1pk': STATUS_INDEX.partitionKey,
        '#gsi1sk': STATUS_INDEX.sortKey,
      },
      ExpressionAttributeValues: {
        ':expiresAt': grant.expiresAt,
        ':nextReviewAt': grant.nextReviewAt,
        ':gsi1sk': `${grant.expiresAt}#${request.id}#${scope}`,
        ':active': STATUS_INDEX_KEYS.activeGrants,
      },
    },
  }));
}

export async function queryRequestsDueBy(
  client: DynamoDBDocumentClient,
  stateTable: string,
  at: string,
): Promise<Item[]> {
  return await queryAll(client, {
    TableName: stateTable,
    IndexName: STATUS_INDEX.name,
    KeyConditionExpression: '#pk = :pk AND #sk <= :sk',
    ExpressionAttributeNames: { '#pk': STATUS_INDEX.partitionKey, '#sk': STATUS_INDEX.sortKey },
    ExpressionAttributeValues: { ':pk': STATUS_INDEX_KEYS.requestsDue, ':sk': dueBound(at) },
    ScanIndexForward: true,
  });
}

/**
 * Counters first, holders second, both consistent. A grant or release committing between the two reads changes a
 * counter, so the correction's condition on the counters read first fails and nothing wrong is written.
 */
export async function readSeatLedger(
  client: DynamoDBDocumentClient,
  stateTable: string,
): Promise<SeatLedger> {
  const counters = await queryAll(client, {
    TableName: stateTable,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': STATE_TABLE_KEYS.partitionKey },
    ExpressionAttributeValues: { ':pk': keys.seats().pk },
    ConsistentRead: true,
  });
  const holders = await queryAll(client, {
    TableName: stateTable,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': STATE_TABLE_KEYS.partitionKey },
    ExpressionAttributeValues: { ':pk': keys.seatHolder('').pk },
    ConsistentRead: true,
  });
  let total = 0;
  let audit = EMPTY_CHAIN;
  const byOrganisation: Record<string, number> = {};
  for (const item of counters) {
    const count = Number(item[SEAT_COUNT] ?? 0);
    if (item[STATE_TABLE_KEYS.sortKey] === keys.seats().sk) {
      total = count;
      const seq = item[HEAD.seq];
      if (typeof seq === 'number') audit = { seq, hash: String(item[HEAD.hash]) };
    } else if (typeof item.organisation === 'string') {
      byOrganisation[item.organisation] = count;
    }
  }
  return {
    seats: { total, byOrganisation },
    holders: holders.map((item) => withoutKeys<SeatHolder>(item)),
    audit,
  };
}

function counterCondition(observed: number, values: Record<string, unknown>, name: string): string {
  // A counter never written reads as 0; it must still be absent for the correction to apply.
  values[name] = observed;
  return observed === 0 ? `(attribute_not_exists(#count) OR #count = ${name})` : `#count = ${name}`;
}

/** One transaction: every drifted counter (if still as observed), the stream's head on the total counter, the event. */
export async function writeSeatCorrection(
  client: DynamoDBDocumentClient,
  tables: { readonly stateTable: string; readonly auditTable: string },
  correction: SeatCorrection,
): Promise<boolean> {
  const { observed, corrected, event, expectedHead } = correction;
  const totalValues: Record<string, unknown> = {
    ':count': corrected.total,
    ':seq': event.seq,
    ':hash': event.hash,
  };
  let headCondition = 'attribute_not_exists(#seq)';
  if (expectedHead.seq > 0) {
    totalValues[':expectedSeq'] = expectedHead.seq;
    totalValues[':expectedHash'] = expectedHead.hash;
    headCondition = '#seq = :expectedSeq AND #hash = :expectedHash';
  }
  const items: TransactItem[] = [
    {
      Update: {
        TableName: tables.stateTable,
        Key: keys.seats(),
        UpdateExpression: 'SET #count = :count, #seq = :seq, #hash = :hash',
        ConditionExpression: `${counterCondition(observed.total, totalValues, ':observed')} AND ${headCondition}`,
        ExpressionAttributeNames: { '#count': SEAT_COUNT, '#seq': HEAD.seq, '#hash': HEAD.hash },
        ExpressionAttributeValues: totalValues,
      },
    },
  ];
  for (const [organisation, count] of Object.entries(corrected.byOrganisation)) {
    const recorded = observed.byOrganisation[organisation] ?? 0;
    if (recorded === count) continue;
    const values: Record<string, unknown> = { ':count': count, ':organisation': organisation };
    items.push({
      Update: {
        TableName: tables.stateTable,
        Key: keys.organisationSeats(organisation),
        UpdateExpression: 'SET #count = :count, #organisation = :organisation',
        ConditionExpression: counterCondition(recorded, values, ':observed'),
        ExpressionAttributeNames: { '#count': SEAT_COUNT, '#organisation': 'organisation' },
        ExpressionAttributeValues: values,
      },
    });
  }
  items.push(...auditEventItems(tables, event));
  try {
    await client.send(new TransactWriteCommand({ TransactItems: items }));
    return true;
  } catch (error) {
    // A counter or the head moved since it was read: this sweep's view is stale; the next one looks again.
    if ((error as Error).name === 'TransactionCanceledException') return false;
    throw error;
  }
}
