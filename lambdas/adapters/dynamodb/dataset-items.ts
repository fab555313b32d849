// Catalogue entries beyond plain reads: the DATASET#<id> audit stream's chain head on the dataset item, and the one
// transaction that changes an entry (owners, maxConcurrentHolders) together with its audit event.
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Dataset } from '../../core/model.ts';
import type { DatasetRecordChange, StoredDataset } from '../../core/ports.ts';
import { carriedHead, headGuardedUpdate, writeAudited } from './audit-ledger.ts';
import { type Item, withoutKeys } from './items.ts';
import { auditStreamOfDataset, keys } from './schema.ts';

export const DATASET_HEAD = { seq: 'auditSeq', hash: 'auditHash' } as const;

export function toDataset(item: Item): Dataset {
  return withoutKeys<Dataset>(item, [DATASET_HEAD.seq, DATASET_HEAD.hash]);
}

export async function readDatasetRecord(
  client: DynamoDBDocumentClient,
  stateTable: string,
  id: string,
): Promise<StoredDataset | undefined> {
  const { Item } = await client.send(
    new GetCommand({ TableName: stateTable, Key: keys.dataset(id), ConsistentRead: true }),
  );
  return Item ? { dataset: toDataset(Item), audit: carriedHead(Item, DATASET_HEAD) } : undefined;
}

/** A seeded entry's title and sensitivity; owners, the limit and the chain head an access-admin set are kept. */
export async function writeSeededDataset(
  client: DynamoDBDocumentClient,
  stateTable: string,
  dataset: Dataset,
): Promise<void> {
  const fields: Item = { entity: 'DATASET', ...dataset };
  const names = Object.keys(fields);
  await client.send(
    new UpdateCommand({
      TableName: stateTable,
      Key: keys.dataset(dataset.id),
      UpdateExpression: `SET ${names.map((_, index) => `#f${index} = :f${index}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(names.map((name, index) => [`#f${index}`, name])),
      ExpressionAttributeValues: Object.fromEntries(names.map((name, index) => [`:f${index}`, fields[name]])),
    }),
  );
}

/** The entry's new owners and limit, its chain head and the event: all or nothing. */
export async function writeDatasetChange(
  client: DynamoDBDocumentClient,
  tables: { readonly stateTable: string; readonly auditTable: string },
  change: DatasetRecordChange,
): Promise<void> {
  const { dataset, event, expectedHead } = change;
  if (
    event.stream !== auditStreamOfDataset(dataset.id) ||
    event.seq !== expectedHead.seq + 1 ||
    event.prevHash !== expectedHead.hash
  ) {
    throw new Error(
      `the event is not chained onto ${auditStreamOfDataset(dataset.id)} at seq ${expectedHead.seq}`,
    );
  }
  const names: Record<string, string> = {
    '#seq': DATASET_HEAD.seq,
    '#hash': DATASET_HEAD.hash,
    '#owners': 'owners',
    '#limit': 'maxConcurrentHolders',
  };
  const values: Record<string, unknown> = { ':seq': event.seq, ':hash': event.hash };
  const set = ['#seq = :seq', '#hash = :hash'];
  const remove: string[] = [];
  if (dataset.owners) {
    values[':owners'] = dataset.owners;
    set.push('#owners = :owners');
  } else remove.push('#owners');
  if (dataset.maxConcurrentHolders !== undefined) {
    values[':limit'] = dataset.maxConcurrentHolders;
    set.push('#limit = :limit');
  } else remove.push('#limit');
  const update = headGuardedUpdate({
    tableName: tables.stateTable,
    key: keys.dataset(dataset.id),
    set,
    remove,
    names,
    values,
    head: DATASET_HEAD,
    expected: expectedHead,
  });
  await writeAudited(client, tables, update, event, `dataset ${dataset.id}`);
}
